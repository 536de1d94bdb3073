package io.deltasink.connect.delta.config;

import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders {@link DeltaSinkConfig#CONFIG_DEF} as the Markdown configuration reference in
 * docs/configuration.md, so that the reference is never written twice. {@code ConfigDocsTest} fails
 * when docs/configuration.md is out of date and rewrites it when run with {@code
 * -Dupdate.readme=true}.
 */
public final class ConfigDocs {
  private ConfigDocs() {}

  /** The reference: one table per group, keys in definition order. */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    List<ConfigDef.ConfigKey> keys =
        DeltaSinkConfig.CONFIG_DEF.configKeys().values().stream().toList();
    String group = null;
    for (ConfigDef.ConfigKey key : keys) {
      if (!key.group.equals(group)) {
        group = key.group;
        sb.append("\n#### ").append(group).append("\n\n");
        sb.append("| Key | Type | Default | Valid values | Description |\n");
        sb.append("|---|---|---|---|---|\n");
      }
      sb.append("| `")
          .append(key.name)
          .append("` | ")
          .append(key.type.name().toLowerCase(Locale.ROOT))
          .append(" | ")
          .append(defaultValue(key))
          .append(" | ")
          .append(key.validator == null ? "" : escape(key.validator.toString()))
          .append(" | ")
          .append(escape(key.documentation))
          .append(" |\n");
    }
    sb.append("\n`")
        .append(DeltaSinkConfig.HADOOP_PREFIX)
        .append(
            "*`: any other key with this prefix is passed, prefix "
                + "removed, to the Hadoop configuration used for data files and the Delta log (for example "
                + "`delta.hadoop.fs.azure.account.auth.type`).\n\n`"
                + DeltaSinkConfig.TABLE_PROPERTIES_PREFIX
                + "*`: Delta table properties set, prefix removed, on the tables the sink creates "
                + "(for example `delta.table.properties.delta.checkpointInterval=100`); the sink sets "
                + "`delta.logRetentionDuration=interval 2 days` and `delta.checkpointInterval=100` unless given "
                + "others (docs/table-maintenance.md). "
                + "Retention intervals and the checkpoint interval are checked. Properties that need a "
                + "protocol above reader 1 / writer 2 (`delta.enableDeletionVectors=true`, "
                + "`delta.enableInCommitTimestamps=true`, `delta.enableRowTracking=true`, "
                + "`delta.enableChangeDataFeed=true`, `delta.enableTypeWidening=true`, "
                + "`delta.checkpointPolicy=v2`, `delta.feature.<name>=supported`) make the sink create the "
                + "table through Delta Kernel (docs/delta-backends.md); column mapping is refused (the sink "
                + "appends to tables created with it, not creates them).\n\nAny other `delta.` key that is neither in these tables nor a "
                + "`"
                + DeltaSinkConfig.MAPPINGS_PREFIX
                + "<name>` mapping is an error, shown on that key with the closest known "
                + "key, so a misspelled setting is never silently ignored.\n");
    return sb.toString();
  }

  private static String defaultValue(ConfigDef.ConfigKey key) {
    if (!key.hasDefault() || key.defaultValue == null) {
      return "(none)";
    }
    String v = ConfigDef.convertToString(key.defaultValue, key.type);
    return v == null || v.isEmpty() ? "\"\"" : "`" + v + "`";
  }

  private static String escape(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
