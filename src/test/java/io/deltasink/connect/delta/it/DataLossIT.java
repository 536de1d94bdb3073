package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-loss detection ({@code delta.data.loss.policy}) through a real worker: records a stopped
 * connector never wrote are deleted from Kafka (the log start offset moved past them, as retention
 * does: {@code Admin.deleteRecords}), and a topic is deleted and recreated under a connector's
 * table. With {@code fail} the task fails naming topic, partition and offsets; with {@code warn} it
 * goes on and counts the records lost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataLossIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private ConnectCluster cluster;
  @TempDir Path tmp;

  @BeforeAll
  void start() {
    cluster = new ConnectCluster("data-loss-it", 1);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private Map<String, String> config(String topic, String location, String policy) {
    Map<String, String> c = ConnectCluster.sinkConfig(topic, location, 1);
    c.put("delta.kafka.bootstrap.servers", cluster.connect.kafka().bootstrapServers());
    c.put("delta.data.loss.policy", policy);
    return c;
  }

  /** Waits until the connector's task failed with a trace holding every one of {@code parts}. */
  private String awaitFailure(String connector, String... parts) throws InterruptedException {
    String[] trace = new String[1];
    ConnectCluster.waitFor(
        TIMEOUT,
        connector + "'s task to fail",
        () -> {
          try {
            ConnectorStateInfo s = cluster.connect.connectorStatus(connector);
            if (s.tasks().isEmpty() || !"FAILED".equals(s.tasks().get(0).state())) {
              return false;
            }
            trace[0] = s.tasks().get(0).trace();
            return true;
          } catch (RuntimeException e) {
            return false;
          }
        });
    assertThat(trace[0]).contains(parts);
    return trace[0];
  }

  private static TreeSet<Long> offsets(String location) {
    TreeSet<Long> out = new TreeSet<>();
    for (Map<String, Object> row : new KernelReader(location).rows()) {
      assertThat(out.add((Long) row.get("kafka_offset"))).isTrue();
    }
    return out;
  }

  @Test
  void recordsDeletedBeforeTheSinkWroteThemFailTheTaskOrAreCountedWithWarn() throws Exception {
    String topic = "retained";
    String location = tmp.resolve("retained").toUri().toString();
    cluster.createTopic(topic, 1);
    cluster.produce(topic, 1, 0, 100);
    cluster.connect.configureConnector(topic, config(topic, location, "fail"));
    cluster.awaitCommitted(location, topic, topic, 1, TIMEOUT);
    cluster.connect.stopConnector(topic);
    cluster.produce(topic, 1, 100, 100);
    try (Admin admin = cluster.connect.kafka().createAdminClient()) {
      admin
          .deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(150)))
          .all()
          .get();
    }
    cluster.connect.resumeConnector(topic);
    String trace =
        awaitFailure(
            topic,
            "Data loss on topic 'retained' partition 0",
            "holds offsets up to 99",
            "earliest offset is 150",
            "the 50 records from offset 100 to 149 were deleted",
            "delta.data.loss.policy=warn");
    System.out.printf("[measure] data loss reported: %s%n", trace.lines().findFirst().orElse(""));
    assertThat(offsets(location)).hasSize(100).last().isEqualTo(99L);

    // The user accepts the loss.
    cluster.connect.configureConnector(topic, config(topic, location, "warn"));
    cluster.awaitCommitted(location, topic, topic, 1, TIMEOUT);
    TreeSet<Long> offsets = offsets(location);
    assertThat(offsets).hasSize(150);
    assertThat(offsets.headSet(100L)).hasSize(100);
    assertThat(offsets.tailSet(100L).first()).isEqualTo(150L);
    assertThat(ConnectCluster.sinkTaskMetric(topic, 0, "RecordsLost")).isEqualTo(50);
    assertThat(ConnectCluster.sinkTaskMetric(topic, 0, "DataLossEvents")).isEqualTo(1);
    cluster.connect.deleteConnector(topic);
  }

  @Test
  void aDeletedAndRecreatedTopicFailsTheTask() throws Exception {
    String topic = "recreated";
    String location = tmp.resolve("recreated").toUri().toString();
    cluster.createTopic(topic, 1);
    cluster.produce(topic, 1, 0, 100);
    cluster.connect.configureConnector(topic, config(topic, location, "fail"));
    cluster.awaitCommitted(location, topic, topic, 1, TIMEOUT);
    cluster.connect.deleteConnector(topic);
    cluster.connect.kafka().deleteTopic(topic);
    ConnectCluster.waitFor(
        TIMEOUT,
        "the topic gone",
        () -> cluster.connect.kafka().describeTopics(topic).get(topic).isEmpty());
    cluster.createTopic(topic, 1);
    cluster.produce(topic, 1, 0, 20);
    cluster.connect.configureConnector(topic, config(topic, location, "fail"));
    awaitFailure(
        topic,
        "Data loss on topic 'recreated' partition 0",
        "end offset is 20, at or below the table's committed offset 99",
        "new delta.app.id");
    assertThat(offsets(location)).hasSize(100);
    cluster.connect.deleteConnector(topic);
  }
}
