package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SampleData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.runtime.ConnectorConfig;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Open-Meteo messages through a real Connect worker with the original ADX ingestion
 * mapping: every row lands once, with exact decimals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KustoJsonIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private ConnectCluster cluster;
  private List<String> lines;
  @TempDir Path tmp;

  @BeforeAll
  void start() throws Exception {
    cluster = new ConnectCluster("kusto-it", 1);
    lines = SampleData.temperatureLines();
    assertThat(lines).hasSize(26_064);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private void produceSample(String topic, int partitions) {
    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      int i = 0;
      for (String l : lines) {
        p.send(
            new ProducerRecord<>(
                topic, i++ % partitions, null, l.getBytes(StandardCharsets.UTF_8)));
      }
      p.flush();
    }
  }

  private Map<String, String> jsonConfig(String topic, String location, String valueConverter) {
    Map<String, String> c = ConnectCluster.sinkConfig(topic, location, 2);
    c.put(ConnectorConfig.VALUE_CONVERTER_CLASS_CONFIG, valueConverter);
    c.put("value.converter.schemas.enable", "false");
    c.put("delta.table.mapping", "temperatures_mapping");
    c.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    c.remove("delta.kafka.columns");
    return c;
  }

  private void assertTemperatureTable(String location) {
    SampleData.assertTemperatureRows(location, new KernelReader(location).rows());
  }

  @Test
  void realMessagesWithStringConverterAndTheOriginalMapping() throws Exception {
    String loc = tmp.resolve("weather/temperatures_string").toUri().toString();
    cluster.createTopic("temperatures", 6);
    long start = System.nanoTime();
    cluster.connect.configureConnector(
        "kusto-string", jsonConfig("temperatures", loc, StringConverter.class.getName()));
    produceSample("temperatures", 6);
    cluster.awaitCommitted(loc, "kusto-string", "temperatures", 6, TIMEOUT);
    System.out.printf(
        "[measure] 26,064 real messages via StringConverter: %.1f s%n",
        (System.nanoTime() - start) / 1e9);
    assertTemperatureTable(loc);
    assertThat(new KernelReader(loc).snapshot().getSchema().toString())
        .contains("name=temperature_2m,type=Decimal(38, 18)");
    // The worker's JMX MBeans tell the same story (the embedded worker runs in this JVM).
    javax.management.MBeanServer jmx =
        java.lang.management.ManagementFactory.getPlatformMBeanServer();
    javax.management.ObjectName tasks =
        new javax.management.ObjectName(
            "io.deltasink.connect.delta:connector=\"kusto-string\",type=task,*");
    javax.management.ObjectName partitions =
        new javax.management.ObjectName(
            "io.deltasink.connect.delta:connector=\"kusto-string\",type=partition,*");
    ConnectCluster.waitFor(
        TIMEOUT,
        "the task MBeans to count every row",
        () -> {
          long rows = 0;
          for (javax.management.ObjectName n : jmx.queryNames(tasks, null)) {
            try {
              rows += (Long) jmx.getAttribute(n, "RecordsWritten");
            } catch (javax.management.JMException e) {
              return false;
            }
          }
          return rows == 26_064;
        });
    assertThat(jmx.queryNames(tasks, null)).hasSize(2);
    long next = 0;
    for (javax.management.ObjectName n : jmx.queryNames(partitions, null)) {
      next += (Long) jmx.getAttribute(n, "LastCommittedOffset") + 1;
      assertThat(jmx.getAttribute(n, "CommitLag")).isEqualTo(0L);
    }
    assertThat(next).isEqualTo(26_064);
    cluster.connect.deleteConnector("kusto-string");
  }

  /** The shipped examples' converter: the connector parses the UTF-8 bytes itself. */
  @Test
  void realMessagesWithByteArrayConverter() throws Exception {
    drainSampleAndCheck(
        "temperatures-bytes", "org.apache.kafka.connect.converters.ByteArrayConverter");
  }

  @Test
  void realMessagesWithSchemalessJsonConverter() throws Exception {
    drainSampleAndCheck("temperatures-json", "org.apache.kafka.connect.json.JsonConverter");
  }

  /**
   * The real sample into a new 6-partition topic, through {@code valueConverter}, checked row by
   * row.
   */
  private void drainSampleAndCheck(String topic, String valueConverter) throws Exception {
    String loc = tmp.resolve("weather/" + topic.replace('-', '_')).toUri().toString();
    cluster.createTopic(topic, 6);
    cluster.connect.configureConnector(topic, jsonConfig(topic, loc, valueConverter));
    produceSample(topic, 6);
    cluster.awaitCommitted(loc, topic, topic, 6, TIMEOUT);
    assertTemperatureTable(loc);
    cluster.connect.deleteConnector(topic);
  }

  @Test
  void routesTwoTopicsToTwoTablesPlusWildcardAndABronzeCopy() throws Exception {
    String root = tmp.resolve("lake").toUri().toString();
    for (String t : List.of("weather.a", "weather.b", "misc")) {
      cluster.createTopic(t, 2);
    }
    Map<String, String> c = ConnectCluster.sinkConfig("weather.a,weather.b,misc", root, 2);
    c.remove("delta.table.location");
    c.remove("delta.kafka.columns");
    c.put(ConnectorConfig.VALUE_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
    c.put("delta.tables.root", root);
    c.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    c.put(
        "delta.tables.topics.mapping",
        "[{'topic':'weather.a','db':'weather','table':'city_a','format':'json',"
            + "'mapping':'temperatures_mapping'},{'topic':'weather.b','db':'weather','table':'city_b','format':'json',"
            + "'mapping':'temperatures_mapping'},{'topic':'*','db':'raw','format':'bronze'}]");
    cluster.connect.configureConnector("router", c);

    // A second connector keeps a bronze copy of topic weather.a.
    Map<String, String> bronze =
        ConnectCluster.sinkConfig("weather.a", root + "/bronze/weather_a", 1);
    bronze.put(ConnectorConfig.VALUE_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
    bronze.put("delta.input.format", "bronze");
    bronze.remove("delta.kafka.columns");
    cluster.connect.configureConnector("bronze-copy", bronze);

    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      for (int i = 0; i < 3_000; i++) {
        byte[] v = lines.get(i).getBytes(StandardCharsets.UTF_8);
        p.send(new ProducerRecord<>(i < 2_000 ? "weather.a" : "weather.b", i % 2, null, v));
      }
      for (int i = 0; i < 10; i++) {
        p.send(
            new ProducerRecord<>(
                "misc", i % 2, null, ("not json " + i).getBytes(StandardCharsets.UTF_8)));
      }
      p.flush();
    }
    cluster.awaitCommitted(root + "/weather/city_a", "router", "weather.a", 2, TIMEOUT);
    cluster.awaitCommitted(root + "/weather/city_b", "router", "weather.b", 2, TIMEOUT);
    cluster.awaitCommitted(root + "/raw/misc", "router", "misc", 2, TIMEOUT);
    cluster.awaitCommitted(root + "/bronze/weather_a", "bronze-copy", "weather.a", 2, TIMEOUT);

    assertThat(new KernelReader(root + "/weather/city_a").rows()).hasSize(2_000);
    assertThat(new KernelReader(root + "/weather/city_b").rows()).hasSize(1_000);
    List<Map<String, Object>> misc = new KernelReader(root + "/raw/misc").rows();
    assertThat(misc)
        .hasSize(10)
        .allSatisfy(r -> assertThat((String) r.get("value")).startsWith("not json "));
    assertThat(new KernelReader(root + "/raw/misc").snapshot().getPartitionColumnNames())
        .containsExactly("ingestion_date");
    List<Map<String, Object>> copy = new KernelReader(root + "/bronze/weather_a").rows();
    assertThat(copy).hasSize(2_000);
    Map<Long, String> byOffsetP0 = new HashMap<>();
    copy.stream()
        .filter(r -> Integer.valueOf(0).equals(r.get("partition")))
        .forEach(r -> byOffsetP0.put((Long) r.get("offset"), (String) r.get("value")));
    assertThat(byOffsetP0.get(0L)).isEqualTo(lines.get(0));
    assertThat(byOffsetP0.get(1L)).isEqualTo(lines.get(2));
    cluster.connect.deleteConnector("router");
    cluster.connect.deleteConnector("bronze-copy");
  }
}
