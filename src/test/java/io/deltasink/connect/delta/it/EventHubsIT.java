package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SampleData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Event Hubs example ({@code config/eventhubs-connector.json}) against a local broker
 * whose listener takes SASL PLAIN the way an Event Hubs namespace's Kafka endpoint does: the user
 * {@code $ConnectionString}, the connection string as password ({@link EventHubsStandIn}). The
 * connector runs on a worker of its own Kafka cluster and reads the stand-in through the example's
 * {@code consumer.override.*} settings, its connection string through the worker's {@code
 * FileConfigProvider}. The only change to the example: {@code SASL_PLAINTEXT} for {@code SASL_SSL}
 * (no TLS locally) and local paths. No live Event Hubs namespace is tested.
 */
class EventHubsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final int RECORDS = 2_000;

  @TempDir Path tmp;

  private static String jaas(String password) {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required"
        + " username=\"$ConnectionString\" password=\""
        + password
        + "\";";
  }

  private static EmbeddedKafkaCluster eventHubs() {
    Properties broker = new Properties();
    broker.put("listener.security.protocol.map", "EXTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    broker.put("sasl.enabled.mechanisms", "PLAIN");
    broker.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    broker.put(
        "listener.name.external.plain.sasl.server.callback.handler.class",
        EventHubsStandIn.class.getName());
    broker.put(
        "listener.name.external.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required;");
    Map<String, String> clients = new HashMap<>();
    clients.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    clients.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
    clients.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(EventHubsStandIn.CONNECTION_STRING));
    EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(1, broker, clients);
    cluster.start();
    return cluster;
  }

  private static Map<String, Object> sasl(String bootstrap, String password) {
    Map<String, Object> c = new HashMap<>();
    c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    c.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
    c.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(password));
    return c;
  }

  @Test
  void theExampleReadsAnEventHubsStyleEndpointThroughAConfigProvider() throws Exception {
    EmbeddedKafkaCluster eventHubs = eventHubs();
    try (ConnectCluster cluster =
        new ConnectCluster(
            "eventhubs-it",
            1,
            Map.of(
                "config.providers",
                "file",
                "config.providers.file.class",
                "org.apache.kafka.common.config.provider.FileConfigProvider"))) {
      eventHubs.createTopic("temperatures", 2);
      List<String> lines = SampleData.temperatureLines().subList(0, RECORDS);
      Map<String, Object> producer =
          sasl(eventHubs.bootstrapServers(), EventHubsStandIn.CONNECTION_STRING);
      producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producer)) {
        for (int i = 0; i < lines.size(); i++) {
          p.send(
              new ProducerRecord<>(
                  "temperatures", i % 2, null, lines.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        p.flush();
      }

      Path secrets = tmp.resolve("eventhubs.properties");
      Files.writeString(secrets, "connection.string=" + EventHubsStandIn.CONNECTION_STRING + "\n");
      String location = tmp.resolve("weather/temperatures").toUri().toString();
      Map<String, String> config = new HashMap<>();
      JsonNode example =
          new ObjectMapper().readTree(Path.of("config/eventhubs-connector.json").toFile());
      example.fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
      config.keySet().removeIf(k -> k.startsWith("delta.azure."));
      config.put("delta.table.location", location);
      config.put("delta.flush.interval.ms", "1000");
      config.put("tasks.max", "2");
      config.put("consumer.override.bootstrap.servers", eventHubs.bootstrapServers());
      assertThat(config.get("consumer.override.security.protocol")).isEqualTo("SASL_SSL");
      config.put("consumer.override.security.protocol", "SASL_PLAINTEXT");
      config.put(
          "consumer.override.sasl.jaas.config",
          config
              .get("consumer.override.sasl.jaas.config")
              .replace("/etc/kafka-connect/secrets/eventhubs.properties", secrets.toString()));
      cluster.connect.configureConnector("eventhubs", config);

      long end0 = eventHubs.endOffset(new TopicPartition("temperatures", 0));
      long end1 = eventHubs.endOffset(new TopicPartition("temperatures", 1));
      ConnectCluster.waitFor(
          TIMEOUT,
          "the table to hold every record read from the Event Hubs stand-in",
          () -> {
            try {
              KernelReader reader = new KernelReader(location);
              return reader.txnVersion("eventhubs/temperatures/0") == end0 - 1
                  && reader.txnVersion("eventhubs/temperatures/1") == end1 - 1;
            } catch (RuntimeException e) {
              return false;
            }
          });
      cluster.connect.deleteConnector("eventhubs");
      assertThat(new KernelReader(location).rows()).hasSize(RECORDS);
      try (Stream<Path> log = Files.list(tmp.resolve("weather/temperatures/_delta_log"))) {
        for (Path f : log.filter(Files::isRegularFile).toList()) {
          assertThat(Files.readString(f, StandardCharsets.ISO_8859_1))
              .as("the connection string in %s", f.getFileName())
              .doesNotContain("SharedAccessKey");
        }
      }
    } finally {
      eventHubs.stop();
    }
  }

  /** The stand-in refuses a wrong connection string, as Event Hubs does. */
  @Test
  void theStandInRefusesAnotherConnectionString() {
    EmbeddedKafkaCluster eventHubs = eventHubs();
    try {
      Map<String, Object> c =
          sasl(eventHubs.bootstrapServers(), "Endpoint=sb://other/;SharedAccessKey=x");
      c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
        assertThatThrownBy(() -> consumer.listTopics(Duration.ofSeconds(30)))
            .isInstanceOf(SaslAuthenticationException.class);
      }
    } finally {
      eventHubs.stop();
    }
  }
}
