/*
 * A real single-node KRaft broker and a real distributed Connect worker, each in its own JVM, with the
 * connector unpacked from its zip onto the worker's plugin.path. Shared by the quickstart and the
 * benchmark (src/bench). Everything listens on localhost only. Worker properties, unpacking, JVM
 * start and REST calls come from LocalProcesses (src/test/java/.../testing), which the tests' child
 * workers use too.
 */

import io.deltasink.connect.delta.testing.LocalProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

public class LocalKafka implements AutoCloseable {
  private static final long START = System.nanoTime();

  final Path work;
  private final String label;
  private final String classpath;
  private final List<Process> processes = new ArrayList<>();
  String bootstrap;
  String rest;
  Process worker;
  Process broker;

  /**
   * @param label prefix of progress lines, such as {@code quickstart}
   * @param work a directory for logs, broker data and the unpacked plugin
   * @param classpath Kafka's broker and Connect runtime (never the connector)
   */
  LocalKafka(String label, Path work, String classpath) {
    this.label = label;
    this.work = work;
    this.classpath = classpath;
  }

  /** What a tool does with the started processes; returns the exit code. */
  interface Job {
    int run() throws Exception;
  }

  /**
   * Runs {@code job}, stops every process it started (also on Ctrl-C), prints the logs' tails when
   * it fails, and exits the JVM with its code (1 on an exception).
   */
  void runAndExit(Job job) {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    int rc = 1;
    try {
      rc = job.run();
    } catch (Exception e) {
      step("FAILED: " + e);
      e.printStackTrace(System.out);
      dumpLogs();
    } finally {
      close();
    }
    System.exit(rc);
  }

  void step(String message) {
    System.out.printf("[%s %5.1fs] %s%n", label, (System.nanoTime() - START) / 1e9, message);
    System.out.flush();
  }

  static double secondsSinceStart() {
    return (System.nanoTime() - START) / 1e9;
  }

  /** Unpacks the connector zip into {@code <work>/plugins}, the worker's plugin.path. */
  Path unzipPlugin(Path zip) throws IOException {
    Path plugins = work.resolve("plugins");
    LocalProcesses.unzip(zip, plugins);
    step(
        "Plugin unpacked from "
            + zip.getFileName()
            + " ("
            + Files.size(zip) / (1024 * 1024)
            + " MB) into "
            + plugins);
    return plugins;
  }

