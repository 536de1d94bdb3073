package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker leaves and rejoins a 3-worker cluster while data flows: tasks move, nothing is lost or doubled. */
class RebalanceIT {
  private static final String TOPIC = "rebalance";
  private static final int PARTITIONS = 6;
  @TempDir Path tmp;

  @Test
  void aWorkerLeavesAndRejoinsWhileDataFlows() throws Exception {
    try (ConnectCluster cluster = new ConnectCluster("rebalance-it", 3)) {
      cluster.createTopic(TOPIC, PARTITIONS);
      String location = tmp.resolve("rebalance").toUri().toString();
      Map<String, String> c = ConnectCluster.sinkConfig(TOPIC, location, 3);
      c.put("delta.flush.interval.ms", "500");
      c.put("consumer.override.max.poll.records", "200");
      cluster.connect.configureConnector("rebalance", c);
      cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("rebalance", 3, "not running");

      Thread producer = new Thread(() -> {
        try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
          for (long s = 0; s < 45_000; s++) {
            p.send(new ProducerRecord<>(TOPIC, (int) (s % PARTITIONS), null, ConnectCluster.temperatureJson(s, "c" + (s % 6))));
            if (s % 1_500 == 1_499) {
              p.flush();
              Thread.sleep(500);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      producer.start();
      Thread.sleep(4_000);
      WorkerHandle leaving = cluster.connect.workers().stream().filter(w -> !w.url().toString().contains(
          cluster.connect.connectorStatus("rebalance").connector().workerId())).findFirst().orElseThrow();
      cluster.connect.removeWorker(leaving);
      System.out.println("[measure] a worker left while data flowed");
      Thread.sleep(5_000);
      cluster.connect.addWorker();
      System.out.println("[measure] a worker rejoined");
      producer.join();
      cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("rebalance", 3, "not running after rebalance");
      cluster.awaitCommitted(location, "rebalance", TOPIC, PARTITIONS, Duration.ofSeconds(120));

      List<Map<String, Object>> rows = new KernelReader(location).rows();
      Map<Integer, Long> ends = cluster.endOffsets(TOPIC, PARTITIONS);
      assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(45_000);
      ExactlyOnce.assertEachOffsetOnce(rows, ends);
      System.out.printf("[measure] rebalance: %d rows, each offset once, %d Delta versions%n", rows.size(),
          new KernelReader(location).snapshot().getVersion() + 1);
    }
  }
}
