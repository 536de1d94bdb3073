package io.deltasink.connect.delta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.DeltaSinkConnector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeltaSinkConfigTest {

  private static Map<String, String> base() {
    Map<String, String> p = new HashMap<>();
    p.put("name", "my-sink");
    p.put("connector.class", DeltaSinkConnector.class.getName());
    p.put("topics", "temperatures");
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "file:///data/delta/temperatures/");
    return p;
  }

  @Test
  void defaultsAndDerivedValues() {
    DeltaSinkConfig c = new DeltaSinkConfig(base());
    assertThat(c.tableLocation()).isEqualTo("file:///data/delta/temperatures");
    assertThat(c.tableName()).isEqualTo("temperatures");
    assertThat(c.applicationId("my-sink")).isEqualTo("my-sink");
    assertThat(c.writerSettings().compression()).isEqualTo(CompressionCodecName.SNAPPY);
    assertThat(c.flushIntervalMs()).isEqualTo(60_000);
    assertThat(c.partitionColumns()).isEmpty();
  }

  @Test
  void hadoopPassThroughStripsThePrefix() {
    Map<String, String> p = base();
    p.put("delta.hadoop.fs.azure.account.auth.type", "OAuth");
    assertThat(new DeltaSinkConfig(p).hadoopOverrides()).containsExactly(Map.entry("fs.azure.account.auth.type", "OAuth"));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(DeltaSinkConfig.TABLE_LOCATION_CONFIG, null, "Missing required configuration \"delta.table.location\""),
        Arguments.of(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "/data/delta/t", "has no scheme; use file:///absolute/path"),
        Arguments.of(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "file:///", "names no directory"),
        Arguments.of(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "file:///a b|c", "is not a valid URI"),
        Arguments.of(DeltaSinkConfig.PARTITION_COLUMNS_CONFIG, "day,day", "partition column 'day' is listed twice"),
        Arguments.of(DeltaSinkConfig.KAFKA_COLUMNS_CONFIG, "topic,headers", "'headers' is not one of [topic, partition, offset, timestamp]"),
        Arguments.of(DeltaSinkConfig.COMPRESSION_CONFIG, "lz4", "must be one of [snappy, zstd, gzip, uncompressed] (case-insensitive)"),
        Arguments.of(DeltaSinkConfig.FLUSH_RECORDS_CONFIG, "0", "Value must be at least 1"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("invalid")
  void restValidateShowsTheErrorOnItsKey(String key, String value, String message) {
    Map<String, String> p = base();
    if (value == null) {
      p.remove(key);
    } else {
      p.put(key, value);
    }
    Config result = new DeltaSinkConnector().validate(p);
    ConfigValue v = result.configValues().stream().filter(c -> c.name().equals(key)).findFirst().orElseThrow();
    assertThat(v.errorMessages()).anySatisfy(m -> assertThat(m).contains(message));
    assertThatThrownBy(() -> new DeltaSinkConfig(p)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
  }

  @Test
  void validConfigHasNoErrors() {
    Config result = new DeltaSinkConnector().validate(base());
    List<String> errors = result.configValues().stream().flatMap(v -> v.errorMessages().stream()).toList();
    assertThat(errors).isEmpty();
  }
}
