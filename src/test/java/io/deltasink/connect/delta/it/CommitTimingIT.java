package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.ExactlyOnce;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * When rows become visible in a worker left at Kafka's default offset commit interval ({@code
 * offset.flush.interval.ms} = 60 s): at {@code delta.flush.interval.ms} for a topic that went
 * quiet, and at once when the task gives its partitions up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommitTimingIT {
  private static final int PARTITIONS = 3;
  private ConnectCluster cluster;
  @TempDir Path tmp;

  @BeforeAll
  void start() {
    cluster =
        new ConnectCluster(
            "commit-timing-it", 1, Map.of(WorkerConfig.OFFSET_COMMIT_INTERVAL_MS_CONFIG, "60000"));
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /**
   * A topic, a one-task connector {@code <topic>-sink} for it, then {@code records} records; the
   * table location. {@code flushIdleMs} 0 keeps the records buffered until the flush interval or a
   * close.
   */
  private String sinkWithRecords(String topic, long flushIntervalMs, long flushIdleMs, int records)
      throws InterruptedException {
    String location = tmp.resolve(topic).toUri().toString();
    cluster.createTopic(topic, PARTITIONS);
    Map<String, String> config = ConnectCluster.sinkConfig(topic, location, 1);
    config.put("delta.flush.interval.ms", Long.toString(flushIntervalMs));
    config.put("delta.flush.idle.ms", Long.toString(flushIdleMs));
    cluster.connect.configureConnector(topic + "-sink", config);
    cluster.produce(topic, PARTITIONS, 0, records);
    return location;
  }

  /** The offsets committed to Kafka for consumer group {@code group}. */
  private Map<TopicPartition, OffsetAndMetadata> groupOffsets(String group) throws Exception {
    try (Admin admin = cluster.connect.kafka().createAdminClient()) {
      return admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aQuietTopicIsVisibleAfterTheFlushIntervalNotTheWorkersOffsetCommit() throws Exception {
    String topic = "quiet";
    long start = System.nanoTime();
    String location = sinkWithRecords(topic, 1000, 0, 600);
    // The wait outlasts the worker's first offset commit (60 s), so that it does not decide the
    // assertions below.
    cluster.awaitCommitted(location, "quiet-sink", topic, PARTITIONS, Duration.ofSeconds(90));
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "[measure] 600 records of a quiet topic visible %.1f s after producing began%n", seconds);
    assertThat(seconds).as("well before the worker's first offset commit at 60 s").isLessThan(30);
    assertThat(groupOffsets("connect-quiet-sink"))
        .as("offsets Connect committed before the rows were visible")
        .isEmpty();
    ExactlyOnce.assertEachOffsetOnce(
        ConnectCluster.rows(location), cluster.endOffsets(topic, PARTITIONS));
    assertThat(ConnectCluster.rows(location)).hasSize(600);
    cluster.connect.deleteConnector("quiet-sink");
  }

  @Test
  void stoppingTheConnectorCommitsWhatItsTasksBuffered() throws Exception {
    String topic = "handover";
    String location = sinkWithRecords(topic, 600_000, 0, 900);
    ConnectCluster.waitFor(
        Duration.ofSeconds(30),
        "the task to buffer the 900 records",
        () -> ConnectCluster.sinkTaskMetric("handover-sink", 0, "BufferedRecords") == 900L);
    assertThat(tmp.resolve(topic).resolve("_delta_log"))
        .as("nothing committed while the flush interval runs")
        .doesNotExist();

    cluster.connect.deleteConnector("handover-sink");
    cluster.awaitCommitted(location, "handover-sink", topic, PARTITIONS, Duration.ofSeconds(30));
    assertThat(ConnectCluster.rows(location)).hasSize(900);
  }
}