  /** Formats and starts the broker, and waits until it answers. */
  void startBroker() throws Exception {
    int brokerPort = freePort();
    int controllerPort = freePort();
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@localhost:" + controllerPort);
    p.setProperty(
        "listeners",
        "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
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
    // Long enough for the consumers of a connector's tasks, started together, to join the group's
    // first
    // generation; with 0 the first takes every partition and the others wait for its next heartbeat
    // (heartbeat.interval.ms, 3 s) to get their share. Kafka's default is 3000.
    p.setProperty("group.initial.rebalance.delay.ms", "200");
    Path props = write("server.properties", p);
    Process format =
        java(
            "kafka-storage-format",
            "512m",
            List.of(),
            "kafka.tools.StorageTool",
            "format",
            "-t",
            UUID.randomUUID().toString().replace("-", "").substring(0, 22),
            "-c",
            props.toString());
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      throw new IllegalStateException(
          "formatting the KRaft log failed, see " + work.resolve("kafka-storage-format.log"));
    }
    broker = java("broker", "768m", List.of(), "kafka.Kafka", props.toString());
    step("Starting the KRaft broker (kafka.Kafka), log: " + work.resolve("broker.log"));
    bootstrap = "localhost:" + brokerPort;
    try (Admin admin = admin()) {
      waitFor(
          "the broker",
          Duration.ofSeconds(60),
          () -> {
            try {
              return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
            } catch (Exception e) {
              return false;
            }
          });
    }
    step("Broker up on " + bootstrap);
  }

  Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  /** Creates a topic and waits until every partition has a leader. */
  void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      waitFor(
          "partition leaders of " + topic,
          Duration.ofSeconds(30),
          () -> {
            try {
              return admin
                  .describeTopics(List.of(topic))
                  .allTopicNames()
                  .get()
                  .get(topic)
                  .partitions()
                  .stream()
                  .allMatch(x -> x.leader() != null);
            } catch (Exception e) {
              return false;
            }
          });
    }
    step("Topic '" + topic + "' created with " + partitions + " partitions");
  }

  /**
   * Starts a distributed Connect worker with {@code plugin.path} = {@code plugins} and waits until
   * it lists the connector.
   *
   * @param heap the worker's -Xmx, such as {@code 512m}
   * @param jvmArgs further JVM options
   */
  void startWorker(Path plugins, String heap, List<String> jvmArgs) throws Exception {
    int restPort = freePort();
    Properties p =
        LocalProcesses.workerProperties(
            bootstrap, label + "-connect", "http://localhost:" + restPort);
    // How often Connect commits offsets, and so calls preCommit: also the longest a quiet task
    // waits
    // for a call into it. The benchmark varies it (bench.worker.offset.flush.ms).
    p.setProperty(
        "offset.flush.interval.ms", System.getProperty("bench.worker.offset.flush.ms", "1000"));
    p.setProperty("plugin.path", plugins.toString());
    // KIP-898: find plugins only through their service manifests, as newer workers do.
    p.setProperty("plugin.discovery", "service_load");
    Path props = write("worker.properties", p);
    worker =
        java(
            "connect",
            heap,
            jvmArgs,
            "org.apache.kafka.connect.cli.ConnectDistributed",
            props.toString());
    step(
        "Starting the Connect worker (ConnectDistributed, plugin.path="
            + plugins
            + "), log: "
            + work.resolve("connect.log"));
    rest = "http://localhost:" + restPort;
    waitFor(
        "the Connect worker to load the plugin",
        Duration.ofSeconds(90),
        () -> {
          String body = get(rest + "/connector-plugins");
          return body != null && body.contains("io.deltasink.connect.delta.DeltaSinkConnector");
        });
  }

  /**
   * {@code PUT /connectors/<name>/config} and waits until the connector and {@code tasks} tasks
   * run.
   */
  void putConnector(String name, String json, int tasks) throws Exception {
    LocalProcesses.putConnector(rest, name, json);
    waitFor(
        "the connector and its tasks to run",
        Duration.ofSeconds(60),
        () -> {
          String s = get(rest + "/connectors/" + name + "/status");
          return s != null
              && s.contains("\"tasks\":[{")
              && !s.contains("FAILED")
              && !s.contains("UNASSIGNED")
              && s.split("RUNNING", -1).length - 1 >= 1 + tasks;
        });
  }

  /** {@code DELETE /connectors/<name>}: the connector and its tasks stop. */
  void deleteConnector(String name) throws Exception {
    LocalProcesses.deleteConnector(rest, name);
  }

  Process java(String name, String heap, List<String> jvmArgs, String mainClass, String... args)
      throws IOException {
    Path log4j = work.resolve("log4j2.properties");
    if (!Files.exists(log4j)) {
      Files.writeString(
          log4j,
          String.join(
              "\n",
              "rootLogger.level = info",
              "rootLogger.appenderRef.out.ref = out",
              "appender.out.type = Console",
              "appender.out.name = out",
              "appender.out.layout.type = PatternLayout",
              "appender.out.layout.pattern = [%d] %p %m (%c{1})%n",
              "logger.kafka.name = org.apache.kafka",
              "logger.kafka.level = warn",
              "logger.kserver.name = kafka",
              "logger.kserver.level = warn",
              "logger.connect.name = org.apache.kafka.connect.runtime",
              "logger.connect.level = info",
              "logger.sink.name = io.deltasink",
              "logger.sink.level = info",
              "logger.rest.name = org.apache.kafka.connect.runtime.rest.RestServer",
              "logger.rest.level = warn",
              ""));
    }
    Process p =
        LocalProcesses.startJava(
            classpath, heap, log4j, jvmArgs, work.resolve(name + ".log"), mainClass, args);
    processes.add(p);
    return p;
  }

  String get(String url) {
    return LocalProcesses.get(url);
  }

  interface Check {
    boolean ok() throws Exception;
  }

  void waitFor(String what, Duration timeout, Check check) throws Exception {
    waitFor(what, timeout, check, 200);
  }

  /** {@link #waitFor} checking every {@code pollMs} milliseconds. */
  void waitFor(String what, Duration timeout, Check check, long pollMs) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.ok()) {
      for (Process p : processes) {
        if (!p.isAlive() && p.exitValue() != 0) {
          throw new IllegalStateException(
              "a Kafka process exited with code " + p.exitValue() + " while waiting for " + what);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(pollMs);
    }
  }

  private Path write(String name, Properties p) throws IOException {
    return LocalProcesses.write(work.resolve(name), p, "written by " + label);
  }

  void dumpLogs() {
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

  @Override
  public synchronized void close() {
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

  /**
   * What a Delta table's JSON commits hold: versions, data files, their bytes and rows, last txn
   * version per app id.
   */
  record DeltaLogSummary(long versions, long files, long bytes, long rows, Map<String, Long> txn) {}

  /** The table's JSON commit files, oldest first. */
  static List<Path> deltaCommits(Path table) throws IOException {
    try (Stream<Path> s = Files.list(table.resolve("_delta_log"))) {
      return s.filter(x -> x.getFileName().toString().matches("\\d{20}\\.json")).sorted().toList();
    }
  }

  /** Reads every JSON commit of the table's Delta log (no checkpoint is needed at these sizes). */
  static DeltaLogSummary deltaLog(Path table) throws IOException {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    long files = 0;
    long bytes = 0;
    long rows = 0;
    Map<String, Long> txn = new java.util.TreeMap<>();
    List<Path> commits = deltaCommits(table);
    for (Path f : commits) {
      for (String line : Files.readAllLines(f)) {
        com.fasterxml.jackson.databind.JsonNode a = json.readTree(line);
        if (a.has("add")) {
          files++;
          bytes += a.get("add").path("size").asLong();
          rows +=
              json.readTree(a.get("add").path("stats").asText("{}")).path("numRecords").asLong();
        } else if (a.has("txn")) {
          txn.put(a.get("txn").path("appId").asText(), a.get("txn").path("version").asLong());
        }
      }
    }
    return new DeltaLogSummary(commits.size(), files, bytes, rows, txn);
  }

  static int freePort() throws IOException {
    return LocalProcesses.freePort();
  }

  static void deleteTree(Path p) throws IOException {
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
