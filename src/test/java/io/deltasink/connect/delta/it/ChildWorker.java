package io.deltasink.connect.delta.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A distributed Connect worker in its own JVM (this test classpath, the given heap), joined to a
 * {@link ConnectCluster}'s broker: for hard kills and for memory limits that the shared test JVM
 * cannot show. Talks to it over its REST API.
 */
final class ChildWorker implements AutoCloseable {
  private final ConnectCluster cluster;
  private final String group;
  private final Path dir;
  private final int restPort = freePort();
  private final HttpClient http = HttpClient.newHttpClient();
  private Process process;

  /**
   * @param group the worker group; its internal topics are named after it
   * @param dir where the worker's properties and logs go
   */
  ChildWorker(ConnectCluster cluster, String group, Path dir) {
    this.cluster = cluster;
    this.group = group;
    this.dir = dir;
  }

  /** Starts the worker JVM (the n-th time, for the log name) and waits for its REST API. */
  void start(int n, String heap, List<String> jvmArgs) throws Exception {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", cluster.connect.kafka().bootstrapServers());
    p.setProperty("group.id", group);
    p.setProperty("config.storage.topic", group + "-configs");
    p.setProperty("offset.storage.topic", group + "-offsets");
    p.setProperty("status.storage.topic", group + "-status");
    p.setProperty("config.storage.replication.factor", "1");
    p.setProperty("offset.storage.replication.factor", "1");
    p.setProperty("status.storage.replication.factor", "1");
    p.setProperty("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    p.setProperty("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    p.setProperty("offset.flush.interval.ms", "500");
    p.setProperty("listeners", "http://localhost:" + restPort);
    p.setProperty("session.timeout.ms", "6000");
    p.setProperty("heartbeat.interval.ms", "1000");
    p.setProperty("scheduled.rebalance.max.delay.ms", "1000");
    // Find plugins through their ServiceLoader manifests (KIP-898) instead of scanning the whole test
    // classpath: faster and lighter at every (re)start, as with plugin.discovery in production.
    p.setProperty("plugin.discovery", "service_load");
    p.setProperty("connector.client.config.override.policy", "All");
    Files.createDirectories(dir);
    Path props = dir.resolve("worker.properties");
    try (var out = Files.newBufferedWriter(props)) {
      p.store(out, null);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx" + heap,
        "-Dlog4j2.configurationFile=" + Path.of("target/test-classes/log4j2-test.properties").toAbsolutePath()));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.apache.kafka.connect.cli.ConnectDistributed",
        props.toString()));
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(n).toFile()).start();
    ConnectCluster.waitFor(Duration.ofSeconds(60), "the child worker's REST API", () -> get("/connectors") != null);
  }

  Path log(int n) {
    return dir.resolve("worker-" + n + ".log");
  }

  Process process() {
    return process;
  }

  /** {@code PUT /connectors/<name>/config}. */
  void putConnector(String name, Map<String, String> config) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + "/connectors/" + name + "/config"))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(new ObjectMapper().writeValueAsString(config))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new AssertionError("PUT /connectors/" + name + "/config: " + r.statusCode() + " " + r.body());
    }
  }

  /** The body of a GET on the REST API, or null when it did not answer 200. */
  String get(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** SIGKILL: no close(), no stop(). */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
