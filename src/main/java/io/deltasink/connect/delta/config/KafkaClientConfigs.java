package io.deltasink.connect.delta.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The task's own Kafka client (an {@code Admin}) and what it is for: run-once ingestion ({@code
 * delta.run.mode=available-now}, Spark's {@code trigger(availableNow=True)}) and data-loss
 * detection ({@code delta.data.loss.policy}, Spark's {@code failOnDataLoss}). A sink task cannot
 * use the worker's consumer to read a partition's earliest and end offsets, so it asks the cluster
 * itself, at the address of {@code delta.kafka.bootstrap.servers} or, when that is not set, of
 * {@code consumer.override.bootstrap.servers}, with the connection settings ({@code
 * security.protocol}, {@code sasl.*}, {@code ssl.*}, timeouts) of the connector's {@code
 * consumer.override.*} keys. See docs/exactly-once.md, "Data loss".
 */
public final class KafkaClientConfigs {
  public static final String RUN_MODE_CONFIG = "delta.run.mode";
  public static final String DATA_LOSS_POLICY_CONFIG = "delta.data.loss.policy";
  public static final String BOOTSTRAP_SERVERS_CONFIG = "delta.kafka.bootstrap.servers";

  /**
   * Prefix of the task's admin client settings ({@code delta.kafka.security.protocol}, {@code
   * delta.kafka.sasl.jaas.config}, ...), over the {@code consumer.override.*} ones: for workers
   * whose override policy forbids consumer overrides. Secrets through a config provider.
   */
  public static final String PREFIX = "delta.kafka.";

  private static final String CONSUMER_OVERRIDE = "consumer.override.";
  private static final String GROUP = "Kafka client";

  /** Consumer settings that mean nothing to an admin client or must stay the task's own. */
  private static final Set<String> NOT_FOR_ADMIN = Set.of("client.id", "group.id");

  private KafkaClientConfigs() {}

  static void define(ConfigDef def) {
    int order = 0;
    def.define(
        RUN_MODE_CONFIG,
        Type.STRING,
        "continuous",
        ConfigDef.CaseInsensitiveValidString.in("continuous", "available-now"),
        Importance.MEDIUM,
        "continuous: the connector runs until stopped. available-now: a scheduled drain, as Spark's"
            + " trigger(availableNow=True): each task takes its partitions' end offsets when it is"
            + " given them, writes up to them and no further (the partitions are paused there),"
            + " commits, and then stays idle, saying so in the task MBean (RunOnceDone) and an INFO"
            + " line; the RunOnce command (docs/run-once.md) resumes the connector, waits for the end"
            + " offsets and stops it. Needs the Kafka address: "
            + BOOTSTRAP_SERVERS_CONFIG
            + " or consumer.override.bootstrap.servers.",
        GROUP,
        ++order,
        Width.SHORT,
        "Run mode");
    def.define(
        DATA_LOSS_POLICY_CONFIG,
        Type.STRING,
        "fail",
        ConfigDef.CaseInsensitiveValidString.in("fail", "warn"),
        Importance.MEDIUM,
        "What a task does when it opens a partition whose records after the table's committed offset"
            + " are gone from Kafka (deleted by retention or compaction before the sink wrote them), or"
            + " whose end offset is below the committed offset (the topic was deleted and recreated):"
            + " fail (the task fails naming topic, partition, the committed and the available offsets,"
            + " and what to do) or warn (logs, counts RecordsLost in the task MBean, and goes on from"
            + " the earliest offset). Needs the Kafka address: "
            + BOOTSTRAP_SERVERS_CONFIG
            + " or consumer.override.bootstrap.servers; without it the check is off and the task says"
            + " so when it starts.",
        GROUP,
        ++order,
        Width.SHORT,
        "Data loss policy");
    def.define(
        BOOTSTRAP_SERVERS_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        "The Kafka cluster the connector reads (the worker's bootstrap.servers), for the task's own"
            + " admin client that reads partitions' earliest and end offsets. Default:"
            + " consumer.override.bootstrap.servers when set. The client connects with the"
            + " connector's consumer.override.* security settings (security.protocol, sasl.*, ssl.*).",
        GROUP,
        ++order,
        Width.LONG,
        "Kafka bootstrap servers");
  }

