package io.deltasink.connect.delta.table.backend;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.config.TableRoutes;
import io.deltasink.connect.delta.table.Sleeper;
import io.deltasink.connect.delta.table.TableProperties;
import io.deltasink.connect.delta.table.kernel.KernelFeatures;
import io.deltasink.connect.delta.table.kernel.KernelTableLog;
import io.deltasink.connect.delta.table.standalone.StandaloneTableLog;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the connector's Delta tables through the backend each needs, and checks them up front. */
public final class DeltaTables {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaTables.class);

  private final DeltaSinkConfig config;
  private final Configuration conf;
  private final String engineInfo;
  private final Sleeper sleeper;

  /**
   * @param conf the task's Hadoop configuration (log stores, credentials)
   * @param engineInfo written as {@code commitInfo.engineInfo}
   * @param sleeper waits between commit attempts
   */
  public DeltaTables(
      DeltaSinkConfig config, Configuration conf, String engineInfo, Sleeper sleeper) {
    this.config = config;
    this.conf = conf;
    this.engineInfo = engineInfo;
    this.sleeper = sleeper;
  }

  /** The table at {@code location}; see {@link ProtocolAwareTableLog}. */
  public ProtocolAwareTableLog open(String location, String tableName) {
    Map<String, String> properties = config.tableProperties();
    return new ProtocolAwareTableLog(
        location,
        () ->
            new StandaloneTableLog(
                location,
                conf,
                tableName,
                engineInfo,
                config.commitAttempts(),
                config.commitBackoffMs(),
                sleeper,
                properties,
                config.smallFileBytes()),
        () ->
            new KernelTableLog(
                location,
                conf,
                engineInfo,
                config.commitAttempts(),
                config.commitBackoffMs(),
                sleeper,
                properties),
        () -> probe(location),
        TableProperties.needNewerProtocol(properties));
  }

  private ProtocolAwareTableLog.Found probe(String location) {
    int[] versions = KernelFeatures.protocolVersions(location, conf);
    if (versions == null) {
      return ProtocolAwareTableLog.Found.NO_TABLE;
    }
    return versions[0] <= 1 && versions[1] <= 2
        ? ProtocolAwareTableLog.Found.PROTOCOL_ONE_TWO
        : ProtocolAwareTableLog.Found.NEWER_PROTOCOL;
  }

  /**
   * The existing tables of a valid configuration that this connector cannot write, as errors by the
   * key that names them ({@code delta.table.location}, or the routing key): the check {@code
   * validate()} adds to the configuration's own, so a {@code PUT} of such a connector fails with
   * the reason. Tables behind a wildcard route are checked when a task first writes them. A table
   * whose storage cannot be reached now is not an error here (the task retries it).
   */
  public static Map<String, String> refusals(DeltaSinkConfig config) {
    TableRoutes routes = config.routes();
    Set<String> locations = new LinkedHashSet<>();
    String key;
    if (routes.topics().isEmpty()) {
      locations.add(config.tableLocation());
      key = DeltaSinkConfig.TABLE_LOCATION_CONFIG;
    } else {
      routes.topics().forEach(t -> locations.add(routes.route(t).location()));
      key = DeltaSinkConfig.TABLES_ROUTING_CONFIG;
    }
    Map<String, String> errors = new LinkedHashMap<>();
    Configuration conf = HadoopConf.build(config.hadoopOverrides());
    try {
      for (String location : locations) {
        if (location == null || location.isBlank()) {
          continue;
        }
        Optional<String> refusal;
        try {
          refusal = KernelFeatures.refusal(location, conf);
        } catch (RuntimeException e) {
          LOG.info(
              "Could not read Delta table {} to check its protocol: {}", location, e.toString());
          continue;
        }
        refusal.ifPresent(r -> errors.merge(key, r, (a, b) -> a + " " + b));
      }
    } finally {
      HadoopConf.close(conf);
    }
    return errors;
  }
}
