package io.deltasink.connect.delta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The task's own Kafka client settings: where they come from, and the errors a user gets. */
class KafkaClientConfigsTest {
  private static Map<String, String> base() {
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "file:///tmp/t");
    return p;
  }

  @Test
  void theAddressAndSecuritySettingsComeFromTheConsumerOverridesUnlessGiven() {
    Map<String, String> p = base();
    p.put("consumer.override.bootstrap.servers", "broker-1:9093");
    p.put("consumer.override.security.protocol", "SASL_SSL");
    p.put("consumer.override.sasl.mechanism", "PLAIN");
    p.put("consumer.override.group.id", "not-for-admin");
    p.put("consumer.override.max.poll.records", "500");
    Map<String, Object> admin = new DeltaSinkConfig(p).adminConfig();
    assertThat(admin)
        .containsEntry("bootstrap.servers", "broker-1:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN")
        .doesNotContainKeys("group.id", "max.poll.records");
    p.put("delta.kafka.bootstrap.servers", "broker-2:9092");
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("names another cluster than consumer.override.bootstrap.servers");
    p.remove("consumer.override.bootstrap.servers");
    assertThat(new DeltaSinkConfig(p).adminConfig())
        .containsEntry("bootstrap.servers", "broker-2:9092");
    assertThat(new DeltaSinkConfig(base()).adminConfig()).isEmpty();
  }

  @Test
  void runOnceWithoutAnAddressAndBadClientSettingsAreRefusedNamingTheKey() {
    Map<String, String> p = base();
    p.put("delta.run.mode", "available-now");
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("delta.kafka.bootstrap.servers")
        .hasMessageContaining("available-now");
    p.put("delta.kafka.bootstrap.servers", "broker-1");
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'broker-1' is not host:port");
    p.put("delta.kafka.bootstrap.servers", "broker-1:9092");
    p.put("consumer.override.security.protocol", "SASL_TLS");
    p.put("consumer.override.sasl.jaas.config", "secret-jaas-line");
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("delta.kafka.bootstrap.servers")
        .hasMessageNotContaining("secret-jaas-line");
    p.put("consumer.override.security.protocol", "SASL_SSL");
    assertThat(new DeltaSinkConfig(p).availableNow()).isTrue();
    p.put("delta.kafka.sasl.mechanizm", "PLAIN");
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("delta.kafka.sasl.mechanizm is not a setting");
    p.remove("delta.kafka.sasl.mechanizm");
    p.put("delta.kafka.sasl.mechanism", "SCRAM-SHA-512");
    assertThat(new DeltaSinkConfig(p).adminConfig())
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("security.protocol", "SASL_SSL");
    assertThat(DeltaSinkConfig.crossFieldErrors(p)).isEmpty();
  }
}
