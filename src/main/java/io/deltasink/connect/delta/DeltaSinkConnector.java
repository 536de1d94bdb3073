package io.deltasink.connect.delta;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.sink.Version;
import io.deltasink.connect.delta.table.backend.DeltaTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect sink that writes records into Delta Lake tables exactly once: every task commits
 * its Parquet files together with one Delta {@code txn} action per Kafka partition, and the Delta
 * log, not the consumer group, says where each partition resumes.
 */
public class DeltaSinkConnector extends SinkConnector {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaSinkConnector.class);

  /** The connector-level override of the sink consumer's isolation level (KIP-458). */
  static final String ISOLATION_LEVEL_OVERRIDE = "consumer.override.isolation.level";

  private Map<String, String> props;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    // Fails start-up with the same messages validate() shows per field.
    new DeltaSinkConfig(props);
    this.props = new HashMap<>(props);
    if (!"read_committed"
        .equalsIgnoreCase(props.getOrDefault(ISOLATION_LEVEL_OVERRIDE, "").trim())) {
      // Connect's sink consumers read read_uncommitted unless told otherwise, whatever the worker's
      // own consumer.
      LOG.warn(
          "Connector {}: {} is not read_committed, so records of aborted Kafka transactions are written to Delta "
              + "like any other. Set {}=read_committed (the worker's connector.client.config.override.policy must allow "
              + "it; its default, All, does) unless the topics are never written by transactional producers",
          props.getOrDefault("name", "?"),
          ISOLATION_LEVEL_OVERRIDE,
          ISOLATION_LEVEL_OVERRIDE);
    }
  }

  @Override
  public Class<? extends Task> taskClass() {
    return DeltaSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> task = new HashMap<>(props);
      task.put(DeltaSinkConfig.TASK_ID_CONFIG, Integer.toString(i));
      configs.add(task);
    }
    return configs;
  }

  @Override
  public void stop() {
    props = null;
  }

  @Override
  public ConfigDef config() {
    return DeltaSinkConfig.CONFIG_DEF;
  }

  /**
   * Adds the cross-field checks to the per-key validation, so the REST API shows them on their key,
   * and, once the configuration is valid, the refusal of an existing table this connector cannot
   * write (a table feature it does not write, {@link DeltaTables#refusals}). An error about a key
   * the config definition does not have (an unknown {@code delta.*} key) is listed as a value of
   * its own, which {@code PUT /connector-plugins/.../config/validate} returns and counts like any
   * other.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config config = super.validate(connectorConfigs);
    Map<String, String> errors =
        new LinkedHashMap<>(DeltaSinkConfig.crossFieldErrors(connectorConfigs));
    if (errors.isEmpty()
        && config.configValues().stream().allMatch(v -> v.errorMessages().isEmpty())) {
      // A valid configuration: the existing tables it names must be writable too.
      errors.putAll(DeltaTables.refusals(new DeltaSinkConfig(connectorConfigs)));
    }
    for (ConfigValue value : config.configValues()) {
      String error = errors.remove(value.name());
      if (error != null && !value.errorMessages().contains(error)) {
        value.addErrorMessage(error);
      }
    }
    List<ConfigValue> values = new ArrayList<>(config.configValues());
    errors.forEach(
        (key, error) ->
            values.add(
                new ConfigValue(
                    key, connectorConfigs.get(key), List.of(), new ArrayList<>(List.of(error)))));
    return new Config(values);
  }
}
