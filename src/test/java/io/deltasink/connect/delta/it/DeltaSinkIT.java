package io.deltasink.connect.delta.it;

import static io.deltasink.connect.delta.it.ConnectCluster.rows;
import static io.deltasink.connect.delta.it.ConnectCluster.sinkConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import io.deltasink.connect.delta.sink.SinkWriter;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core sink through real Connect workers and a real broker; results read back with Delta
 * Kernel. Every test checks what a user would: each (topic, partition, offset) exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeltaSinkIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private ConnectCluster cluster;
  @TempDir Path tmp;

  @BeforeAll
  void start() {
    cluster = new ConnectCluster("delta-it", 1);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private String location(String name) {
    return tmp.resolve(name).toUri().toString();
  }

  /** Asserts the table holds each offset of the topic exactly once, and returns the row count. */
  private static int assertExactlyOnce(
      String location, String topic, Map<Integer, Long> endOffsets) {
    List<Map<String, Object>> rows = rows(location);
    assertThat(rows)
        .filteredOn(r -> !topic.equals(r.get("kafka_topic")))
        .as("rows of another topic")
        .isEmpty();
    ExactlyOnce.assertEachOffsetOnce(rows, endOffsets);
    return rows.size();
  }

  private Map<Integer, Long> endOffsets(String topic, int partitions) throws Exception {
    return cluster.endOffsets(topic, partitions);
  }

  @Test
  void hundredThousandRecordsTwoTasksExactlyOnce() throws Exception {
    String topic = "temps-100k";
    String loc = location("t100k");
    cluster.createTopic(topic, 6);
    long start = System.nanoTime();
    cluster.connect.configureConnector("sink-100k", sinkConfig(topic, loc, 2));
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning("sink-100k", 2, "not running");
    cluster.produce(topic, 6, 0, 100_000);
    cluster.awaitCommitted(loc, "sink-100k", topic, 6, TIMEOUT);
    double seconds = (System.nanoTime() - start) / 1e9;
    int n = assertExactlyOnce(loc, topic, endOffsets(topic, 6));
    assertThat(n).isEqualTo(100_000);
    Map<String, Object> any = rows(loc).get(0);
    assertThat(any).containsKeys("city", "seq", "temperature", "observed");
    System.out.printf(
        "[measure] 100k records, 6 partitions, 2 tasks: %.1f s end to end%n", seconds);
    cluster.connect.deleteConnector("sink-100k");
  }

  @Test
  void restartMidStreamLosesAndDuplicatesNothing() throws Exception {
    String topic = "temps-restart";
    String loc = location("restart");
    cluster.createTopic(topic, 6);
    Map<String, String> config = sinkConfig(topic, loc, 2);
    config.put("delta.flush.interval.ms", "3000");
    cluster.connect.configureConnector("sink-restart", config);
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning("sink-restart", 2, "not running");
    cluster.produce(topic, 6, 0, 20_000);
    ConnectCluster.waitFor(
        TIMEOUT,
        "a first commit",
        () -> {
          try {
            return new KernelReader(loc).snapshot().getVersion() >= 0;
          } catch (RuntimeException e) {
            return false;
          }
        });
    cluster.produce(topic, 6, 20_000, 20_000);
    // Restart while rows are buffered but not committed.
    cluster.connect.restartConnectorAndTasks("sink-restart", false, false, false);
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning("sink-restart", 2, "not running");
    cluster.produce(topic, 6, 40_000, 20_000);
    cluster.awaitCommitted(loc, "sink-restart", topic, 6, TIMEOUT);
    assertThat(assertExactlyOnce(loc, topic, endOffsets(topic, 6))).isEqualTo(60_000);
    cluster.connect.deleteConnector("sink-restart");
  }

  @Test
  void resettingConsumerOffsetsDoesNotChangeTheTable() throws Exception {
    String topic = "temps-reset";
    String loc = location("reset");
    cluster.createTopic(topic, 6);
    cluster.connect.configureConnector("sink-reset", sinkConfig(topic, loc, 2));
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning("sink-reset", 2, "not running");
    cluster.produce(topic, 6, 0, 12_000);
    cluster.awaitCommitted(loc, "sink-reset", topic, 6, TIMEOUT);
    long version = new KernelReader(loc).snapshot().getVersion();

    cluster.connect.stopConnector("sink-reset");
    cluster.connect.assertions().assertConnectorIsStopped("sink-reset", "not stopped");
    cluster.connect.resetConnectorOffsets("sink-reset");
    assertThat(cluster.connect.connectorOffsets("sink-reset").offsets()).isEmpty();
    cluster.connect.resumeConnector("sink-reset");
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning("sink-reset", 2, "not running");
    awaitReplayHandled("sink-reset", topic, 6, 2);
    assertThat(new KernelReader(loc).snapshot().getVersion())
        .as("no commit from a replay")
        .isEqualTo(version);
    for (int task = 0; task < 2; task++) {
      assertThat(ConnectCluster.sinkTaskMetric("sink-reset", task, "BufferedRecords"))
          .as("task %d holds rows", task)
          .isZero();
      assertThat(ConnectCluster.sinkTaskMetric("sink-reset", task, "Commits"))
          .as("task %d committed", task)
          .isZero();
    }
    assertThat(assertExactlyOnce(loc, topic, endOffsets(topic, 6))).isEqualTo(12_000);

    cluster.produce(topic, 6, 12_000, 600);
    cluster.awaitCommitted(loc, "sink-reset", topic, 6, TIMEOUT);
    assertThat(assertExactlyOnce(loc, topic, endOffsets(topic, 6))).isEqualTo(12_600);
    cluster.connect.deleteConnector("sink-reset");
  }

  /**
   * Waits until the tasks have had every chance to write a replay of {@code topic}: each partition
   * opened by a task at the offset the table holds (the sink's partition MBeans), each task's
   * consumer fetched up to the end of its partitions (Kafka's {@code records-lag} = 0), and then
   * two more offset commits of each task: each calls {@code preCommit}, which commits what the task
   * buffered once the flush interval (1 s, the worker's commit interval) has passed. A replayed
   * record is by then in the task's buffer or in a Delta version.
   */
  private void awaitReplayHandled(String connector, String topic, int partitions, int tasks)
      throws Exception {
    Map<Integer, Long> ends = endOffsets(topic, partitions);
    ConnectCluster.waitFor(
        TIMEOUT,
        "the tasks to open every partition of " + topic + " and fetch up to its end",
        () -> {
          Map<String, Double> opened =
              byPartition(
                  ConnectCluster.jmx(
                      SinkMetrics.DOMAIN
                          + ":connector="
                          + ObjectName.quote(connector)
                          + ",type=partition,topic="
                          + ObjectName.quote(topic)
                          + ",*",
                      "LastCommittedOffset"));
          Map<String, Double> lag =
              byPartition(
                  ConnectCluster.jmx(
                      "kafka.consumer:type=consumer-fetch-manager-metrics,client-id="
                          + "connector-consumer-"
                          + connector
                          + "-*,topic="
                          + topic
                          + ",partition=*",
                      "records-lag"));
          return ends.entrySet().stream()
              .allMatch(
                  e -> {
                    String p = e.getKey().toString();
                    return opened.containsKey(p)
                        && opened.get(p) == e.getValue() - 1
                        && lag.containsKey(p)
                        && lag.get(p) == 0;
                  });
        });
    long[] commitsSeen = new long[tasks];
    for (int t = 0; t < tasks; t++) {
      commitsSeen[t] = offsetCommitSeqNo(connector, t);
    }
    ConnectCluster.waitFor(
        TIMEOUT,
        "two more offset commits of each task",
        () -> {
          for (int t = 0; t < tasks; t++) {
            if (offsetCommitSeqNo(connector, t) < commitsSeen[t] + 2) {
              return false;
            }
          }
          return true;
        });
  }

  /** The values of MBeans with a {@code partition} key, by that key. */
  private static Map<String, Double> byPartition(Map<ObjectName, Double> values) {
    Map<String, Double> out = new HashMap<>();
    values.forEach((name, v) -> out.put(name.getKeyProperty("partition"), v));
    return out;
  }

  /**
   * Connect's count of offset commits (each a {@code preCommit} call) of a task of this worker, -1
   * before any.
   */
  private static long offsetCommitSeqNo(String connector, int task) {
    return ConnectCluster.jmx(
            "kafka.connect:type=sink-task-metrics,connector=" + connector + ",task=" + task,
            "offset-commit-seq-no")
        .values()
        .stream()
        .mapToLong(Double::longValue)
        .findFirst()
        .orElse(-1);
  }

  @Test
  void threeTasksOnOneLocalTableLoseNoCommit() throws Exception {
    String topic = "temps-3tasks";
    String loc = location("three");
    cluster.createTopic(topic, 6);
    Map<String, String> config = sinkConfig(topic, loc, 3);
    config.put("delta.flush.interval.ms", "200");
    config.put("consumer.override.max.poll.records", "100");
    cluster.connect.configureConnector("sink-3", config);
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning("sink-3", 3, "not running");
    for (int round = 0; round < 5; round++) {
      cluster.produce(topic, 6, round * 6_000L, 6_000);
      Thread.sleep(300); // paces the rounds, so that the three tasks commit while more data arrives
    }
    cluster.awaitCommitted(loc, "sink-3", topic, 6, TIMEOUT);
    assertThat(assertExactlyOnce(loc, topic, endOffsets(topic, 6))).isEqualTo(30_000);
    long versions = new KernelReader(loc).snapshot().getVersion() + 1;
    System.out.printf(
        "[measure] 3 tasks, one table: %d Delta versions, no commit lost%n", versions);
    assertThat(versions).as("every task committed").isGreaterThanOrEqualTo(3);
    cluster.connect.deleteConnector("sink-3");
  }

  @Test
  void failedCommitsAfterWritingParquetAreRetriedWithoutLossOrDuplicates() throws Exception {
    String topic = "temps-failcommit";
    String loc = location("failcommit");
    cluster.createTopic(topic, 6);
    Map<String, String> config = sinkConfig(topic, loc, 2);
    config.put("delta.hadoop.delta.logStore.file.impl", FailingCommitLogStore.class.getName());
    config.put("delta.commit.max.attempts", "2");
    config.put("delta.commit.backoff.ms", "10");
    FailingCommitLogStore.FAILURES_LEFT.set(7);
    FailingCommitLogStore.FAILED.set(0);
    cluster.connect.configureConnector("sink-failcommit", config);
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning("sink-failcommit", 2, "not running");
    cluster.produce(topic, 6, 0, 10_000);
    cluster.awaitCommitted(loc, "sink-failcommit", topic, 6, TIMEOUT);
    assertThat(FailingCommitLogStore.FAILED.get()).isEqualTo(7);
    assertThat(assertExactlyOnce(loc, topic, endOffsets(topic, 6))).isEqualTo(10_000);
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning("sink-failcommit", 2, "task died");
    cluster.connect.deleteConnector("sink-failcommit");
  }

  @Test
  void aStaleTasksLateCommitIsFenced() throws Exception {
    String topic = "temps-fence";
    String loc = location("fence");
    cluster.createTopic(topic, 2);
    // A zombie: a task of the same connector that lost partition 0 while holding rows 0..499 of it.
    FakeSinkTaskContext zombieContext = new FakeSinkTaskContext();
    Map<String, String> zombieProps = new HashMap<>(sinkConfig(topic, loc, 1));
    SinkWriter zombie =
        new SinkWriter(new DeltaSinkConfig(zombieProps), "sink-fence", zombieContext, Time.SYSTEM);
    TopicPartition p0 = new TopicPartition(topic, 0);
    zombie.open(List.of(p0));
    zombie.put(zombieRecords(topic, 500));

    cluster.connect.configureConnector("sink-fence", sinkConfig(topic, loc, 1));
    cluster.produce(topic, 2, 0, 2_000);
    cluster.awaitCommitted(loc, "sink-fence", topic, 2, TIMEOUT);
    long before = new KernelReader(loc).snapshot().getVersion();

    zombie.flush();
    assertThat(zombieContext.offsets).containsEntry(p0, 1_000L);
    assertThat(new KernelReader(loc).snapshot().getVersion())
        .as("the late commit wrote nothing")
        .isEqualTo(before);
    assertThat(assertExactlyOnce(loc, topic, endOffsets(topic, 2))).isEqualTo(2_000);
    try (Stream<Path> files = Files.list(tmp.resolve("fence"))) {
      assertThat(
              files
                  .filter(f -> f.getFileName().toString().startsWith("part-" + topic + "-0-0-"))
                  .count())
          .as("zombie's file for offset 0 deleted; only the live task's file from offset 0 remains")
          .isEqualTo(1);
    }
    zombie.close();
    cluster.connect.deleteConnector("sink-fence");
  }

  private static List<SinkRecord> zombieRecords(String topic, int count) {
    Schema schema =
        SchemaBuilder.struct()
            .name("temperature")
            .field("city", Schema.STRING_SCHEMA)
            .field("seq", Schema.INT64_SCHEMA)
            .field("temperature", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("observed", Timestamp.SCHEMA)
            .build();
    List<SinkRecord> out = new ArrayList<>();
    for (long o = 0; o < count; o++) {
      Struct s =
          new Struct(schema)
              .put("city", "zombie")
              .put("seq", o)
              .put("temperature", 0.0)
              .put("observed", new java.util.Date(o));
      out.add(new SinkRecord(topic, 0, null, null, schema, s, o));
    }
    return out;
  }
}
