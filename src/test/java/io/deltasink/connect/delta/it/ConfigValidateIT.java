package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.DeltaSinkConnector;
import io.deltasink.connect.delta.testing.SampleData;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Config mistakes as a new user meets them: {@code PUT
 * /connector-plugins/DeltaSinkConnector/config/validate} on a real Connect worker, before any
 * connector exists or any record is read. Each error must be listed on the key it is about, as the
 * REST API (and UIs built on it) shows them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigValidateIT {
  private ConnectCluster cluster;

  @BeforeAll
  void start() {
    cluster = new ConnectCluster("validate-it", 1);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /** The errors of a validate call, by key; also checks that the response's error count agrees. */
  private Map<String, List<String>> validate(Map<String, String> config) {
    config.put("name", "validate-it");
    ConfigInfos result =
        cluster.connect.validateConnectorConfig(DeltaSinkConnector.class.getSimpleName(), config);
    Map<String, List<String>> errors = new TreeMap<>();
    for (ConfigInfo info : result.configs()) {
      if (info.configValue() != null && !info.configValue().errors().isEmpty()) {
        errors.put(info.configValue().name(), info.configValue().errors());
      }
    }
    assertThat(result.errorCount()).isEqualTo(errors.values().stream().mapToInt(List::size).sum());
    return errors;
  }

  private static Map<String, String> jsonConfig() {
    Map<String, String> c =
        ConnectCluster.sinkConfig("temperatures", "file:///tmp/validate-it/temperatures", 1);
    c.put("value.converter.schemas.enable", "false");
    c.put("delta.table.mapping", "temperatures_mapping");
    c.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    return c;
  }

  @Test
  void aMisspelledKeyIsListedWithTheKeyItProbablyMeant() {
    Map<String, String> c = jsonConfig();
    c.remove("delta.flush.interval.ms");
    c.put("delta.flush.intervall.ms", "1000");
    c.put("delta.hadoop.fs.azure.always.use.https", "false"); // open-ended: passed to Hadoop
    assertThat(validate(c))
        .containsExactly(
            Map.entry(
                "delta.flush.intervall.ms",
                List.of(
                    "'delta.flush.intervall.ms' is not a setting of this connector, so it would be ignored; "
                        + "did you mean 'delta.flush.interval.ms'?")));
  }

  @Test
  void aPartitionColumnTheMappingDoesNotProduceIsListedOnItsKey() {
    Map<String, String> c = jsonConfig();
    c.put("delta.table.partition.columns", "day");
    assertThat(validate(c))
        .containsExactly(
            Map.entry(
                "delta.table.partition.columns",
                List.of(
                    "partition column 'day' is not a column that mapping 'temperatures_mapping' produces: "
                        + "[latitude, longitude, time, temperature_2m, kafka_topic, kafka_partition, kafka_offset]")));

    c.put("delta.table.partition.columns", "time");
    assertThat(validate(c)).isEmpty();
  }

  @Test
  void aRoutedBronzeTablesPartitionColumnIsListedOnTheRouting() {
    Map<String, String> c = ConnectCluster.sinkConfig("clicks", "file:///unused", 1);
    c.remove("delta.table.location");
    c.put("delta.tables.root", "file:///tmp/validate-it");
    c.put(
        "delta.tables.topics.mapping",
        "[{'topic':'clicks','db':'raw','table':'clicks','format':'bronze',"
            + "'partitionBy':'day'}]");
    assertThat(validate(c)).containsOnlyKeys("delta.tables.topics.mapping");
    assertThat(validate(c).get("delta.tables.topics.mapping"))
        .singleElement()
        .asString()
        .startsWith(
            "entry for topic 'clicks' partitions by 'day', which is not a column of the bronze layout: [key, ");
  }
}
