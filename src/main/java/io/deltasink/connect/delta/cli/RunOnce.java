package io.deltasink.connect.delta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * One scheduled drain of a {@code delta.run.mode=available-now} connector, the way ADF or cron runs
 * a job (docs/run-once.md): creates or updates the connector from a config file when given one,
 * takes its topics' end offsets, resumes it ({@code PUT /connectors/<name>/resume}), waits until
 * the connector's committed offsets ({@code GET /connectors/<name>/offsets}, KIP-875) reached them,
 * stops it ({@code PUT /connectors/<name>/stop}, Kafka 3.5+) so that it holds no resources until
 * the next run, and exits 0 with a summary. Exits 1 with the reason when a task fails, the run
 * times out, or Connect refuses a call; 2 on bad arguments.
 *
 * <p>The sink commits a partition's offset to Kafka only once its rows are in Delta, so the offsets
 * reaching the end offsets taken before the resume means every record up to them is in the table.
 * The tasks take their own end offsets (at least these) and write no further.
 *
 * <pre>
 * RunOnce --connect http://localhost:8083 --connector temperatures
 *         [--config connector.json] [--bootstrap-server host:9092] [--command-config admin.properties]
 *         [--timeout-seconds 3600]
 * </pre>
 *
 * The Kafka address is {@code --bootstrap-server}, or the connector's {@code
 * delta.kafka.bootstrap.servers}; {@code --command-config} holds the admin client's other settings
 * (SASL, TLS) as Kafka's own command-line tools take them.
 */
public final class RunOnce {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String connect;
  private final String name;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newHttpClient();

