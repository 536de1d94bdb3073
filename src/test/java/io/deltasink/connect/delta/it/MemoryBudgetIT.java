package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SampleData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.runtime.ConnectorConfig;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 partitions receiving data at once into a worker with {@code -Xmx512m}: every partition
 * holds an open Parquet file, which is what exhausts memory without a budget. The worker must stay
 * alive and write every record exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemoryBudgetIT {
  private static final String TOPIC = "many-partitions";
  private static final int PARTITIONS = 1_000;
  private static final int RECORDS = 200_000;
  private ConnectCluster cluster;
  private ChildWorker worker;
  @TempDir Path tmp;

  @BeforeAll
  void start() throws Exception {
    cluster = new ConnectCluster("memory-it", 1);
    cluster.createTopic(TOPIC, PARTITIONS);
    worker =
        new ChildWorker(
            cluster, "memory-workers", Files.createDirectories(Path.of("target/memory-it")));
  }

  @AfterAll
  void stop() throws InterruptedException {
    worker.close();
    cluster.close();
  }

  private long committed(String connector) throws Exception {
    String body = worker.get("/connectors/" + connector + "/offsets");
    long sum = 0;
    if (body != null) {
      for (JsonNode o : new ObjectMapper().readTree(body).path("offsets")) {
        sum += o.path("offset").path("kafka_offset").asLong();
      }
    }
    return sum;
  }

  @Test
  void aThousandPartitionsFitA512MegabyteWorker() throws Exception {
    List<String> lines = SampleData.temperatureLines();
    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      for (int i = 0; i < RECORDS; i++) {
        p.send(
            new ProducerRecord<>(
                TOPIC,
                i % PARTITIONS,
                null,
                lines.get(i % lines.size()).getBytes(StandardCharsets.UTF_8)));
      }
      p.flush();
    }
    worker.start(0, "512m", List.of("-XX:+ExitOnOutOfMemoryError"));
    String location = tmp.resolve("many").toUri().toString();
    Map<String, String> c = new HashMap<>(ConnectCluster.sinkConfig(TOPIC, location, 1));
    c.put(ConnectorConfig.VALUE_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
    c.put("delta.table.mapping", "temperatures_mapping");
    c.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    c.put("delta.flush.interval.ms", "30000");
    c.put("consumer.override.max.poll.records", "2000");
    worker.putConnector("many", c);
    long start = System.nanoTime();
    ConnectCluster.waitFor(
        Duration.ofSeconds(240),
        "every record committed",
        () -> {
          assertThat(worker.process().isAlive())
              .as("the worker is alive; see " + worker.log(0))
              .isTrue();
          String status =
              worker.get("/connectors/many/status"); // null while the worker is busy or starting
          assertThat(status == null ? "" : status).as("task status").doesNotContain("FAILED");
          try {
            return committed("many") == RECORDS;
          } catch (Exception e) {
            return false;
          }
        });
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Map<String, Object>> rows = new KernelReader(location).rows();
    Map<Integer, Long> ends = cluster.endOffsets(TOPIC, PARTITIONS);
    assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(RECORDS);
    ExactlyOnce.assertEachOffsetOnce(rows, ends);
    assertThat(Files.readString(worker.log(0))).doesNotContain("OutOfMemoryError");
    System.out.printf(
        "[measure] %,d records over %,d partitions into a -Xmx512m worker in %.1f s, %d Delta versions%n",
        RECORDS, PARTITIONS, seconds, new KernelReader(location).snapshot().getVersion() + 1);
  }
}
