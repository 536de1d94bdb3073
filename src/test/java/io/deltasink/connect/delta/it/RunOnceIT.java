package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.cli.RunOnce;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.KernelReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code delta.run.mode=available-now} through a real worker, scheduled with the {@link RunOnce}
 * command: three drains over a topic that grows between them, every record once, nothing written
 * while the connector is stopped, a run with no new data makes no commit; and a task that takes its
 * end offsets writes no record past them even when more arrive during the run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunOnceIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final int PARTITIONS = 3;
  private ConnectCluster cluster;
  @TempDir Path tmp;

  @BeforeAll
  void start() {
    cluster = new ConnectCluster("run-once-it", 1);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private Map<String, String> config(String topic, String location) {
    Map<String, String> c = ConnectCluster.sinkConfig(topic, location, 2);
    c.put("delta.run.mode", "available-now");
    c.put("delta.kafka.bootstrap.servers", cluster.connect.kafka().bootstrapServers());
    c.put("consumer.override.isolation.level", "read_committed");
    return c;
  }

  private String connectUrl() {
    String connectors = cluster.connect.endpointForResource("connectors");
    return connectors.substring(0, connectors.length() - "connectors".length());
  }

  private static long version(String location) {
    try {
      return new KernelReader(location).snapshot().getVersion();
    } catch (RuntimeException e) {
      return -1; // no table yet
    }
  }

  private String runOnce(String name, Path config) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] args =
        config == null
            ? new String[] {
              "--connect", connectUrl(), "--connector", name, "--timeout-seconds", "120"
            }
            : new String[] {
              "--connect",
              connectUrl(),
              "--connector",
              name,
              "--config",
              config.toString(),
              "--timeout-seconds",
              "120"
            };
    int rc = RunOnce.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8).trim();
    System.out.println("[measure] " + printed);
    assertThat(rc).as(printed).isZero();
    return printed;
  }

  @Test
  void threeScheduledDrainsOverAGrowingTopicWriteEveryRecordOnce() throws Exception {
    String topic = "drains";
    String location = tmp.resolve("drains").toUri().toString();
    cluster.createTopic(topic, PARTITIONS);
    Path file = tmp.resolve("drains-connector.json");
    new ObjectMapper().writeValue(file.toFile(), config(topic, location));
    long produced = 0;
    long lastVersion = -1;
    for (int run = 0; run < 3; run++) {
      cluster.produce(topic, PARTITIONS, produced, 3_000 * (run + 1));
      produced += 3_000 * (run + 1);
      assertThat(version(location)).as("nothing written while stopped").isEqualTo(lastVersion);
      long started = System.nanoTime();
      String summary = runOnce(topic, run == 0 ? file : null);
      System.out.printf(
          "[measure] scheduled drain %d: %.1f s for %,d new records%n",
          run + 1, (System.nanoTime() - started) / 1e9, 3_000L * (run + 1));
      assertThat(summary).contains(String.format("%,d records", 3_000L * (run + 1)));
      assertThat(cluster.connect.connectorStatus(topic).connector().state()).isEqualTo("STOPPED");
      Map<Integer, Long> ends = cluster.endOffsets(topic, PARTITIONS);
      ExactlyOnce.assertEachOffsetOnce(new KernelReader(location).rows(), ends);
      lastVersion = version(location);
    }
    // Once more with no new data: no commit.
    runOnce(topic, null);
    assertThat(version(location)).isEqualTo(lastVersion);
    cluster.connect.deleteConnector(topic);
  }

  @Test
  void aRunEndsOnATopicOfTransactionalProducersWhoseLastOffsetsAreMarkersAndAbortedRecords()
      throws Exception {
    String topic = "transactional";
    String location = tmp.resolve("transactional").toUri().toString();
    cluster.createTopic(topic, 2);
    Map<String, Object> props = new java.util.HashMap<>();
    props.put("bootstrap.servers", cluster.connect.kafka().bootstrapServers());
    props.put("transactional.id", "run-once-it");
    long committed = 0;
    try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> p =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            props,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      p.initTransactions();
      for (int t = 0; t < 4; t++) { // committed, aborted, committed, aborted: the tail is aborted
        p.beginTransaction();
        for (int i = 0; i < 100; i++) {
          p.send(
              new org.apache.kafka.clients.producer.ProducerRecord<>(
                  topic, i % 2, null, ConnectCluster.temperatureJson(t * 100L + i, "c")));
        }
        if (t % 2 == 0) {
          p.commitTransaction();
          committed += 100;
        } else {
          p.flush();
          p.abortTransaction();
        }
      }
    }
    Path file = tmp.resolve("transactional-connector.json");
    new ObjectMapper().writeValue(file.toFile(), config(topic, location));
    String summary = runOnce(topic, file);
    assertThat(summary).contains("connector stopped");
    assertThat(new KernelReader(location).rows()).hasSize((int) committed);
    Map<Integer, Long> ends = cluster.endOffsets(topic, 2);
    KernelReader reader = new KernelReader(location);
    for (int p = 0; p < 2; p++) {
      assertThat(reader.txnVersion(topic + "/" + topic + "/" + p))
          .as("partition %d is recorded up to its end, past the markers and aborted records", p)
          .isEqualTo(ends.get(p) - 1);
    }
    cluster.connect.deleteConnector(topic);
  }

  @Test
  void aTaskWritesNoRecordPastTheEndOffsetsItTook() throws Exception {
    String topic = "bounded";
    String location = tmp.resolve("bounded").toUri().toString();
    cluster.createTopic(topic, 1);
    cluster.produce(topic, 1, 0, 5_000);
    Map<String, String> c = config(topic, location);
    c.put("tasks.max", "1");
    c.put(
        "consumer.override.max.poll.records", "50"); // a drain of 100 polls: more arrives meanwhile
    cluster.connect.configureConnector(topic, c);
    ConnectCluster.waitFor(
        TIMEOUT,
        "the task to take its end offsets",
        () -> ConnectCluster.sinkTaskMetric(topic, 0, "RunOnceRemainingRecords") >= 0);
    cluster.produce(topic, 1, 5_000, 1_000); // arrives during the run, past its end
    ConnectCluster.waitFor(
        TIMEOUT,
        "the run to be done",
        () -> ConnectCluster.sinkTaskMetric(topic, 0, "RunOnceDone") == 1);
    assertThat(new KernelReader(location).txnVersion(topic + "/" + topic + "/0")).isEqualTo(4_999);
    assertThat(new KernelReader(location).rows()).hasSize(5_000);
    cluster.connect.deleteConnector(topic);
  }
}
