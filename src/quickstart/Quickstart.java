/*
 * The quickstart: a real single-node KRaft broker and a real distributed Connect worker, each in
 * its own process, the connector installed from its zip on plugin.path, the 26,064 real Open-Meteo
 * messages produced, and the Delta table checked. Run through src/quickstart/run.sh, which builds
 * the zip and the Kafka classpath, compiles this file with LocalKafka.java and runs it.
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class Quickstart {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONNECTOR = "delta-quickstart";
  private static final String TOPIC = "temperatures";
  private static final int PARTITIONS = 6;

  private final Path repo;
  private final Path zip;
  private final Path work;
  private final LocalKafka kafka;

  Quickstart(Path repo, Path zip, Path work, String classpath) {
    this.repo = repo;
    this.zip = zip;
    this.work = work;
    this.kafka = new LocalKafka("quickstart", work, classpath);
  }

  public static void main(String[] args) throws Exception {
    Quickstart q =
        new Quickstart(
            Path.of(args[0]).toAbsolutePath(),
            Path.of(args[1]).toAbsolutePath(),
            Path.of(args[2]).toAbsolutePath(),
            System.getProperty("java.class.path"));
    q.kafka.runAndExit(q::run);
  }

  private void step(String message) {
    kafka.step(message);
  }

  int run() throws Exception {
    Map<String, String> connector = readConnectorConfig();
    Path table = Path.of(URI.create(connector.get("delta.table.location")));
    resetWorkDir(table);
    Path plugins = kafka.unzipPlugin(zip);
    kafka.startBroker();
    kafka.createTopic(TOPIC, PARTITIONS);
    kafka.startWorker(plugins, "512m", List.of());
    String rest = kafka.rest;
    step(
        "Connect worker up on "
            + rest
            + ", DeltaSinkConnector "
            + pluginVersion(rest)
            + " loaded from plugin.path");
    kafka.putConnector(
        CONNECTOR,
        JSON.writeValueAsString(connector),
        Integer.parseInt(connector.getOrDefault("tasks.max", "1")));
    step(
        "Connector registered: PUT /connectors/"
            + CONNECTOR
            + "/config from config/quickstart-connector.json");

    List<String> lines = sampleLines();
    long produceStart = System.nanoTime();
    produce(kafka.bootstrap, lines);
    step("Produced " + lines.size() + " real Open-Meteo messages to '" + TOPIC + "'");

    Map<TopicPartition, Long> ends = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
    }
    try (Admin admin = kafka.admin()) {
      admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    }
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    long[] lastPrinted = {-1};
    kafka.waitFor(
        "the Delta table to hold every message",
        Duration.ofSeconds(120),
        () -> {
          String status = kafka.get(rest + "/connectors/" + CONNECTOR + "/status");
          if (status != null && status.contains("FAILED")) {
            throw new IllegalStateException("a connector task failed: " + status);
          }
          Map<Integer, Long> committed = committedOffsets(rest);
          long done = committed.values().stream().mapToLong(Long::longValue).sum();
          if (done != lastPrinted[0]) {
            step("  committed to Delta: " + done + " / " + total + " records");
            lastPrinted[0] = done;
          }
          for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (committed.getOrDefault(e.getKey().partition(), 0L) < e.getValue()) {
              return false;
            }
          }
          return true;
        });
    double seconds = (System.nanoTime() - produceStart) / 1e9;
    return summary(table, committedOffsets(rest), lines.size(), seconds);
  }

  private Map<String, String> readConnectorConfig() throws IOException {
    JsonNode n = JSON.readTree(repo.resolve("config/quickstart-connector.json").toFile());
    Map<String, String> out = new TreeMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private void resetWorkDir(Path table) throws IOException {
    LocalKafka.deleteTree(work);
    Files.createDirectories(work);
    // The demo table is recreated every run: a fresh broker restarts offsets at 0, and the table's
    // txn versions would (correctly) skip every record as already written.
    if (table.startsWith(Path.of("/tmp/delta-quickstart"))) {
      LocalKafka.deleteTree(table);
    } else {
      throw new IllegalStateException(
          "the quickstart only deletes tables under /tmp/delta-quickstart, not " + table);
    }
    step("Work directory " + work + "; table " + table + " (recreated)");
  }

  private void produce(String bootstrap, List<String> lines) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      int i = 0;
      for (String l : lines) {
        producer.send(
            new ProducerRecord<>(
                TOPIC, i++ % PARTITIONS, null, l.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  private List<String> sampleLines() throws IOException {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(
                    Files.newInputStream(
                        repo.resolve("config/sample-data/open-meteo/temperatures-2023.jsonl.gz"))),
                StandardCharsets.UTF_8))) {
      return r.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  /**
   * Offsets Connect committed for the connector: the sink reports only offsets whose rows are in
   * Delta.
   */
  private Map<Integer, Long> committedOffsets(String rest) {
    Map<Integer, Long> out = new TreeMap<>();
    String body = kafka.get(rest + "/connectors/" + CONNECTOR + "/offsets");
    if (body == null) {
      return out;
    }
    try {
      for (JsonNode o : JSON.readTree(body).path("offsets")) {
        out.put(
            o.path("partition").path("kafka_partition").asInt(),
            o.path("offset").path("kafka_offset").asLong());
      }
    } catch (IOException e) {
      // not ready yet
    }
    return out;
  }

  private String pluginVersion(String rest) {
    try {
      for (JsonNode n : JSON.readTree(kafka.get(rest + "/connector-plugins"))) {
        if (n.path("class").asText().endsWith("DeltaSinkConnector")) {
          return n.path("version").asText();
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "?";
  }

  /** Reads the table's Delta log (the JSON commits) and prints what a user wants to know. */
  private int summary(Path table, Map<Integer, Long> committed, int produced, double seconds)
      throws IOException {
    LocalKafka.DeltaLogSummary log = LocalKafka.deltaLog(table);
    long rows = log.rows();
    long versions = log.versions();
    System.out.println();
    System.out.println("==================== quickstart summary ====================");
    System.out.printf("Delta table        %s%n", table.toUri());
    System.out.printf("rows               %,d (produced %,d)%n", rows, produced);
    System.out.printf(
        "data files         %,d Parquet files, %.1f MB%n", log.files(), log.bytes() / 1e6);
    System.out.printf("Delta versions     %d (0..%d)%n", versions, versions - 1);
    for (Map.Entry<Integer, Long> e : committed.entrySet()) {
      String appId = CONNECTOR + "/" + TOPIC + "/" + e.getKey();
      System.out.printf(
          "partition %d        committed offset %d (Kafka), txn version %s (Delta)%n",
          e.getKey(), e.getValue(), log.txn().getOrDefault(appId, -1L));
    }
    System.out.printf(
        "elapsed            %.1f s from first produce to every row committed; %.0f records/s%n",
        seconds, produced / seconds);
    System.out.printf("total run time     %.1f s%n", LocalKafka.secondsSinceStart());
    System.out.println("Read it with Spark: spark.read.format(\"delta\").load(\"" + table + "\")");
    System.out.println("=============================================================");
    if (rows != produced) {
      step("FAILED: the table holds " + rows + " rows, expected " + produced);
      return 1;
    }
    return 0;
  }
}
