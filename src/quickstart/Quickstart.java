/*
 * The quickstart: a real single-node KRaft broker and a real distributed Connect worker, each in
 * its own process, the connector installed from its zip on plugin.path, the 26,064 real Open-Meteo
 * messages produced, and the Delta table checked. Run through src/quickstart/run.sh, which builds
 * the zip and the Kafka classpath and starts this file with `java -cp <kafka classpath> Quickstart.java`.
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
  private static final long START = System.nanoTime();

  private final Path repo;
  private final Path zip;
  private final Path work;
  private final String classpath;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Quickstart(Path repo, Path zip, Path work, String classpath) {
    this.repo = repo;
    this.zip = zip;
    this.work = work;
    this.classpath = classpath;
  }

  public static void main(String[] args) throws Exception {
    Quickstart q = new Quickstart(Path.of(args[0]).toAbsolutePath(), Path.of(args[1]).toAbsolutePath(),
        Path.of(args[2]).toAbsolutePath(), System.getProperty("java.class.path"));
    Runtime.getRuntime().addShutdownHook(new Thread(q::stopAll));
    int rc = 1;
    try {
      rc = q.run();
    } catch (Exception e) {
      step("FAILED: " + e);
      q.dumpLogs();
    } finally {
      q.stopAll();
    }
    System.exit(rc);
  }

  static void step(String message) {
    System.out.printf("[quickstart %5.1fs] %s%n", (System.nanoTime() - START) / 1e9, message);
    System.out.flush();
  }

  int run() throws Exception {
    Map<String, String> connector = readConnectorConfig();
    Path table = Path.of(URI.create(connector.get("delta.table.location")));
    resetWorkDir(table);
    Path plugins = unzipPlugin();

    int brokerPort = freePort();
    int controllerPort = freePort();
    int restPort = freePort();
    String bootstrap = "localhost:" + brokerPort;
    startBroker(brokerPort, controllerPort);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      waitFor("the broker", Duration.ofSeconds(60), () -> {
        try {
          return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
          return false;
        }
      });
      step("Broker up on " + bootstrap);
      admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
      waitFor("partition leaders", Duration.ofSeconds(30), () -> {
        try {
          return admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().stream()
              .allMatch(p -> p.leader() != null);
        } catch (Exception e) {
          return false;
        }
      });
      step("Topic '" + TOPIC + "' created with " + PARTITIONS + " partitions");

      startWorker(bootstrap, restPort, plugins);
      String rest = "http://localhost:" + restPort;
      waitFor("the Connect worker to load the plugin", Duration.ofSeconds(90), () -> {
        String body = get(rest + "/connector-plugins");
        return body != null && body.contains("io.deltasink.connect.delta.DeltaSinkConnector");
      });
      step("Connect worker up on " + rest + ", DeltaSinkConnector " + pluginVersion(rest) + " loaded from plugin.path");

      String putBody = JSON.writeValueAsString(connector);
      HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(rest + "/connectors/" + CONNECTOR + "/config"))
          .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(putBody)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (put.statusCode() / 100 != 2) {
        throw new IllegalStateException("PUT /connectors/" + CONNECTOR + "/config answered " + put.statusCode() + ": " + put.body());
      }
      step("Connector registered: PUT /connectors/" + CONNECTOR + "/config from config/quickstart-connector.json");
      waitFor("the connector and its tasks to run", Duration.ofSeconds(60), () -> {
        String s = get(rest + "/connectors/" + CONNECTOR + "/status");
        return s != null && s.contains("\"tasks\":[{") && !s.contains("FAILED") && !s.contains("UNASSIGNED")
            && s.split("RUNNING", -1).length - 1 >= 1 + Integer.parseInt(connector.getOrDefault("tasks.max", "1"));
      });

      List<String> lines = sampleLines();
      long produceStart = System.nanoTime();
      produce(bootstrap, lines);
      step("Produced " + lines.size() + " real Open-Meteo messages to '" + TOPIC + "'");

      Map<TopicPartition, Long> ends = new HashMap<>();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
      }
      admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
      long total = ends.values().stream().mapToLong(Long::longValue).sum();
      long[] lastPrinted = {-1};
      waitFor("the Delta table to hold every message", Duration.ofSeconds(120), () -> {
        String status = get(rest + "/connectors/" + CONNECTOR + "/status");
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
  }

  private Map<String, String> readConnectorConfig() throws IOException {
    JsonNode n = JSON.readTree(repo.resolve("config/quickstart-connector.json").toFile());
    Map<String, String> out = new TreeMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private void resetWorkDir(Path table) throws IOException {
    deleteTree(work);
    Files.createDirectories(work);
    // The demo table is recreated every run: a fresh broker restarts offsets at 0, and the table's
    // txn versions would (correctly) skip every record as already written.
    if (table.startsWith(Path.of("/tmp/delta-quickstart"))) {
      deleteTree(table);
    } else {
      throw new IllegalStateException("the quickstart only deletes tables under /tmp/delta-quickstart, not " + table);
    }
    step("Work directory " + work + "; table " + table + " (recreated)");
  }

  private Path unzipPlugin() throws IOException {
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        Path out = plugins.resolve(e.getName()).normalize();
        if (!out.startsWith(plugins)) {
          throw new IOException("zip entry outside the plugin folder: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(in, out);
        }
      }
    }
    step("Plugin unpacked from " + repo.relativize(zip) + " (" + Files.size(zip) / (1024 * 1024) + " MB) into " + plugins);
    return plugins;
  }

  private void startBroker(int brokerPort, int controllerPort) throws Exception {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@localhost:" + controllerPort);
    p.setProperty("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", work.resolve("kraft-logs").toString());
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    Path props = write("server.properties", p);
    Process format = java("kafka-storage-format", "512m", "kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString()
        .replace("-", "").substring(0, 22), "-c", props.toString());
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      throw new IllegalStateException("formatting the KRaft log failed, see " + work.resolve("kafka-storage-format.log"));
    }
    java("broker", "768m", "kafka.Kafka", props.toString());
    step("Starting the KRaft broker (kafka.Kafka), log: " + work.resolve("broker.log"));
  }

  private void startWorker(String bootstrap, int restPort, Path plugins) throws Exception {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrap);
    p.setProperty("group.id", "quickstart-connect");
    p.setProperty("listeners", "http://localhost:" + restPort);
    p.setProperty("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    p.setProperty("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    p.setProperty("config.storage.topic", "connect-configs");
    p.setProperty("offset.storage.topic", "connect-offsets");
    p.setProperty("status.storage.topic", "connect-status");
    p.setProperty("config.storage.replication.factor", "1");
    p.setProperty("offset.storage.replication.factor", "1");
    p.setProperty("status.storage.replication.factor", "1");
    p.setProperty("offset.flush.interval.ms", "1000");
    p.setProperty("plugin.path", plugins.toString());
    // KIP-898: find plugins only through their service manifests, as newer workers do.
    p.setProperty("plugin.discovery", "service_load");
    Path props = write("worker.properties", p);
    java("connect", "512m", "org.apache.kafka.connect.cli.ConnectDistributed", props.toString());
    step("Starting the Connect worker (ConnectDistributed, plugin.path=" + plugins + "), log: " + work.resolve("connect.log"));
  }

  private Process java(String name, String heap, String mainClass, String... args) throws IOException {
    Path log4j = work.resolve("log4j2.properties");
    if (!Files.exists(log4j)) {
      Files.writeString(log4j, String.join("\n",
          "rootLogger.level = info", "rootLogger.appenderRef.out.ref = out", "appender.out.type = Console",
          "appender.out.name = out", "appender.out.layout.type = PatternLayout",
          "appender.out.layout.pattern = [%d] %p %m (%c{1})%n", "logger.kafka.name = org.apache.kafka", "logger.kafka.level = warn",
          "logger.kserver.name = kafka", "logger.kserver.level = warn", "logger.connect.name = org.apache.kafka.connect.runtime",
          "logger.connect.level = info", "logger.sink.name = io.deltasink", "logger.sink.level = info",
          "logger.rest.name = org.apache.kafka.connect.runtime.rest.RestServer", "logger.rest.level = warn", ""));
    }
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-Dlog4j2.configurationFile=" + log4j, "-cp", classpath, mainClass));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
    processes.add(p);
    return p;
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
        producer.send(new ProducerRecord<>(TOPIC, i++ % PARTITIONS, null, l.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  private List<String> sampleLines() throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        Files.newInputStream(repo.resolve("config/sample-data/open-meteo/temperatures-2023.jsonl.gz"))), StandardCharsets.UTF_8))) {
      return r.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  /** Offsets Connect committed for the connector: the sink reports only offsets whose rows are in Delta. */
  private Map<Integer, Long> committedOffsets(String rest) {
    Map<Integer, Long> out = new TreeMap<>();
    String body = get(rest + "/connectors/" + CONNECTOR + "/offsets");
    if (body == null) {
      return out;
    }
    try {
      for (JsonNode o : JSON.readTree(body).path("offsets")) {
        out.put(o.path("partition").path("kafka_partition").asInt(), o.path("offset").path("kafka_offset").asLong());
      }
    } catch (IOException e) {
      // not ready yet
    }
    return out;
  }

  private String pluginVersion(String rest) {
    try {
      for (JsonNode n : JSON.readTree(get(rest + "/connector-plugins"))) {
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
  private int summary(Path table, Map<Integer, Long> committed, int produced, double seconds) throws IOException {
    long versions = 0;
    long files = 0;
    long rows = 0;
    long bytes = 0;
    Map<String, Long> txn = new TreeMap<>();
    try (Stream<Path> s = Files.list(table.resolve("_delta_log"))) {
      for (Path f : s.filter(x -> x.getFileName().toString().matches("\\d{20}\\.json")).sorted().toList()) {
        versions++;
        for (String line : Files.readAllLines(f)) {
          JsonNode a = JSON.readTree(line);
          if (a.has("add")) {
            files++;
            bytes += a.get("add").path("size").asLong();
            rows += JSON.readTree(a.get("add").path("stats").asText("{}")).path("numRecords").asLong();
          } else if (a.has("txn")) {
            txn.put(a.get("txn").path("appId").asText(), a.get("txn").path("version").asLong());
          }
        }
      }
    }
    System.out.println();
    System.out.println("==================== quickstart summary ====================");
    System.out.printf("Delta table        %s%n", table.toUri());
    System.out.printf("rows               %,d (produced %,d)%n", rows, produced);
    System.out.printf("data files         %,d Parquet files, %.1f MB%n", files, bytes / 1e6);
    System.out.printf("Delta versions     %d (0..%d)%n", versions, versions - 1);
    for (Map.Entry<Integer, Long> e : committed.entrySet()) {
      String appId = CONNECTOR + "/" + TOPIC + "/" + e.getKey();
      System.out.printf("partition %d        committed offset %d (Kafka), txn version %s (Delta)%n", e.getKey(), e.getValue(),
          txn.getOrDefault(appId, -1L));
    }
    System.out.printf("elapsed            %.1f s from first produce to every row committed; %.0f records/s%n", seconds,
        produced / seconds);
    System.out.printf("total run time     %.1f s%n", (System.nanoTime() - START) / 1e9);
    System.out.println("Read it with Spark: spark.read.format(\"delta\").load(\"" + table + "\")");
    System.out.println("=============================================================");
    if (rows != produced) {
      step("FAILED: the table holds " + rows + " rows, expected " + produced);
      return 1;
    }
    return 0;
  }

  private String get(String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (Exception e) {
      return null;
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private void waitFor(String what, Duration timeout, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.ok()) {
      for (Process p : processes) {
        if (!p.isAlive() && p.exitValue() != 0) {
          throw new IllegalStateException("a Kafka process exited with code " + p.exitValue() + " while waiting for " + what);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(500);
    }
  }

  private Path write(String name, Properties p) throws IOException {
    Path f = work.resolve(name);
    try (var out = Files.newBufferedWriter(f)) {
      p.store(out, "written by the quickstart");
    }
    return f;
  }

  private void dumpLogs() {
    for (String log : List.of("broker.log", "connect.log")) {
      Path f = work.resolve(log);
      try {
        List<String> lines = Files.readAllLines(f);
        System.out.println("---- last lines of " + f);
        lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
      } catch (IOException e) {
        // no log
      }
    }
  }

  private synchronized void stopAll() {
    if (processes.isEmpty()) {
      return;
    }
    step("Stopping the Connect worker and the broker");
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
    processes.clear();
    step("Stopped");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
