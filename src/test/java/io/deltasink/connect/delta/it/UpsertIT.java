package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SampleData;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
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
 * Upsert by key through a real Connect worker (a child JVM, so that it can be killed), on the
 * project's real data, as the streaming-merge experiment this project comes from does it: the
 * 2019-2022 hourly temperatures (210,384 rows) appended into a table, then the 26,064 messages of
 * 2023 upserted by {@code latitude,longitude,time} (236,448 rows, 39,408 per location), then the
 * 2023 messages again with changed temperatures (still 236,448 rows, every 2023 temperature the new
 * one), then once more with the worker killed by SIGKILL halfway, and finally tombstones that
 * delete a city's January. Each message's Kafka key is its key columns as JSON, so Kafka's default
 * partitioner sends a key to one partition.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpsertIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(240);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final int PARTITIONS = 6;
  private static final String MAPPING =
      SampleData.MAPPING_COMMAND.replace("'temperatures_mapping'", "'m'");
  private ConnectCluster cluster;
  private ChildWorker worker;
  @TempDir Path tmp;

  @BeforeAll
  void start() throws Exception {
    cluster = new ConnectCluster("upsert-it", 1);
    worker =
        new ChildWorker(
            cluster, "upsert-workers", Files.createDirectories(Path.of("target/upsert-it")));
  }

  @AfterAll
  void stop() throws InterruptedException {
    worker.close();
    cluster.close();
  }

  private Map<String, String> config(String topic, String location) {
    Map<String, String> c = ConnectCluster.sinkConfig(topic, location, 2);
    c.put(ConnectorConfig.VALUE_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
    c.put("value.converter.schemas.enable", "false");
    c.put("delta.table.mapping", "m");
    c.put("delta.mappings.m", MAPPING);
    c.remove("delta.kafka.columns");
    return fastFailover(c);
  }

  /** A killed worker's consumers leave the group after 6 s, not the default 45 s. */
  private static Map<String, String> fastFailover(Map<String, String> c) {
    c.put("consumer.override.session.timeout.ms", "6000");
    c.put("consumer.override.heartbeat.interval.ms", "1000");
    return c;
  }

  /** The message's key columns as a JSON object: its Kafka key (a tombstone's too). */
  private static byte[] kafkaKey(JsonNode m) throws IOException {
    ObjectNode k = JSON.createObjectNode();
    k.set("latitude", m.get("latitude"));
    k.set("longitude", m.get("longitude"));
    k.set("time", m.get("time"));
    return JSON.writeValueAsBytes(k);
  }

  /** The message's key columns as text, as the table's row gives them, for the checks. */
  private static String key(JsonNode m) {
    return m.get("latitude").decimalValue().stripTrailingZeros().toPlainString()
        + ","
        + m.get("longitude").decimalValue().stripTrailingZeros().toPlainString()
        + ","
        + m.get("time").asText();
  }

  /**
   * Produces {@code lines} keyed by their key columns, with {@code delta} added to each temperature
   * (a missing one counts as 0) unless {@code delta} is null; returns key to temperature as sent.
   */
  private Map<String, BigDecimal> produce(String topic, List<String> lines, BigDecimal delta)
      throws IOException {
    Map<String, BigDecimal> sent = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      for (String l : lines) {
        ObjectNode m = (ObjectNode) JSON.readTree(l);
        if (delta != null) {
          BigDecimal t =
              m.hasNonNull("temperature_2m")
                  ? m.get("temperature_2m").decimalValue()
                  : BigDecimal.ZERO;
          m.put("temperature_2m", t.add(delta));
        }
        String key = key(m);
        sent.put(
            key, m.hasNonNull("temperature_2m") ? m.get("temperature_2m").decimalValue() : null);
        p.send(
            new ProducerRecord<>(
                topic, kafkaKey(m), JSON.writeValueAsString(m).getBytes(StandardCharsets.UTF_8)));
      }
      p.flush();
    }
    return sent;
  }

  /** Tombstones for the keys of {@code lines}; removes them from {@code expected}. */
  private void tombstones(String topic, List<String> lines, Map<String, BigDecimal> expected)
      throws IOException {
    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      for (String l : lines) {
        JsonNode m = JSON.readTree(l);
        expected.remove(key(m));
        p.send(new ProducerRecord<>(topic, kafkaKey(m), null));
      }
      p.flush();
    }
  }

  /**
   * Reads the table as a user checks it: one row per key, the rows of {@code expected} and no
   * other, every temperature the one last sent for its key.
   */
  private void assertTable(String location, Map<String, BigDecimal> expected) {
    Map<String, Integer> expectedPerLocation = expectedCounts(expected);
    List<Map<String, Object>> rows = new KernelReader(location).rows();
    Map<String, Integer> perLocation = new TreeMap<>();
    Set<String> keys = new HashSet<>();
    int wrong = 0;
    for (Map<String, Object> r : rows) {
      String lat = ((BigDecimal) r.get("latitude")).stripTrailingZeros().toPlainString();
      String lon = ((BigDecimal) r.get("longitude")).stripTrailingZeros().toPlainString();
      String key = lat + "," + lon + "," + r.get("time");
      assertThat(keys.add(key)).as("key %s once", key).isTrue();
      perLocation.merge(lat + "," + lon, 1, Integer::sum);
      assertThat(expected).as("key %s was sent", key).containsKey(key);
      BigDecimal want = expected.get(key);
      BigDecimal got = (BigDecimal) r.get("temperature_2m");
      if (want == null ? got != null : got == null || want.compareTo(got) != 0) {
        wrong++;
      }
    }
    assertThat(rows).hasSize(expected.size());
    assertThat(perLocation).isEqualTo(expectedPerLocation);
    assertThat(wrong).as("rows whose temperature is not the last one sent").isZero();
  }

  /** Sums {@code operationParameters.numTargetBytesRewritten} and counts the MERGE commits. */
  private static long[] merges(Path table) throws IOException {
    long bytes = 0;
    long commits = 0;
    try (Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        JsonNode info = JSON.readTree(Files.readAllLines(f).get(0)).path("commitInfo");
        if (info.path("operation").asText().equals("MERGE")) {
          commits++;
          bytes += info.path("operationParameters").path("numTargetBytesRewritten").asLong();
        }
      }
    }
    return new long[] {commits, bytes};
  }

  private static double seconds(long startNs) {
    return (System.nanoTime() - startNs) / 1e9;
  }

  @Test
  void theRealStreamIsMergedByKeyExactlyOnceThroughReplaysAndAKill() throws Exception {
    Path table = tmp.resolve("temperatures");
    String location = table.toUri().toString();
    List<String> base = SampleData.hourly2019To2022Lines();
    List<String> stream = SampleData.temperatureLines();
    assertThat(base).hasSize(210_384);
    cluster.createTopic("temps-base", PARTITIONS);
    cluster.createTopic("temps-2023", PARTITIONS);
    worker.start(0, "512m", List.of());

    // 1. The 2019-2022 base table, appended.
    long t0 = System.nanoTime();
    Map<String, BigDecimal> expected = produce("temps-base", base, null);
    worker.putConnector("base", config("temps-base", location));
    cluster.awaitCommitted(location, "base", "temps-base", PARTITIONS, TIMEOUT);
    System.out.printf("[measure] base table: 210,384 rows appended in %.1f s%n", seconds(t0));
    assertThat(new KernelReader(location).rows()).hasSize(210_384);

    // 2. The 2023 stream, upserted with the shipped example (config/upsert-connector.json): new
    // keys, so rows are added.
    Map<String, String> upsert = new HashMap<>();
    JSON.readTree(Path.of("config/upsert-connector.json").toFile())
        .fields()
        .forEachRemaining(e -> upsert.put(e.getKey(), e.getValue().asText()));
    assertThat(upsert).containsEntry("delta.write.mode", "upsert");
    upsert.put("topics", "temps-2023");
    upsert.put("delta.table.location", location);
    upsert.put("delta.flush.interval.ms", "1000");
    fastFailover(upsert);
    long t1 = System.nanoTime();
    expected.putAll(produce("temps-2023", stream, null));
    worker.putConnector("upsert", upsert);
    cluster.awaitCommitted(location, "upsert", "temps-2023", PARTITIONS, TIMEOUT);
    long[] m1 = merges(table);
    System.out.printf(
        "[measure] 2023 stream upserted: 26,064 records in %.1f s, %d MERGE commits, %,d bytes rewritten%n",
        seconds(t1), m1[0], m1[1]);
    assertThat(expected).hasSize(236_448);
    assertThat(new java.util.HashSet<>(expectedCounts(expected).values())).containsExactly(39_408);
    assertTable(location, expected);

    // 3. The 2023 messages again with every temperature changed: the same rows, new values.
    long t2 = System.nanoTime();
    expected.putAll(produce("temps-2023", stream, new BigDecimal("100")));
    cluster.awaitCommitted(location, "upsert", "temps-2023", PARTITIONS, TIMEOUT);
    long[] m2 = merges(table);
    System.out.printf(
        "[measure] 2023 stream replayed with new temperatures: 26,064 records in %.1f s, %d MERGE commits, %,d bytes rewritten%n",
        seconds(t2), m2[0] - m1[0], m2[1] - m1[1]);
    assertTable(location, expected);

    // 4. Once more, with the worker killed after part of it landed.
    long t3 = System.nanoTime();
    Map<Integer, Long> before =
        ConnectCluster.committedOffsets(location, "upsert", "temps-2023", PARTITIONS);
    expected.putAll(
        produce("temps-2023", stream.subList(0, stream.size() / 2), new BigDecimal("200")));
    ConnectCluster.waitFor(
        TIMEOUT,
        "part of the third pass committed",
        () -> {
          Map<Integer, Long> now =
              ConnectCluster.committedOffsets(location, "upsert", "temps-2023", PARTITIONS);
          return now.entrySet().stream().anyMatch(e -> e.getValue() > before.get(e.getKey()));
        });
    worker.kill();
    expected.putAll(
        produce(
            "temps-2023", stream.subList(stream.size() / 2, stream.size()), new BigDecimal("200")));
    worker.start(1, "512m", List.of());
    cluster.awaitCommitted(location, "upsert", "temps-2023", PARTITIONS, TIMEOUT);
    long[] m3 = merges(table);
    System.out.printf(
        "[measure] third pass with a SIGKILL halfway: 26,064 records in %.1f s (restart included), %d MERGE commits, %,d bytes rewritten%n",
        seconds(t3), m3[0] - m2[0], m3[1] - m2[1]);
    assertThat(expected).hasSize(236_448);
    assertTable(location, expected);

    // 5. Tombstones delete Bangalore's January 2023.
    List<String> january =
        stream.stream()
            .filter(l -> l.contains("\"latitude\":13.0,") && l.contains("\"time\":\"2023-01-"))
            .toList();
    assertThat(january).hasSize(744);
    long t4 = System.nanoTime();
    tombstones("temps-2023", january, expected);
    cluster.awaitCommitted(location, "upsert", "temps-2023", PARTITIONS, TIMEOUT);
    System.out.printf(
        "[measure] 744 tombstones: %.1f s; %,d rows left, Bangalore %,d%n",
        seconds(t4), expected.size(), expectedCounts(expected).get("13,77.600006"));
    assertThat(expected).hasSize(236_448 - 744);
    assertTable(location, expected);
  }

  private static Map<String, Integer> expectedCounts(Map<String, BigDecimal> expected) {
    Map<String, Integer> out = new TreeMap<>();
    expected.keySet().forEach(k -> out.merge(k.substring(0, k.lastIndexOf(',')), 1, Integer::sum));
    return out;
  }
}
