package io.deltasink.connect.delta.config;

import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.mapping.IngestionMapping;
import io.deltasink.connect.delta.table.TableProperties;
import io.deltasink.connect.delta.writer.WriterSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The connector's configuration: every key starts with {@code delta.}. {@link #CONFIG_DEF} is the
 * single source of the configuration reference (docs/configuration.md). Cross-field rules live in
 * {@link #crossFieldErrors(Map)} so that both task start-up and the REST {@code config/validate}
 * call report them, per key.
 */
public final class DeltaSinkConfig extends AbstractConfig {

  public static final String TABLE_LOCATION_CONFIG = "delta.table.location";

  public static final String TABLE_NAME_CONFIG = "delta.table.name";

  public static final String PARTITION_COLUMNS_CONFIG = "delta.table.partition.columns";

  public static final String KAFKA_COLUMNS_CONFIG = "delta.kafka.columns";

  public static final String APP_ID_CONFIG = "delta.app.id";

  public static final String INPUT_FORMAT_CONFIG = "delta.input.format";

  public static final String TABLE_MAPPING_CONFIG = "delta.table.mapping";

  /** Prefix of named Kusto JSON ingestion mappings: {@code delta.mappings.<name>}. */
  public static final String MAPPINGS_PREFIX = "delta.mappings.";

  public static final String TABLES_ROUTING_CONFIG = "delta.tables.topics.mapping";

  public static final String TABLES_ROOT_CONFIG = "delta.tables.root";

  public static final String JSON_MAX_DEPTH_CONFIG = "delta.json.max.nesting.depth";
  public static final int JSON_MAX_DEPTH_DEFAULT = 64;

  public static final String FLUSH_RECORDS_CONFIG = "delta.flush.records";
  public static final int FLUSH_RECORDS_DEFAULT = 500_000;

  public static final String FLUSH_BYTES_CONFIG = "delta.flush.bytes";
  public static final long FLUSH_BYTES_DEFAULT = 256L * 1024 * 1024;

  public static final String FLUSH_INTERVAL_MS_CONFIG = "delta.flush.interval.ms";
  public static final long FLUSH_INTERVAL_MS_DEFAULT = 60_000L;

  public static final String FLUSH_IDLE_MS_CONFIG = "delta.flush.idle.ms";
  public static final long FLUSH_IDLE_MS_DEFAULT = 200L;

  public static final String FILE_TARGET_BYTES_CONFIG = "delta.file.target.bytes";
  public static final long FILE_TARGET_BYTES_DEFAULT = 128L * 1024 * 1024;

  public static final String COMPRESSION_CONFIG = "delta.parquet.compression";
  public static final String COMPRESSION_DEFAULT = "snappy";

  public static final String ROW_GROUP_BYTES_CONFIG = "delta.parquet.row.group.bytes";
  public static final long ROW_GROUP_BYTES_DEFAULT = 32L * 1024 * 1024;

  public static final String PAGE_BYTES_CONFIG = "delta.parquet.page.bytes";
  public static final int PAGE_BYTES_DEFAULT = 1024 * 1024;

  /**
   * Set by the connector in each task's config: the task's number (0..tasks.max-1), which names its
   * JMX MBeans. Not a user setting.
   */
  public static final String TASK_ID_CONFIG = "delta.task.id";

  public static final String BUFFER_MAX_BYTES_CONFIG = "delta.buffer.max.bytes";
  public static final long BUFFER_MAX_BYTES_DEFAULT = 128L * 1024 * 1024;

  public static final String DICTIONARY_BYTES_CONFIG = "delta.parquet.dictionary.bytes";

  public static final String COMMIT_ATTEMPTS_CONFIG = "delta.commit.max.attempts";
  public static final int COMMIT_ATTEMPTS_DEFAULT = 10;

  public static final String COMMIT_BACKOFF_MS_CONFIG = "delta.commit.backoff.ms";
  public static final long COMMIT_BACKOFF_MS_DEFAULT = 100L;

  public static final String TOMBSTONE_POLICY_CONFIG = "delta.tombstone.policy";

  public static final String SCHEMA_EVOLUTION_CONFIG = "delta.schema.evolution";
  public static final String SCHEMA_EVOLUTION_DEFAULT = "add-columns";

  public static final String RECORD_MAX_BYTES_CONFIG = "delta.record.max.bytes";
  public static final int RECORD_MAX_BYTES_DEFAULT = 10 * 1024 * 1024;

  /** Prefix of keys passed to the Hadoop configuration with the prefix removed. */
  public static final String HADOOP_PREFIX = "delta.hadoop.";

  /**
   * Prefix of Delta table properties ({@code metaData.configuration}) set on the tables the sink
   * creates, prefix removed: {@code delta.table.properties.delta.logRetentionDuration}.
   */
  public static final String TABLE_PROPERTIES_PREFIX = "delta.table.properties.";

  public static final ConfigDef CONFIG_DEF = ConfigDefinitions.configDef();

  public DeltaSinkConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
    Map<String, String> errors = crossFieldErrors(props);
    if (!errors.isEmpty()) {
      Map.Entry<String, String> first = errors.entrySet().iterator().next();
      throw new ConfigException(first.getKey(), props.get(first.getKey()), first.getValue());
    }
  }

  /**
   * Rules that involve more than one key or need parsing ({@link CrossFieldChecks}), keyed by the
   * config key they are about; a {@code delta.*} key this connector does not read is keyed by
   * itself.
   *
   * @param props the connector's (or a task's) raw configuration
   * @return error messages by key, in a stable order; empty when the configuration is valid
   */
  public static Map<String, String> crossFieldErrors(Map<String, String> props) {
    return CrossFieldChecks.errors(props);
  }

  /** Which table each topic goes to. */
  public TableRoutes routes() {
    Map<String, String> props = originalsStrings();
    Map<String, IngestionMapping> mappings = CrossFieldChecks.parseMappings(props);
    String routing = getString(TABLES_ROUTING_CONFIG);
    if (!routing.isBlank()) {
      return TableRoutes.parse(
          routing,
          CrossFieldChecks.blankToNull(getString(TABLES_ROOT_CONFIG)),
          mappings,
          partitionColumns(),
          kafkaColumns(),
          writeMode());
    }
    String mappingName = CrossFieldChecks.blankToNull(getString(TABLE_MAPPING_CONFIG));
    IngestionMapping mapping = mappingName == null ? null : mappings.get(mappingName.trim());
    TableFormat format = TableFormat.parse(getString(INPUT_FORMAT_CONFIG));
    if (format == TableFormat.AUTO && mapping != null) {
      format = TableFormat.JSON;
    }
    return TableRoutes.single(
        new TableSpec(
            tableLocation(), tableName(), format, mapping, partitionColumns(), writeMode()));
  }

  /** Whether {@code delta.run.mode=available-now} ({@link KafkaClientConfigs}). */
  public boolean availableNow() {
    return KafkaClientConfigs.availableNow(originalsStrings());
  }

  /** Whether the connector's consumer reads committed records only ({@code isolation.level}). */
  public boolean readCommitted() {
    return "read_committed"
        .equalsIgnoreCase(
            originalsStrings().getOrDefault("consumer.override.isolation.level", "").trim());
  }

  /** Whether {@code delta.data.loss.policy=warn} ({@link KafkaClientConfigs}). */
  public boolean warnOnDataLoss() {
    return KafkaClientConfigs.warnOnDataLoss(originalsStrings());
  }

  /** The task's own admin client settings, empty without a Kafka address. */
  public Map<String, Object> adminConfig() {
    return KafkaClientConfigs.adminConfig(originalsStrings());
  }

  /** The connector's {@code delta.write.mode} with its key columns ({@link UpsertConfigs}). */
  public WriteMode writeMode() {
    return UpsertConfigs.writeMode(this);
  }

  public io.deltasink.connect.delta.config.TombstonePolicy tombstonePolicy() {
    return io.deltasink.connect.delta.config.TombstonePolicy.parse(
        getString(TOMBSTONE_POLICY_CONFIG));
  }

  /** {@code delta.schema.evolution}. */
  public io.deltasink.connect.delta.schema.EvolutionMode schemaEvolution() {
    return io.deltasink.connect.delta.schema.EvolutionMode.parse(
        getString(SCHEMA_EVOLUTION_CONFIG));
  }

  public int recordMaxBytes() {
    return getInt(RECORD_MAX_BYTES_CONFIG);
  }

  /**
   * Whether Connect's {@code errors.tolerance} is {@code all}: bad records go to the
   * ErrantRecordReporter.
   */
  public boolean toleratesErrors() {
    Object v = originals().get("errors.tolerance");
    return v != null && "all".equalsIgnoreCase(v.toString().trim());
  }

  public int jsonMaxNestingDepth() {
    return getInt(JSON_MAX_DEPTH_CONFIG);
  }

  public String tableLocation() {
    String l = getString(TABLE_LOCATION_CONFIG).trim();
    return l.endsWith("/") ? l.substring(0, l.length() - 1) : l;
  }

  /** The configured table name, or the last segment of the location. */
  public String tableName() {
    String name = getString(TABLE_NAME_CONFIG);
    if (!name.isBlank()) {
      return name.trim();
    }
    String loc = tableLocation();
    return loc.substring(loc.lastIndexOf('/') + 1);
  }

  public List<String> partitionColumns() {
    return trimmed(getList(PARTITION_COLUMNS_CONFIG));
  }

  public KafkaColumns kafkaColumns() {
    List<KafkaColumns.Coordinate> list = new ArrayList<>();
    for (String s : trimmed(getList(KAFKA_COLUMNS_CONFIG))) {
      list.add(KafkaColumns.Coordinate.parse(s));
    }
    return new KafkaColumns(list);
  }

  /** The txn application id: the configured one or {@code connectorName}. */
  public String applicationId(String connectorName) {
    String id = getString(APP_ID_CONFIG);
    return id.isBlank() ? connectorName : id.trim();
  }

  public int flushRecords() {
    return getInt(FLUSH_RECORDS_CONFIG);
  }

  /** The task's number, see {@link #TASK_ID_CONFIG}; "0" when the connector did not set one. */
  public String taskId() {
    Object id = originals().get(TASK_ID_CONFIG);
    return id == null ? "0" : id.toString();
  }

  public long bufferMaxBytes() {
    return getLong(BUFFER_MAX_BYTES_CONFIG);
  }

  public long flushBytes() {
    return getLong(FLUSH_BYTES_CONFIG);
  }

  public long flushIntervalMs() {
    return getLong(FLUSH_INTERVAL_MS_CONFIG);
  }

  /** {@link #FLUSH_IDLE_MS_CONFIG} (ms); 0 when off. */
  public long flushIdleMs() {
    return getLong(FLUSH_IDLE_MS_CONFIG);
  }

  public WriterSettings writerSettings() {
    return new WriterSettings(
        WriterSettings.codec(getString(COMPRESSION_CONFIG).trim()),
        getLong(FILE_TARGET_BYTES_CONFIG),
        getLong(ROW_GROUP_BYTES_CONFIG),
        getInt(PAGE_BYTES_CONFIG),
        getInt(DICTIONARY_BYTES_CONFIG));
  }

  public boolean compactionEnabled() {
    return getBoolean(CompactionConfigs.ENABLED_CONFIG);
  }

  public int compactionMinFiles() {
    return getInt(CompactionConfigs.MIN_FILES_CONFIG);
  }

  /** {@link CompactionConfigs#MAX_BYTES_PER_RUN_CONFIG} (bytes). */
  public long compactionMaxBytesPerRun() {
    return getLong(CompactionConfigs.MAX_BYTES_PER_RUN_CONFIG);
  }

  /**
   * Files below this size (bytes) are small: compaction candidates when compaction is on (half of
   * {@link #FILE_TARGET_BYTES_CONFIG}), else 0.
   */
  public long smallFileBytes() {
    return compactionEnabled() ? getLong(FILE_TARGET_BYTES_CONFIG) / 2 : 0;
  }

  public int commitAttempts() {
    return getInt(COMMIT_ATTEMPTS_CONFIG);
  }

  public long commitBackoffMs() {
    return getLong(COMMIT_BACKOFF_MS_CONFIG);
  }

  /**
   * The Hadoop properties of this connector: the ADLS authentication keys for the accounts of its
   * table locations, then the {@code delta.hadoop.*} keys with the prefix removed (which win).
   */
  public Map<String, String> hadoopOverrides() {
    Map<String, String> out =
        new LinkedHashMap<>(
            AzureAuth.hadoopProperties(
                this, AzureAuth.accountHosts(CrossFieldChecks.locations(originalsStrings()))));
    for (Map.Entry<String, ?> e : originalsWithPrefix(HADOOP_PREFIX).entrySet()) {
      out.put(e.getKey(), String.valueOf(e.getValue()));
    }
    return out;
  }

  /**
   * The table properties for tables this connector creates: {@link TableProperties#CREATE_DEFAULTS}
   * overridden by the {@code delta.table.properties.*} keys.
   */
  public Map<String, String> tableProperties() {
    Map<String, String> user = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : originalsWithPrefix(TABLE_PROPERTIES_PREFIX).entrySet()) {
      user.put(e.getKey(), String.valueOf(e.getValue()));
    }
    return TableProperties.forNewTable(user);
  }

  private static List<String> trimmed(List<String> in) {
    List<String> out = new ArrayList<>();
    for (String s : in) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }
}