  /** Whether {@code delta.run.mode=available-now}. */
  static boolean availableNow(Map<String, String> props) {
    return props
        .getOrDefault(RUN_MODE_CONFIG, "continuous")
        .trim()
        .equalsIgnoreCase("available-now");
  }

  /** Whether {@code delta.data.loss.policy=warn}. */
  static boolean warnOnDataLoss(Map<String, String> props) {
    return props.getOrDefault(DATA_LOSS_POLICY_CONFIG, "fail").trim().equalsIgnoreCase("warn");
  }

  /**
   * The admin client settings {@code props} give, or empty when no Kafka address is known. Values
   * are the connector's as the worker resolved them (config providers included).
   */
  public static Map<String, Object> adminConfig(Map<String, String> props) {
    Map<String, Object> out = new LinkedHashMap<>();
    Set<String> known = AdminClientConfig.configNames();
    for (Map.Entry<String, String> e : props.entrySet()) {
      if (e.getKey().startsWith(CONSUMER_OVERRIDE)) {
        String key = e.getKey().substring(CONSUMER_OVERRIDE.length());
        if (known.contains(key) && !NOT_FOR_ADMIN.contains(key)) {
          out.put(key, e.getValue());
        }
      }
    }
    for (Map.Entry<String, String> e : props.entrySet()) {
      if (e.getKey().startsWith(PREFIX)) {
        String key = e.getKey().substring(PREFIX.length());
        if (known.contains(key) && !NOT_FOR_ADMIN.contains(key) && !e.getValue().isBlank()) {
          out.put(key, e.getValue().trim());
        }
      }
    }
    Object servers = out.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    if (servers == null || servers.toString().isBlank()) {
      return Map.of();
    }
    return out;
  }

  /**
   * What is wrong with the admin client settings, or null: they must make a valid {@link
   * AdminClientConfig} (an unknown security protocol, a malformed address).
   */
  static String problem(Map<String, String> props) {
    for (String key : props.keySet()) {
      if (key.startsWith(PREFIX)
          && !DeltaSinkConfig.CONFIG_DEF.names().contains(key)
          && !AdminClientConfig.configNames().contains(key.substring(PREFIX.length()))) {
        return key
            + " is not a setting of this connector, nor (without the prefix) of Kafka's admin"
            + " client";
      }
    }
    String own = props.getOrDefault(BOOTSTRAP_SERVERS_CONFIG, "").trim();
    String consumers = props.getOrDefault(CONSUMER_OVERRIDE + "bootstrap.servers", "").trim();
    if (!own.isEmpty() && !consumers.isEmpty() && !own.equals(consumers)) {
      return BOOTSTRAP_SERVERS_CONFIG
          + " names another cluster than consumer.override.bootstrap.servers, which the connector"
          + " reads: leave it out (the consumer's address is used) or make them equal";
    }
    Map<String, Object> admin = adminConfig(props);
    if (admin.isEmpty()) {
      return availableNow(props)
          ? RUN_MODE_CONFIG
              + "=available-now reads its partitions' end offsets from Kafka: set "
              + BOOTSTRAP_SERVERS_CONFIG
              + " to the worker's bootstrap.servers (or consumer.override.bootstrap.servers)"
          : null;
    }
    try {
      new AdminClientConfig(admin);
      String servers = admin.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG).toString();
      for (String s : servers.split(",")) {
        String hostPort = s.trim();
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || !hostPort.substring(colon + 1).matches("\\d+")) {
          return "'" + hostPort + "' is not host:port";
        }
      }
      String protocol =
          String.valueOf(admin.getOrDefault("security.protocol", "PLAINTEXT"))
              .toUpperCase(Locale.ROOT);
      org.apache.kafka.common.security.auth.SecurityProtocol.forName(protocol);
      return null;
    } catch (RuntimeException e) {
      return "the task's Kafka client settings are not valid: " + e.getMessage();
    }
  }
}
