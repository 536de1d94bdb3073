package io.deltasink.connect.delta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.DeltaSinkConnector;
import io.deltasink.connect.delta.testing.SampleData;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    assertThat(new DeltaSinkConfig(p).hadoopOverrides())
        .containsExactly(Map.entry("fs.azure.account.auth.type", "OAuth"));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            DeltaSinkConfig.TABLE_LOCATION_CONFIG,
            null,
            "Missing required configuration \"delta.table.location\""),
        Arguments.of(
            DeltaSinkConfig.TABLE_LOCATION_CONFIG,
            "/data/delta/t",
            "has no scheme; use file:///absolute/path"),
        Arguments.of(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "file:///", "names no directory"),
        Arguments.of(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "file:///a b|c", "is not a valid URI"),
        Arguments.of(
            DeltaSinkConfig.PARTITION_COLUMNS_CONFIG,
            "day,day",
            "partition column 'day' is listed twice"),
        Arguments.of(
            DeltaSinkConfig.KAFKA_COLUMNS_CONFIG,
            "topic,headers",
            "Invalid value headers for configuration delta.kafka.columns: String must be one of: topic, partition, offset, timestamp"),
        Arguments.of(
            DeltaSinkConfig.COMPRESSION_CONFIG,
            "lz4",
            "Invalid value lz4 for configuration delta.parquet.compression: String must be one of (case insensitive): "),
        Arguments.of(DeltaSinkConfig.FLUSH_RECORDS_CONFIG, "0", "Value must be at least 1"),
        Arguments.of(
            "delta.table.properties.delta.logRetentionDuration",
            "2 days",
            "delta.logRetentionDuration must be a Delta interval such as 'interval 2 days'"),
        Arguments.of(
            "delta.table.properties.delta.checkpointInterval",
            "0",
            "delta.checkpointInterval must be a positive number of commits"),
        Arguments.of(
            "delta.table.properties.delta.columnMapping.mode",
            "name",
            "delta.columnMapping.mode=name: the sink cannot create a table with column mapping"),
        Arguments.of(
            "delta.table.properties.delta.feature.variantType",
            "supported",
            "delta.feature.variantType: this connector does not write tables with the feature"
                + " 'variantType'"));
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
    ConfigValue v =
        result.configValues().stream().filter(c -> c.name().equals(key)).findFirst().orElseThrow();
    assertThat(v.errorMessages()).anySatisfy(m -> assertThat(m).contains(message));
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void tablePropertiesAreTheDefaultsOverriddenByTheConfiguredOnes() {
    Map<String, String> p = base();
    p.put("delta.table.properties.delta.checkpointInterval", "100");
    p.put("delta.table.properties.delta.logRetentionDuration", "interval 7 days");
    p.put("delta.table.properties.owner", "ingest-team");
    assertThat(new DeltaSinkConnector().validate(p).configValues())
        .allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
    assertThat(new DeltaSinkConfig(p).tableProperties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "delta.checkpointInterval", "100",
                "delta.logRetentionDuration", "interval 7 days",
                "owner", "ingest-team"));
    assertThat(new DeltaSinkConfig(base()).tableProperties())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "delta.logRetentionDuration",
                "interval 2 days",
                "delta.checkpointInterval",
                "100"));
  }

  @Test
  void validConfigHasNoErrors() {
    Config result = new DeltaSinkConnector().validate(base());
    List<String> errors =
        result.configValues().stream().flatMap(v -> v.errorMessages().stream()).toList();
    assertThat(errors).isEmpty();
  }

  /**
   * Kafka's validators accept what the connector always accepted: choices in any case, list
   * elements trimmed.
   */
  @Test
  void choicesIgnoreCaseAndTheirErrorListsEveryValue() {
    Map<String, String> p = base();
    p.put(DeltaSinkConfig.COMPRESSION_CONFIG, " ZStd ");
    p.put(DeltaSinkConfig.INPUT_FORMAT_CONFIG, "Struct");
    p.put(DeltaSinkConfig.TOMBSTONE_POLICY_CONFIG, "DLQ");
    p.put(AzureAuth.METHOD_CONFIG, "None");
    p.put(DeltaSinkConfig.KAFKA_COLUMNS_CONFIG, " topic , offset ");
    DeltaSinkConfig c = new DeltaSinkConfig(p);
    assertThat(c.writerSettings().compression()).isEqualTo(CompressionCodecName.ZSTD);
    assertThat(c.kafkaColumns().names()).containsExactly("kafka_topic", "kafka_offset");
    assertThat(errors(p)).isEmpty();

    p.put(DeltaSinkConfig.COMPRESSION_CONFIG, "lz4");
    assertThat(errors(p).get(DeltaSinkConfig.COMPRESSION_CONFIG))
        .singleElement()
        .asString()
        .contains("(case insensitive)", "SNAPPY", "ZSTD", "GZIP", "UNCOMPRESSED");
  }

  private static Map<String, String> json(String partitionColumns) {
    Map<String, String> p = base();
    p.put(DeltaSinkConfig.TABLE_MAPPING_CONFIG, "temperatures_mapping");
    p.put(DeltaSinkConfig.MAPPINGS_PREFIX + "temperatures_mapping", SampleData.MAPPING_COMMAND);
    p.put(DeltaSinkConfig.PARTITION_COLUMNS_CONFIG, partitionColumns);
    return p;
  }

  /** Every error validate() reports, by key, as the REST call lists them. */
  private static Map<String, List<String>> errors(Map<String, String> p) {
    Map<String, List<String>> out = new TreeMap<>();
    for (ConfigValue v : new DeltaSinkConnector().validate(p).configValues()) {
      if (!v.errorMessages().isEmpty()) {
        out.put(v.name(), v.errorMessages());
      }
    }
    return out;
  }

  @Test
  void aPartitionColumnTheMappingDoesNotProduceIsAnErrorOnItsKey() {
    Map<String, String> p = json("time,day");
    String message =
        "partition column 'day' is not a column that mapping 'temperatures_mapping' produces: "
            + "[latitude, longitude, time, temperature_2m]";
    assertThat(errors(p))
        .containsExactly(Map.entry(DeltaSinkConfig.PARTITION_COLUMNS_CONFIG, List.of(message)));
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);

    // The mapping's columns and the Kafka coordinate columns the config adds are fine.
    Map<String, String> ok = json("time,kafka_partition");
    ok.put(DeltaSinkConfig.KAFKA_COLUMNS_CONFIG, "partition,offset");
    assertThat(errors(ok)).isEmpty();
    Map<String, String> notAdded = json("kafka_partition");
    assertThat(errors(notAdded)).containsOnlyKeys(DeltaSinkConfig.PARTITION_COLUMNS_CONFIG);
  }

  @Test
  void aPartitionColumnTheBronzeLayoutDoesNotHaveIsAnErrorOnItsKey() {
    Map<String, String> p = base();
    p.put(DeltaSinkConfig.INPUT_FORMAT_CONFIG, "bronze");
    p.put(DeltaSinkConfig.PARTITION_COLUMNS_CONFIG, "day");
    assertThat(errors(p))
        .containsExactly(
            Map.entry(
                DeltaSinkConfig.PARTITION_COLUMNS_CONFIG,
                List.of(
                    "partition column 'day' is not a column of the bronze layout: [key, key_encoding, value, value_encoding, "
                        + "headers, topic, partition, offset, timestamp, ingestion_time, ingestion_date]")));
    p.put(DeltaSinkConfig.PARTITION_COLUMNS_CONFIG, "topic,ingestion_date");
    assertThat(errors(p)).isEmpty();
  }

  @Test
  void aRoutedTablesPartitionColumnItsMappingDoesNotProduceIsAnErrorOnTheRouting() {
    Map<String, String> p = json("");
    p.remove(DeltaSinkConfig.TABLE_MAPPING_CONFIG);
    p.remove(DeltaSinkConfig.TABLE_LOCATION_CONFIG);
    p.put(DeltaSinkConfig.TABLES_ROOT_CONFIG, "file:///data/delta");
    p.put(
        DeltaSinkConfig.TABLES_ROUTING_CONFIG,
        "[{'topic':'temperatures','db':'weather','table':'temperatures',"
            + "'format':'json','mapping':'temperatures_mapping','partitionBy':'day'}]");
    assertThat(errors(p))
        .containsExactly(
            Map.entry(
                DeltaSinkConfig.TABLES_ROUTING_CONFIG,
                List.of(
                    "entry for topic 'temperatures' partitions by 'day', which is not a column that mapping 'temperatures_mapping' "
                        + "produces: [latitude, longitude, time, temperature_2m]")));

    // Entries without partitionBy take delta.table.partition.columns; the bronze entry has no
    // 'time'.
    p.put(
        DeltaSinkConfig.TABLES_ROUTING_CONFIG,
        "[{'topic':'temperatures','table':'temperatures',"
            + "'mapping':'temperatures_mapping'},{'topic':'*','db':'raw','format':'bronze'}]");
    p.put(DeltaSinkConfig.PARTITION_COLUMNS_CONFIG, "time");
    assertThat(errors(p).get(DeltaSinkConfig.TABLES_ROUTING_CONFIG))
        .singleElement()
        .asString()
        .startsWith(
            "entry for topic '*' partitions by 'time' (from delta.table.partition.columns), which is not a "
                + "column of the bronze layout: [key, ");
  }

  static Stream<Arguments> misspelledKeys() {
    return Stream.of(
        Arguments.of("delta.flush.intervall.ms", "delta.flush.interval.ms"),
        Arguments.of("delta.table.partition.column", "delta.table.partition.columns"),
        Arguments.of("delta.parquet.compresion", "delta.parquet.compression"),
        Arguments.of("delta.azure.auth.methods", "delta.azure.auth.method"),
        Arguments.of("delta.mapping.temperatures_mapping", "delta.mappings.temperatures_mapping"),
        Arguments.of(
            "delta.hadop.fs.azure.always.use.https", "delta.hadoop.fs.azure.always.use.https"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misspelledKeys")
  void anUnknownDeltaKeyIsAnErrorOnItselfNamingTheClosestKey(String key, String closest) {
    Map<String, String> p = json("");
    p.put(key, "1000");
    // Open-ended key families, the task id the connector adds and other plugins' keys are not
    // unknown.
    p.put("delta.hadoop.fs.azure.always.use.https", "false");
    p.put(
        "delta.hadoop.delta.logStore.file.impl",
        "io.deltasink.connect.delta.delta.AtomicLocalLogStore");
    p.put(DeltaSinkConfig.TASK_ID_CONFIG, "2");
    p.put("errors.tolerance", "all");
    p.put("consumer.override.isolation.level", "read_committed");
    p.put("deltalake.other.plugin.key", "x");
    String message =
        "'"
            + key
            + "' is not a setting of this connector, so it would be ignored; did you mean '"
            + closest
            + "'?";
    assertThat(errors(p)).containsExactly(Map.entry(key, List.of(message)));
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }
}
