package io.deltasink.connect.delta.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The write mode settings (issue #17, docs/upsert.md): keys, defaults and their definitions in
 * {@link DeltaSinkConfig#CONFIG_DEF}. A routing entry may override the first two with {@code
 * writeMode} and {@code keyColumns}.
 */
public final class UpsertConfigs {
  public static final String WRITE_MODE_CONFIG = "delta.write.mode";
  public static final String KEY_COLUMNS_CONFIG = "delta.upsert.key.columns";
  public static final String DELETE_ON_TOMBSTONE_CONFIG = "delta.upsert.delete.on.tombstone";

  private static final String GROUP = "Upsert";

  private UpsertConfigs() {}

  static void define(ConfigDef def) {
    int order = 0;
    def.define(
        WRITE_MODE_CONFIG,
        Type.STRING,
        "append",
        ConfigDef.CaseInsensitiveValidString.in("append", "upsert"),
        Importance.MEDIUM,
        "append: every record becomes a new row. upsert: each flush keeps the last record per key"
            + " (by offset within a Kafka partition), rewrites the table's files that hold those keys"
            + " without their rows (copy-on-write) and adds the new rows, in one Delta version with"
            + " the partitions' txn actions. A key must always arrive on the same Kafka partition"
            + " (the default partitioner does this for a Kafka key made of the key columns).",
        GROUP,
        ++order,
        Width.SHORT,
        "Write mode");
    def.define(
        KEY_COLUMNS_CONFIG,
        Type.LIST,
        "",
        Importance.MEDIUM,
        "The table columns that identify a row, for delta.write.mode=upsert: top-level columns of"
            + " the table (from the record value, a Kusto mapping or the Kafka coordinate columns),"
            + " none of them a struct, array or map.",
        GROUP,
        ++order,
        Width.MEDIUM,
        "Upsert key columns");
    def.define(
        DELETE_ON_TOMBSTONE_CONFIG,
        Type.BOOLEAN,
        false,
        Importance.MEDIUM,
        "With delta.write.mode=upsert: whether a tombstone (a record with a null value) deletes its"
            + " key's row. The key's values come from the Kafka key (a struct or JSON object with"
            + " the key columns' names, or a single value for one key column). When false,"
            + " delta.tombstone.policy applies.",
        GROUP,
        ++order,
        Width.SHORT,
        "Delete on tombstone");
  }

  /**
   * The connector-level write mode of {@code config}, as set ({@link CrossFieldChecks} and the
   * routing entries check it).
   */
  static WriteMode writeMode(DeltaSinkConfig config) {
    return new WriteMode(
        config.getString(WRITE_MODE_CONFIG).trim().equalsIgnoreCase("upsert"),
        config.getList(KEY_COLUMNS_CONFIG),
        config.getBoolean(DELETE_ON_TOMBSTONE_CONFIG));
  }
}
