package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo.TaskState;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker leaves and rejoins a 3-worker cluster while data flows: its tasks move to the other
 * workers and go on committing, and nothing is lost or doubled.
 */
class RebalanceIT {
  private static final String TOPIC = "rebalance";
  private static final String CONNECTOR = "rebalance";
  private static final int PARTITIONS = 6;
  private static final int RECORDS = 45_000;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  @TempDir Path tmp;

  @Test
  void aWorkerLeavesAndRejoinsWhileDataFlows() throws Exception {
    try (ConnectCluster cluster = new ConnectCluster("rebalance-it", 3)) {
      cluster.createTopic(TOPIC, PARTITIONS);
      String location = tmp.resolve("rebalance").toUri().toString();
      Map<String, String> c = ConnectCluster.sinkConfig(TOPIC, location, 3);
      c.put("delta.flush.interval.ms", "500");
      c.put("consumer.override.max.poll.records", "200");
      cluster.connect.configureConnector(CONNECTOR, c);
      cluster
          .connect
          .assertions()
          .assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 3, "not running");

      AtomicLong produced = new AtomicLong();
      // Data flows for about 22 s, through the whole rebalance.
      Thread producer =
          cluster.startPacedProducer(
              TOPIC, PARTITIONS, RECORDS, 1_000, 500, () -> true, produced::set);
      ConnectCluster.waitFor(
          TIMEOUT,
          "rows of every partition committed before the move",
          () -> committed(location).values().stream().allMatch(o -> o >= 0));

      // A worker that runs a task but not the connector leaves: its tasks must run elsewhere.
      ConnectorStateInfo before = cluster.connect.connectorStatus(CONNECTOR);
      WorkerHandle leaving =
          cluster.connect.workers().stream()
              .filter(w -> !workerId(w).equals(before.connector().workerId()))
              .filter(w -> before.tasks().stream().anyMatch(t -> workerId(w).equals(t.workerId())))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError("no worker runs a task without the connector: " + before));
      String leavingId = workerId(leaving); // its url() is gone once it stopped
      List<Integer> moving =
          before.tasks().stream()
              .filter(t -> leavingId.equals(t.workerId()))
              .map(TaskState::id)
              .toList();
      long leftAt = System.nanoTime();
      cluster.connect.removeWorker(leaving);
      ConnectCluster.waitFor(
          TIMEOUT,
          "tasks " + moving + " running on another worker",
          () -> {
            ConnectorStateInfo s = cluster.connect.connectorStatus(CONNECTOR);
            return s.tasks().size() == 3
                && s.tasks().stream()
                    .allMatch(t -> "RUNNING".equals(t.state()) && !leavingId.equals(t.workerId()));
          });
      long producedAtMove = produced.get();
      Map<Integer, Long> atMove = committed(location);
      System.out.printf(
          "[measure] tasks %s running on other workers %.1f s after their worker left; %,d records produced "
              + "so far%n",
          moving, (System.nanoTime() - leftAt) / 1e9, producedAtMove);
      assertThat(producedAtMove)
          .as("records still to produce when the tasks had moved")
          .isLessThan(RECORDS);
      ConnectCluster.waitFor(
          TIMEOUT,
          "rows of every partition committed after the move",
          () -> {
            Map<Integer, Long> now = committed(location);
            return atMove.keySet().stream().allMatch(p -> now.get(p) > atMove.get(p));
          });

      cluster.connect.addWorker();
      System.out.println("[measure] a worker rejoined");
      producer.join();
      cluster
          .connect
          .assertions()
          .assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 3, "not running after rebalance");
      cluster.awaitCommitted(location, CONNECTOR, TOPIC, PARTITIONS, Duration.ofSeconds(120));

      List<Map<String, Object>> rows = new KernelReader(location).rows();
      Map<Integer, Long> ends = cluster.endOffsets(TOPIC, PARTITIONS);
      assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(RECORDS);
      ExactlyOnce.assertEachOffsetOnce(rows, ends);
      System.out.printf(
          "[measure] rebalance: %d rows, each offset once, %d Delta versions%n",
          rows.size(), new KernelReader(location).snapshot().getVersion() + 1);
    }
  }

  private static Map<Integer, Long> committed(String location) {
    return ConnectCluster.committedOffsets(location, CONNECTOR, TOPIC, PARTITIONS);
  }

  /** The id a running worker has in connector statuses: the host:port its REST API advertises. */
  private static String workerId(WorkerHandle w) {
    return w.url().getHost() + ":" + w.url().getPort();
  }
}
