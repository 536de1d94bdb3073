package io.deltasink.connect.delta.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.LocalProcesses;
import io.deltasink.connect.delta.testing.SampleData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The connector in the apache/kafka image's Connect worker, loaded from the unpacked zip, on hosts
 * with Docker. Skipped (by Testcontainers) when no Docker engine answers, as on the build machines.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerStackIT {
  private static final String IMAGE = "apache/kafka:4.1.0";
  @TempDir Path plugins;
  @TempDir Path tables;

  @Test
  void writesTheRealSampleThroughAContainerisedWorker() throws Exception {
    PluginArchive archive = PluginArchive.unpack(plugins);
    assertThat(Files.readString(archive.root.resolve("manifest.json"), StandardCharsets.UTF_8))
        .contains("kafka-connect-delta");
    try (Network net = Network.newNetwork();
        KafkaContainer kafka =
            new KafkaContainer(IMAGE)
                .withNetwork(net)
                .withNetworkAliases("kafka")
                .withListener("kafka:19092");
        GenericContainer<?> connect =
            new GenericContainer<>(IMAGE).withNetwork(net).dependsOn(kafka)) {
      kafka.start();
      Properties worker =
          LocalProcesses.workerProperties("kafka:19092", "it", "http://0.0.0.0:8083");
      worker.setProperty("offset.flush.interval.ms", "1000");
      worker.setProperty("plugin.path", "/plugins");
      worker.setProperty("plugin.discovery", "service_load");
      LocalProcesses.write(plugins.resolve("worker.properties"), worker, null);
      connect
          .withFileSystemBind(plugins.toString(), "/plugins", BindMode.READ_ONLY)
          .withFileSystemBind(tables.toString(), "/data/delta", BindMode.READ_WRITE)
          .withCommand("/opt/kafka/bin/connect-distributed.sh", "/plugins/worker.properties")
          .withExposedPorts(8083)
          .waitingFor(
              Wait.forHttp("/connector-plugins")
                  .forPort(8083)
                  .withStartupTimeout(Duration.ofMinutes(2)));
      connect.start();

      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.getBootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("temperatures", 6, (short) 1))).all().get();
      }
      String body = Files.readString(Path.of("config/docker-connector.json"));
      LocalProcesses.putConnector(
          "http://" + connect.getHost() + ":" + connect.getMappedPort(8083), "it", body);

      List<String> lines = SampleData.temperatureLines();
      try (KafkaProducer<String, String> p =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", kafka.getBootstrapServers()),
              new StringSerializer(),
              new StringSerializer())) {
        for (String l : lines) {
          p.send(new ProducerRecord<>("temperatures", l));
        }
      }
      String location = tables.resolve("weather/temperatures").toUri().toString();
      TestUtils.waitForCondition(
          () -> rowCount(location) >= lines.size(),
          Duration.ofMinutes(2).toMillis(),
          2_000,
          () -> "the table to hold " + lines.size() + " rows; it has " + rowCount(location));
      assertThat(rowCount(location)).isEqualTo(lines.size());
    }
  }

  /** Rows of the table, 0 while it does not exist. */
  private static int rowCount(String location) {
    try {
      return new KernelReader(location).rows().size();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
