package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.connect.runtime.ConnectorConfig;
import org.apache.kafka.connect.runtime.SinkConnectorConfig;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad record through a real Connect worker: with errors.tolerance=all it lands in the
 * dead-letter topic with its original key, value and headers and a reason naming topic, partition,
 * offset and column, and everything else is written; with errors.tolerance=none the task fails with
 * that message and the table holds nothing of the failing batch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadRecordsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String MAPPING =
      "[{\"column\":\"id\",\"path\":\"$.id\",\"datatype\":\"long\"},"
          + "{\"column\":\"n\",\"path\":\"$.n\",\"datatype\":\"int\"},{\"column\":\"price\",\"path\":\"$.price\",\"datatype\":\"decimal\"},"
          + "{\"column\":\"ts\",\"path\":\"$.ts\",\"datatype\":\"datetime\"}]";
  private ConnectCluster cluster;
  @TempDir Path tmp;

  @BeforeAll
  void start() {
    cluster = new ConnectCluster("bad-records-it", 1);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static String good(int id) {
    return "{\"id\":" + id + ",\"n\":5,\"price\":1.5,\"ts\":\"2023-01-01T00:00\"}";
  }

  /** Bad value -> words its reason must contain. */
  private static Map<byte[], String> badJson() {
    Map<byte[], String> bad = new LinkedHashMap<>();
    bad.put("{\"id\":".getBytes(StandardCharsets.UTF_8), "malformed JSON");
    bad.put("[1,2]".getBytes(StandardCharsets.UTF_8), "the JSON value must be an object");
    bad.put(
        "{\"id\":\"seven\"}".getBytes(StandardCharsets.UTF_8),
        "column 'id': a text of 5 characters is not a valid long");
    bad.put(
        "{\"n\":2147483648}".getBytes(StandardCharsets.UTF_8),
        "column 'n': a 32-bit integer is out of range for int");
    bad.put(
        "{\"price\":1e25}".getBytes(StandardCharsets.UTF_8),
        "column 'price': a number with 26 integer and 0 fraction digits is out of range for decimal(38,18)");
    bad.put(
        "{\"price\":NaN}".getBytes(StandardCharsets.UTF_8),
        "column 'price': NaN (not a finite number) cannot be stored");
    bad.put(
        "{\"price\":-Infinity}".getBytes(StandardCharsets.UTF_8),
        "cannot be stored in decimal(38,18)");
    bad.put(
        ("{\"ts\":\"" + "x".repeat(3000) + "\"}").getBytes(StandardCharsets.UTF_8),
        "more than delta.record.max.bytes=2048");
    bad.put(
        new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
        "malformed JSON: invalid UTF-8 at byte 7");
    bad.put(
        ("{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}").getBytes(StandardCharsets.UTF_8),
        "nesting depth");
    bad.put(null, "tombstone (null value)");
    return bad;
  }

  private Map<String, String> jsonConnector(String topic, String location, boolean tolerate) {
    Map<String, String> c = ConnectCluster.sinkConfig(topic, location, 1);
    c.remove("delta.kafka.columns");
    c.put(
        ConnectorConfig.VALUE_CONVERTER_CLASS_CONFIG,
        "org.apache.kafka.connect.converters.ByteArrayConverter");
    c.put("delta.mappings.m", MAPPING);
    c.put("delta.table.mapping", "m");
    c.put("delta.record.max.bytes", "2048");
    c.put("delta.json.max.nesting.depth", "32");
    c.put("delta.tombstone.policy", "dlq");
    if (tolerate) {
      c.put(ConnectorConfig.ERRORS_TOLERANCE_CONFIG, "all");
      c.put(SinkConnectorConfig.DLQ_TOPIC_NAME_CONFIG, topic + "-dlq");
      c.put(SinkConnectorConfig.DLQ_TOPIC_REPLICATION_FACTOR_CONFIG, "1");
      c.put(SinkConnectorConfig.DLQ_CONTEXT_HEADERS_ENABLE_CONFIG, "true");
    }
    return c;
  }

  @Test
  void badJsonRecordsGoToTheDeadLetterTopicUnchanged() throws Exception {
    String topic = "bad-json";
    String loc = tmp.resolve("bad-json").toUri().toString();
    cluster.createTopic(topic, 2);
    cluster.connect.configureConnector("bad-json", jsonConnector(topic, loc, true));
    Map<byte[], String> bad = badJson();
    List<byte[]> badValues = new ArrayList<>(bad.keySet());
    int goodCount = 0;
    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      int i = 0;
      for (byte[] v : badValues) {
        p.send(
            new ProducerRecord<>(
                topic,
                i % 2,
                null,
                ("good-" + i).getBytes(StandardCharsets.UTF_8),
                good(i).getBytes(StandardCharsets.UTF_8)));
        goodCount++;
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(
                topic,
                i % 2,
                null,
                ("bad-" + i).getBytes(StandardCharsets.UTF_8),
                v,
                List.of(new RecordHeader("trace", ("t" + i).getBytes(StandardCharsets.UTF_8))));
        p.send(r);
        i++;
      }
      p.flush();
    }
    cluster.awaitCommitted(loc, "bad-json", topic, 2, TIMEOUT);
    assertThat(new KernelReader(loc).rows()).hasSize(goodCount);

    ConsumerRecords<byte[], byte[]> dlq =
        cluster.connect.kafka().consume(badValues.size(), TIMEOUT.toMillis(), topic + "-dlq");
    assertThat(dlq.count()).isEqualTo(badValues.size());
    Map<String, ConsumerRecord<byte[], byte[]>> byKey = new HashMap<>();
    dlq.forEach(r -> byKey.put(new String(r.key(), StandardCharsets.UTF_8), r));
    for (int i = 0; i < badValues.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = byKey.get("bad-" + i);
      assertThat(r).as("bad-" + i + " in the DLQ").isNotNull();
      assertThat(r.value() == null ? null : r.value()).isEqualTo(badValues.get(i));
      assertThat(new String(r.headers().lastHeader("trace").value(), StandardCharsets.UTF_8))
          .isEqualTo("t" + i);
      String reason =
          new String(
              r.headers().lastHeader("__connect.errors.exception.message").value(),
              StandardCharsets.UTF_8);
      assertThat(reason)
          .startsWith("topic '" + topic + "' partition " + (i % 2) + " offset ")
          .contains(bad.get(badValues.get(i)));
      assertThat(
              new String(
                  r.headers().lastHeader("__connect.errors.exception.class.name").value(),
                  StandardCharsets.UTF_8))
          .isEqualTo("org.apache.kafka.connect.errors.DataException");
    }
    System.out.printf(
        "[measure] %d bad JSON records in the DLQ with reasons, %d good rows written%n",
        badValues.size(), goodCount);
    cluster.connect.deleteConnector("bad-json");
  }

  @Test
  void withoutToleranceTheTaskFailsWithTheReasonAndCommitsNothingOfTheBatch() throws Exception {
    String topic = "bad-none";
    String loc = tmp.resolve("bad-none").toUri().toString();
    cluster.createTopic(topic, 1);
    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      p.send(new ProducerRecord<>(topic, 0, null, good(1).getBytes(StandardCharsets.UTF_8)));
      p.send(
          new ProducerRecord<>(
              topic, 0, null, "{\"n\":\"many\"}".getBytes(StandardCharsets.UTF_8)));
      p.flush();
    }
    cluster.connect.configureConnector("bad-none", jsonConnector(topic, loc, false));
    cluster
        .connect
        .assertions()
        .assertConnectorIsRunningAndTasksHaveFailed("bad-none", 1, "task did not fail");
    ConnectorStateInfo status = cluster.connect.connectorStatus("bad-none");
    assertThat(status.tasks().get(0).trace())
        .contains(
            "topic 'bad-none' partition 0 offset 1: column 'n': a text of 4 characters is not a valid int");
    assertThat(tmp.resolve("bad-none").resolve("_delta_log")).doesNotExist();
    cluster.connect.deleteConnector("bad-none");
  }

  @Test
  void structsThatDoNotFitTheTableAndUnroutedTopicsGoToTheDeadLetterTopic() throws Exception {
    String topic = "bad-struct";
    String root = tmp.resolve("routed").toUri().toString();
    cluster.createTopic(topic, 1);
    cluster.createTopic("unrouted", 1);
    Map<String, String> c = ConnectCluster.sinkConfig(topic + ",unrouted", root, 1);
    c.remove("delta.table.location");
    // With a regex, config validation cannot know every topic: an unrouted one shows up at run
    // time.
    c.remove("topics");
    c.put("topics.regex", "bad-struct|unrouted");
    c.put("delta.tables.root", root);
    c.put(
        "delta.tables.topics.mapping", "[{'topic':'" + topic + "','table':'t','format':'struct'}]");
    c.put(ConnectorConfig.ERRORS_TOLERANCE_CONFIG, "all");
    c.put(SinkConnectorConfig.DLQ_TOPIC_NAME_CONFIG, "struct-dlq");
    c.put(SinkConnectorConfig.DLQ_TOPIC_REPLICATION_FACTOR_CONFIG, "1");
    c.put(SinkConnectorConfig.DLQ_CONTEXT_HEADERS_ENABLE_CONFIG, "true");
    cluster.connect.configureConnector("bad-struct", c);
    String okSchema =
        "{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"int64\",\"optional\":false}]}";
    String optionalSchema =
        "{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"int64\",\"optional\":true}]}";
    String stringSchema =
        "{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"string\",\"optional\":false}]}";
    List<String> values =
        Arrays.asList(
            "{\"schema\":" + okSchema + ",\"payload\":{\"id\":1}}",
            "{\"schema\":" + optionalSchema + ",\"payload\":{\"id\":null}}",
            "{\"schema\":" + stringSchema + ",\"payload\":{\"id\":\"x\"}}",
            "{\"schema\":" + okSchema + ",\"payload\":{\"id\":2}}");
    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      for (String v : values) {
        p.send(new ProducerRecord<>(topic, 0, null, v.getBytes(StandardCharsets.UTF_8)));
      }
      p.send(
          new ProducerRecord<>(
              "unrouted",
              0,
              null,
              "{\"schema\":null,\"payload\":1}".getBytes(StandardCharsets.UTF_8)));
      p.flush();
    }
    cluster.awaitCommitted(root + "/t", "bad-struct", topic, 1, TIMEOUT);
    assertThat(new KernelReader(root + "/t").rows())
        .extracting(r -> r.get("id"))
        .containsExactlyInAnyOrder(1L, 2L);
    ConsumerRecords<byte[], byte[]> dlq =
        cluster.connect.kafka().consume(3, TIMEOUT.toMillis(), "struct-dlq");
    List<String> reasons = new ArrayList<>();
    dlq.forEach(
        r ->
            reasons.add(
                new String(
                    r.headers().lastHeader("__connect.errors.exception.message").value(),
                    StandardCharsets.UTF_8)));
    assertThat(reasons)
        .containsExactlyInAnyOrder(
            "topic 'bad-struct' partition 0 offset 1: field 'id' is optional in the record but the table column is NOT NULL",
            "topic 'bad-struct' partition 0 offset 2: field 'id': record type string cannot be written to table column type long, and Delta cannot change a column's type that way",
            "topic 'unrouted' partition 0 offset 0: topic 'unrouted' has no entry in delta.tables.topics.mapping and there is no '*' entry");
    cluster.connect.deleteConnector("bad-struct");
  }
}
