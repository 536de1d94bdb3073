package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SampleData;
import java.math.BigDecimal;
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
 * Schema evolution through a real Connect worker, on the real Open-Meteo messages: a topic whose
 * Connect schema ({@code JsonConverter}, {@code schemas.enable=true}) gains an optional field, then
 * a struct, then a field inside that struct while an int widens to a long; and a Kusto mapping
 * edited through {@code PUT /connectors/<name>/config}. Read back with Kernel: every offset once,
 * earlier rows null in later columns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaEvolutionIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(180);
  private static final ObjectMapper JSON = new ObjectMapper();
  private ConnectCluster cluster;
  private List<String> lines;
  @TempDir Path tmp;

  @BeforeAll
  void start() {
    cluster = new ConnectCluster("schema-evolution-it", 1);
    lines = SampleData.temperatureLines();
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /** Stage 1..4 of the line at {@code index}: a quarter of the sample each. */
  private int stage(int index) {
    return 1 + index * 4 / lines.size();
  }

  /**
   * The line as a {@code JsonConverter} envelope with the schema of its stage: 1 the message's own
   * fields; 2 plus {@code hour} (int32); 3 plus a struct {@code place} with {@code lat}; 4 {@code
   * hour} as int64 and {@code place.lon} too.
   */
  private byte[] envelope(int index) throws Exception {
    int stage = stage(index);
    ObjectNode payload = (ObjectNode) JSON.readTree(lines.get(index));
    ObjectNode schema = messageSchema();
    var fields = (com.fasterxml.jackson.databind.node.ArrayNode) schema.get("fields");
    int hour = Integer.parseInt(payload.path("time").asText().substring(11, 13));
    if (stage >= 2) {
      fields
          .addObject()
          .put("field", "hour")
          .put("type", stage == 4 ? "int64" : "int32")
          .put("optional", true);
      payload.put("hour", hour);
    }
    if (stage >= 3) {
      ObjectNode place =
          fields.addObject().put("field", "place").put("type", "struct").put("optional", true);
      var inner = place.putArray("fields");
      inner.addObject().put("field", "lat").put("type", "double").put("optional", false);
      ObjectNode value = payload.putObject("place").put("lat", payload.path("latitude").asDouble());
      if (stage == 4) {
        inner.addObject().put("field", "lon").put("type", "double").put("optional", true);
        value.put("lon", payload.path("longitude").asDouble());
      }
    }
    return envelope(schema, payload);
  }

  private void produce(String topic, int from, int to, boolean envelopes) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      for (int i = from; i < to; i++) {
        byte[] value = envelopes ? envelope(i) : lines.get(i).getBytes(StandardCharsets.UTF_8);
        p.send(new ProducerRecord<>(topic, i % 2, null, value));
      }
      p.flush();
    }
  }

  /** Line index by (latitude, time), which identify a message. */
  private Map<String, Integer> lineIndex() throws Exception {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      JsonNode n = JSON.readTree(lines.get(i));
      out.put(
          n.path("latitude").asDouble()
              + "|"
              + n.path("longitude").asDouble()
              + "|"
              + n.path("time").asText(),
          i);
    }
    return out;
  }

  @Test
  void aConnectSchemaGainsAFieldAStructANestedFieldAndAWiderIntMidStream() throws Exception {
    String topic = "evolving";
    String loc = tmp.resolve("weather/evolving").toUri().toString();
    cluster.createTopic(topic, 2);
    Map<String, String> config = ConnectCluster.sinkConfig(topic, loc, 2);
    config.put("delta.schema.evolution", "add-and-widen");
    config.put("delta.table.properties.delta.enableTypeWidening", "true");
    cluster.connect.configureConnector("evolving", config);
    int quarter = lines.size() / 4;
    produce(topic, 0, quarter, true);
    cluster.awaitCommitted(loc, "evolving", topic, 2, TIMEOUT);
    long start = System.nanoTime();
    produce(topic, quarter, lines.size(), true); // stages 2, 3 and 4 in one stream
    cluster.awaitCommitted(loc, "evolving", topic, 2, TIMEOUT);
    System.out.printf(
        "[measure] %,d records over three schema changes: %.1f s%n",
        lines.size() - quarter, (System.nanoTime() - start) / 1e9);
    cluster.connect.deleteConnector("evolving");

    KernelReader reader = new KernelReader(loc);
    var schema = reader.snapshot().getSchema();
    assertThat(schema.fieldNames())
        .containsExactly(
            "latitude",
            "longitude",
            "time",
            "temperature_2m",
            "kafka_topic",
            "kafka_partition",
            "kafka_offset",
            "hour",
            "place");
    assertThat(schema.get("hour").getDataType().toString()).isEqualTo("long");
    assertThat(schema.get("place").getDataType().toString()).contains("lat").contains("lon");
    List<Map<String, Object>> rows = reader.rows();
    ExactlyOnce.assertEachOffsetOnce(rows, cluster.endOffsets(topic, 2));
    assertThat(rows).hasSize(lines.size());
    Map<String, Integer> index = lineIndex();
    for (Map<String, Object> row : rows) {
      int i = index.get(row.get("latitude") + "|" + row.get("longitude") + "|" + row.get("time"));
      JsonNode line = JSON.readTree(lines.get(i));
      int stage = stage(i);
      // JsonConverter reads numbers as exact decimals, in which -0.0 is 0.0.
      Object temperature = row.get("temperature_2m");
      assertThat(temperature == null ? null : (Double) temperature + 0.0)
          .isEqualTo(
              line.hasNonNull("temperature_2m")
                  ? line.get("temperature_2m").asDouble() + 0.0
                  : null);
      Object hour = row.get("hour");
      if (stage == 1) {
        assertThat(hour).isNull();
      } else {
        assertThat(hour).isEqualTo(Long.parseLong(line.path("time").asText().substring(11, 13)));
      }
      String place = String.valueOf(row.get("place"));
      switch (stage) {
        case 1, 2 -> assertThat(row.get("place")).isNull();
        case 3 -> assertThat(place).contains("lat=" + row.get("latitude")).contains("lon=null");
        default ->
            assertThat(place)
                .contains("lat=" + row.get("latitude"))
                .contains("lon=" + row.get("longitude"));
      }
    }
  }

  @Test
  void aKustoMappingEditedThroughTheRestApiAddsItsNewColumn() throws Exception {
    String topic = "mapped";
    String loc = tmp.resolve("weather/mapped").toUri().toString();
    cluster.createTopic(topic, 2);
    String withoutTemperature =
        ".create table ['temperatures'] ingestion json mapping 'm' "
            + "'[{\"column\":\"latitude\",\"path\":\"$.latitude\",\"datatype\":\"decimal\"},"
            + "{\"column\":\"longitude\",\"path\":\"$.longitude\",\"datatype\":\"decimal\"},"
            + "{\"column\":\"time\",\"path\":\"$.time\",\"datatype\":\"string\"}]'";
    Map<String, String> config = ConnectCluster.sinkConfig(topic, loc, 2);
    config.put(ConnectorConfig.VALUE_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
    config.put("delta.table.mapping", "m");
    config.put("delta.mappings.m", withoutTemperature);
    cluster.connect.configureConnector("mapped", config);
    int half = lines.size() / 2;
    produce(topic, 0, half, false);
    cluster.awaitCommitted(loc, "mapped", topic, 2, TIMEOUT);
    assertThat(new KernelReader(loc).snapshot().getSchema().fieldNames())
        .doesNotContain("temperature_2m");

    // The user adds the column to the mapping: PUT /connectors/mapped/config, as in the docs
    // (stopped around the edit so that every later message is read with the new mapping: a
    // stopped connector's tasks are gone, and resuming it starts tasks from the new config).
    cluster.connect.stopConnector("mapped");
    cluster.connect.assertions().assertConnectorIsStopped("mapped", "the connector did not stop");
    config.put(
        "delta.mappings.m", SampleData.MAPPING_COMMAND.replace("'temperatures_mapping'", "'m'"));
    cluster.connect.configureConnector("mapped", config);
    produce(topic, half, lines.size(), false);
    cluster.connect.resumeConnector("mapped");
    cluster.awaitCommitted(loc, "mapped", topic, 2, TIMEOUT);
    cluster.connect.deleteConnector("mapped");

    KernelReader reader = new KernelReader(loc);
    assertThat(reader.snapshot().getSchema().fieldNames()).endsWith("temperature_2m");
    List<Map<String, Object>> rows = reader.rows();
    ExactlyOnce.assertEachOffsetOnce(rows, cluster.endOffsets(topic, 2));
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      JsonNode n = JSON.readTree(lines.get(i));
      index.put(
          key(
              n.path("latitude").decimalValue(),
              n.path("longitude").decimalValue(),
              n.path("time").asText()),
          i);
    }
    int withTemperature = 0;
    List<String> nullAfter = new java.util.ArrayList<>();
    for (Map<String, Object> row : rows) {
      int i =
          index.get(
              key(
                  (BigDecimal) row.get("latitude"),
                  (BigDecimal) row.get("longitude"),
                  (String) row.get("time")));
      JsonNode line = JSON.readTree(lines.get(i));
      Object t = row.get("temperature_2m");
      if (i < half || !line.hasNonNull("temperature_2m")) {
        assertThat(t).as("line %d", i).isNull();
      } else if (t == null) {
        nullAfter.add(i + "@" + row.get("kafka_partition") + "/" + row.get("kafka_offset"));
      } else {
        assertThat(((BigDecimal) t).compareTo(line.get("temperature_2m").decimalValue()))
            .as("line %d", i)
            .isZero();
        withTemperature++;
      }
    }
    assertThat(nullAfter).as("rows after the edit without their temperature").isEmpty();
    assertThat(rows).hasSize(lines.size());
    assertThat(withTemperature).isPositive();
    System.out.printf(
        "[measure] mapping edit: %,d rows before it without temperature_2m, %,d after with a value%n",
        half, withTemperature);
  }

  private static String key(BigDecimal latitude, BigDecimal longitude, String time) {
    return latitude.stripTrailingZeros().toPlainString()
        + "|"
        + longitude.stripTrailingZeros().toPlainString()
        + "|"
        + time;
  }

  /** The line with the message's own fields and, when {@code field} is set, one more. */
  private byte[] withField(int index, String field, String type, Object value) throws Exception {
    ObjectNode payload = (ObjectNode) JSON.readTree(lines.get(index));
    ObjectNode schema = messageSchema();
    var fields = (com.fasterxml.jackson.databind.node.ArrayNode) schema.get("fields");
    if (field != null) {
      fields.addObject().put("field", field).put("type", type).put("optional", true);
      payload.set(field, JSON.valueToTree(value));
    }
    return envelope(schema, payload);
  }

  /**
   * Two connectors (two tasks each) write one table at the same time, each adding its own column
   * mid-stream: both columns land once, every record once, each connector's rows with its value.
   */
  @Test
  void twoConnectorsAddingDifferentColumnsToOneTableAtOnce() throws Exception {
    String loc = tmp.resolve("weather/shared").toUri().toString();
    int half = lines.size() / 2;
    Map<String, Integer> firstLine = Map.of("station-a", 0, "station-b", half);
    for (String name : List.of("station-a", "station-b")) {
      cluster.createTopic(name, 2);
      cluster.connect.configureConnector(name, ConnectCluster.sinkConfig(name, loc, 2));
    }
    Thread[] producers = new Thread[2];
    for (int c = 0; c < 2; c++) {
      String topic = c == 0 ? "station-a" : "station-b";
      int from = firstLine.get(topic);
      producers[c] =
          new Thread(
              () -> {
                try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
                  for (int i = from; i < from + half; i++) {
                    boolean evolved = i - from >= 2_000;
                    byte[] v =
                        topic.equals("station-a")
                            ? withField(i, evolved ? "source_a" : null, "string", "a")
                            : withField(i, evolved ? "source_b" : null, "int32", 2);
                    p.send(new ProducerRecord<>(topic, i % 2, null, v));
                  }
                  p.flush();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      producers[c].start();
    }
    for (Thread t : producers) {
      t.join();
    }
    cluster.awaitCommitted(loc, "station-a", "station-a", 2, TIMEOUT);
    cluster.awaitCommitted(loc, "station-b", "station-b", 2, TIMEOUT);
    cluster.connect.deleteConnector("station-a");
    cluster.connect.deleteConnector("station-b");

    KernelReader reader = new KernelReader(loc);
    assertThat(reader.snapshot().getSchema().fieldNames())
        .containsOnlyOnce("source_a", "source_b")
        .hasSize(9);
    List<Map<String, Object>> rows = reader.rows();
    assertThat(rows).hasSize(2 * half);
    assertThat(
            rows.stream()
                .map(
                    r ->
                        r.get("kafka_topic")
                            + "/"
                            + r.get("kafka_partition")
                            + "/"
                            + r.get("kafka_offset"))
                .distinct()
                .count())
        .isEqualTo(2L * half);
    for (String topic : List.of("station-a", "station-b")) {
      List<Map<String, Object>> mine =
          rows.stream().filter(r -> topic.equals(r.get("kafka_topic"))).toList();
      assertThat(mine).hasSize(half);
      String own = topic.equals("station-a") ? "source_a" : "source_b";
      String other = topic.equals("station-a") ? "source_b" : "source_a";
      assertThat(mine).allSatisfy(r -> assertThat(r.get(other)).isNull());
      assertThat(mine.stream().filter(r -> r.get(own) != null).count())
          .as("rows of %s with %s", topic, own)
          .isEqualTo(half - 2_000L);
    }
  }

  /** The {@code JsonConverter} schema of the message's own fields. */
  private static ObjectNode messageSchema() {
    ObjectNode schema = JSON.createObjectNode().put("type", "struct").put("optional", false);
    var fields = schema.putArray("fields");
    fields.addObject().put("field", "latitude").put("type", "double").put("optional", false);
    fields.addObject().put("field", "longitude").put("type", "double").put("optional", false);
    fields.addObject().put("field", "time").put("type", "string").put("optional", false);
    fields.addObject().put("field", "temperature_2m").put("type", "double").put("optional", true);
    return schema;
  }

  private static byte[] envelope(ObjectNode schema, ObjectNode payload) throws Exception {
    ObjectNode envelope = JSON.createObjectNode();
    envelope.set("schema", schema);
    envelope.set("payload", payload);
    return JSON.writeValueAsBytes(envelope);
  }
}