  RunOnce(String connect, String name, PrintStream out) {
    this.connect = connect.replaceAll("/+$", "");
    this.name = name;
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i], args[i + 1]);
    }
    if (args.length % 2 != 0
        || !opts.containsKey("--connect")
        || !opts.containsKey("--connector")) {
      out.println(
          "usage: RunOnce --connect <Connect REST URL> --connector <name> [--config <file.json>]"
              + " [--bootstrap-server <host:port>] [--command-config <admin.properties>]"
              + " [--timeout-seconds <n>]");
      return 2;
    }
    try {
      return new RunOnce(opts.get("--connect"), opts.get("--connector"), out)
          .drain(
              opts.get("--config"),
              opts.get("--bootstrap-server"),
              opts.get("--command-config"),
              Long.parseLong(opts.getOrDefault("--timeout-seconds", "3600")));
    } catch (Exception e) {
      out.println(
          "run-once "
              + opts.get("--connector")
              + " failed: "
              + (e.getMessage() != null ? e.getMessage() : e.toString()));
      return 1;
    }
  }

  private int drain(String configFile, String bootstrap, String commandConfig, long timeoutSeconds)
      throws Exception {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    if (configFile != null) {
      JsonNode config = JSON.readTree(Path.of(configFile).toFile());
      if (!"available-now".equalsIgnoreCase(config.path("delta.run.mode").asText())) {
        throw new IllegalArgumentException(
            configFile + " must set \"delta.run.mode\": \"available-now\"");
      }
      call("PUT", "/connectors/" + name + "/config", JSON.writeValueAsString(config));
    }
    // Tasks left running by an earlier run (or just created) stop first: the run's tasks start
    // after the end offsets below are taken, and take theirs then.
    stop(deadline);
    JsonNode config = JSON.readTree(call("GET", "/connectors/" + name + "/config", null));
    Map<TopicPartition, Long> ends;
    try (Admin a = Admin.create(adminConfig(config, bootstrap, commandConfig))) {
      ends = endOffsets(a, config);
    }
    Map<TopicPartition, Long> before = offsets();
    for (Map.Entry<TopicPartition, Long> e : before.entrySet()) {
      Long end = ends.get(e.getKey());
      if (end != null && e.getValue() > end) {
        throw new IllegalStateException(
            e.getKey()
                + ": the connector's offset "
                + e.getValue()
                + " is past the end offset "
                + end
                + " (the topic was recreated?); see delta.data.loss.policy and delta.app.id");
      }
    }
    Map<TopicPartition, Long> now;
    IsolationLevel isolation =
        "read_committed"
                .equalsIgnoreCase(config.path("consumer.override.isolation.level").asText(""))
            ? IsolationLevel.READ_COMMITTED
            : IsolationLevel.READ_UNCOMMITTED;
    try (io.deltasink.connect.delta.sink.KafkaOffsets kafka =
        new io.deltasink.connect.delta.sink.KafkaOffsets(
            adminConfig(config, bootstrap, commandConfig))) {
      call("PUT", "/connectors/" + name + "/resume", null);
      now = waitForOffsets(ends, deadline, timeoutSeconds, kafka, isolation);
    } finally {
      // Never left running, even when the run failed.
      stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
    }
    long records = 0;
    for (Map.Entry<TopicPartition, Long> e : now.entrySet()) {
      records += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    out.printf(
        "run-once %s: %,d records in %d partitions, up to offsets %s, %.1f s; connector stopped%n",
        name, records, ends.size(), new TreeMap<>(asText(now)), (System.nanoTime() - start) / 1e9);
    return 0;
  }

  /** Polls the connector's offsets until they reach {@code ends}, a task fails, or time is up. */
  private Map<TopicPartition, Long> waitForOffsets(
      Map<TopicPartition, Long> ends,
      long deadline,
      long timeoutSeconds,
      io.deltasink.connect.delta.sink.KafkaOffsets kafka,
      IsolationLevel isolation)
      throws Exception {
    Map<TopicPartition, Long> now = offsets();
    boolean running = false;
    while (!running || !reached(now, ends, kafka, isolation)) {
      String failed = failed();
      if (failed != null) {
        throw new IllegalStateException(failed);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the connector did not reach the end offsets " + ends + " in " + timeoutSeconds + " s");
      }
      TimeUnit.MILLISECONDS.sleep(500); // polling Connect's REST API, not waiting for a condition
      running = "RUNNING".equals(state());
      now = offsets();
    }
    return now;
  }

  /** {@code PUT /connectors/<name>/stop}, then waits until the connector says STOPPED. */
  private void stop(long deadline) throws Exception {
    call("PUT", "/connectors/" + name + "/stop", null);
    while (!"STOPPED".equals(state())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the connector did not stop in time");
      }
      TimeUnit.MILLISECONDS.sleep(200); // polling Connect's REST API
    }
  }

  private static Map<String, Long> asText(Map<TopicPartition, Long> offsets) {
    Map<String, Long> out = new HashMap<>();
    offsets.forEach((tp, o) -> out.put(tp.toString(), o));
    return out;
  }

  /**
   * Whether every partition's offset reached its end: the offset itself, or, since Connect commits
   * no offset past the last record it delivered, no record between them (transaction markers and
   * aborted records only, which the tasks record in their tables).
   */
  private static boolean reached(
      Map<TopicPartition, Long> offsets,
      Map<TopicPartition, Long> ends,
      io.deltasink.connect.delta.sink.KafkaOffsets kafka,
      IsolationLevel isolation) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      long at = offsets.getOrDefault(e.getKey(), 0L);
      if (at < e.getValue() && !kafka.noRecordsBetween(e.getKey(), at, e.getValue(), isolation)) {
        return false;
      }
    }
    return true;
  }

  /** The admin client settings: the address, then {@code --command-config}. */
  static Map<String, Object> adminConfig(JsonNode config, String bootstrap, String commandConfig)
      throws IOException {
    Map<String, Object> admin = new HashMap<>();
    if (commandConfig != null) {
      Properties p = new Properties();
      try (InputStream in = Files.newInputStream(Path.of(commandConfig))) {
        p.load(in);
      }
      p.forEach((k, v) -> admin.put(k.toString(), v));
    }
    Map<String, String> connector = new HashMap<>();
    config.fields().forEachRemaining(e -> connector.put(e.getKey(), e.getValue().asText()));
    Map<String, Object> fromConnector =
        io.deltasink.connect.delta.config.KafkaClientConfigs.adminConfig(connector);
    if (bootstrap != null) {
      admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    } else if (fromConnector.containsKey(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      admin.putIfAbsent(
          AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          fromConnector.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    }
    if (!admin.containsKey(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(
          "no Kafka address: give --bootstrap-server, or set delta.kafka.bootstrap.servers");
    }
    return admin;
  }

  /** The end offsets of the connector's topics, at the consumer's isolation level. */
  private static Map<TopicPartition, Long> endOffsets(Admin admin, JsonNode config)
      throws Exception {
    List<String> topics = new ArrayList<>();
    String listed = config.path("topics").asText("");
    if (!listed.isBlank()) {
      for (String t : listed.split(",")) {
        topics.add(t.trim());
      }
    } else {
      String regex = config.path("topics.regex").asText("");
      for (String t : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
        if (t.matches(regex)) {
          topics.add(t);
        }
      }
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    Map<String, TopicDescription> described =
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
    described.forEach(
        (t, d) ->
            d.partitions()
                .forEach(
                    p -> request.put(new TopicPartition(t, p.partition()), OffsetSpec.latest())));
    boolean readCommitted =
        "read_committed"
            .equalsIgnoreCase(config.path("consumer.override.isolation.level").asText(""));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin
        .listOffsets(
            request,
            new ListOffsetsOptions(
                readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED))
        .all()
        .get(30, TimeUnit.SECONDS)
        .forEach((tp, i) -> out.put(tp, i.offset()));
    return out;
  }

  /** The connector's committed offsets ({@code GET /connectors/<name>/offsets}). */
  private Map<TopicPartition, Long> offsets() throws Exception {
    JsonNode body = JSON.readTree(call("GET", "/connectors/" + name + "/offsets", null));
    Map<TopicPartition, Long> out = new HashMap<>();
    for (JsonNode o : body.path("offsets")) {
      out.put(
          new TopicPartition(
              o.path("partition").path("kafka_topic").asText(),
              o.path("partition").path("kafka_partition").asInt()),
          o.path("offset").path("kafka_offset").asLong());
    }
    return out;
  }

  /** The connector's state ({@code RUNNING}, {@code STOPPED}, ...). */
  private String state() throws Exception {
    return JSON.readTree(call("GET", "/connectors/" + name + "/status", null))
        .path("connector")
        .path("state")
        .asText();
  }

  /** What failed (the connector, or a task, with its trace's first line), or null. */
  private String failed() throws Exception {
    JsonNode status = JSON.readTree(call("GET", "/connectors/" + name + "/status", null));
    if ("FAILED".equals(status.path("connector").path("state").asText())) {
      return "the connector failed: "
          + status.path("connector").path("trace").asText().lines().findFirst().orElse("");
    }
    for (JsonNode t : status.path("tasks")) {
      if ("FAILED".equals(t.path("state").asText())) {
        return "task "
            + t.path("id").asText()
            + ": "
            + t.path("trace").asText().lines().findFirst().orElse("");
      }
    }
    return null;
  }

  private String call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(connect + path)).timeout(Duration.ofSeconds(60));
    b =
        body == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = null;
    for (int attempt = 1; ; attempt++) {
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 409 && r.statusCode() < 500 || attempt == 10) {
          break; // 409: a rebalance in progress; 5xx: the worker is busy; both pass
        }
      } catch (IOException e) {
        if (attempt == 10) {
          throw e;
        }
      }
      TimeUnit.MILLISECONDS.sleep(500L * attempt);
    }
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(
          method + " " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }
}
