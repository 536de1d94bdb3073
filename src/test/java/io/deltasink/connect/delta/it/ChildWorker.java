package io.deltasink.connect.delta.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.testing.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A distributed Connect worker in its own JVM (this test classpath, the given heap), joined to a
 * {@link ConnectCluster}'s broker: for hard kills and for memory limits that the shared test JVM
 * cannot show. Talks to it over its REST API. Started the way the quickstart starts its worker
 * ({@link LocalProcesses}).
 */
final class ChildWorker implements AutoCloseable {
  private final ConnectCluster cluster;
  private final String group;
  private final Path dir;
  private final int restPort = freePort();
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
    Properties p =
        LocalProcesses.workerProperties(cluster.connect.kafka().bootstrapServers(), group, rest());
    p.setProperty("offset.flush.interval.ms", "500");
    p.setProperty("session.timeout.ms", "6000");
    p.setProperty("heartbeat.interval.ms", "1000");
    p.setProperty("scheduled.rebalance.max.delay.ms", "1000");
    // Find plugins through their ServiceLoader manifests (KIP-898) instead of scanning the whole
    // test
    // classpath: faster and lighter at every (re)start, as with plugin.discovery in production.
    p.setProperty("plugin.discovery", "service_load");
    p.setProperty("connector.client.config.override.policy", "All");
    Path props = LocalProcesses.write(dir.resolve("worker.properties"), p, null);
    process =
        LocalProcesses.startJava(
            System.getProperty("java.class.path"),
            heap,
            Path.of("target/test-classes/log4j2-test.properties"),
            jvmArgs,
            log(n),
            "org.apache.kafka.connect.cli.ConnectDistributed",
            props.toString());
    ConnectCluster.waitFor(
        Duration.ofSeconds(60), "the child worker's REST API", () -> get("/connectors") != null);
  }

  private String rest() {
    return "http://localhost:" + restPort;
  }

  Path log(int n) {
    return dir.resolve("worker-" + n + ".log");
  }

  Process process() {
    return process;
  }

  /** {@code PUT /connectors/<name>/config}. */
  void putConnector(String name, Map<String, String> config) throws Exception {
    LocalProcesses.putConnector(rest(), name, new ObjectMapper().writeValueAsString(config));
  }

  /** The body of a GET on the REST API, or null when it did not answer 200. */
  String get(String path) {
    return LocalProcesses.get(rest() + path);
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
    try {
      return LocalProcesses.freePort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
