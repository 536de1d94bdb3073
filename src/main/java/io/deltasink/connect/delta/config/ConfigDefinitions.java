package io.deltasink.connect.delta.config;

import static io.deltasink.connect.delta.config.DeltaSinkConfig.*;

import io.deltasink.connect.delta.writer.WriterSettings;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The definition of every {@code delta.*} setting ({@link DeltaSinkConfig#CONFIG_DEF}): type,
 * default, validator, group, order and documentation. The keys and defaults are {@link
 * DeltaSinkConfig}'s constants; the reference in docs/configuration.md is generated from this.
 */
final class ConfigDefinitions {
  private static final String GROUP_TABLE = "Table";
  private static final String GROUP_ROUTING = "Routing and JSON mappings";
  private static final String GROUP_FLUSH = "Flush and files";
  private static final String GROUP_COMMIT = "Commit";
  private static final String GROUP_STORAGE = "Storage";
  private static final String GROUP_ERRORS = "Bad records";
  private static final String TABLE_LOCATION_DOC =
      "Root of the Delta table as a Hadoop URI, for example "
          + "file:///data/delta/temperatures or abfss://container@account.dfs.core.windows.net/delta/temperatures. "
          + "The table is created on the first write when it does not exist. Required unless "
          + "delta.tables.topics.mapping routes topics to tables.";
  private static final String TABLE_NAME_DOC =
      "Name recorded in the table's metadata when the sink creates it. "
          + "Default: the last segment of the table location.";
  private static final String PARTITION_COLUMNS_DOC =
      "Comma-separated partition columns of a table the sink "
          + "creates. Each must be a top-level column of the record (or a Kafka coordinate column) of a string, "
          + "number, boolean, date, timestamp or decimal type; with a Kusto mapping or the bronze layout, the connector's "
          + "validation already checks that each is one of the table's columns. An existing table keeps its own partitioning.";
  private static final String KAFKA_COLUMNS_DOC =
      "Kafka coordinates to store with every row, any of: topic, "
          + "partition, offset, timestamp. They become the columns kafka_topic (string), kafka_partition (integer), "
          + "kafka_offset (long) and kafka_timestamp (timestamp). Empty by default.";
  private static final String APP_ID_DOC =
      "Application id of the Delta txn actions that record, per Kafka "
          + "partition, the last offset written: appId = <this>/<topic>/<partition>. Default: the connector name. "
          + "Keep it stable: a new value makes the sink forget what it wrote.";
  private static final String INPUT_FORMAT_DOC =
      "How records become rows of the single table: struct (Connect Struct "
          + "values from Avro, JSON Schema or Protobuf converters), json (schemaless JSON through the Kusto mapping named by "
          + "delta.table.mapping), bronze (raw payload, coordinates and ingestion time), or auto: json when a mapping is "
          + "named, otherwise struct for Struct values and bronze for anything else.";
  private static final String TABLE_MAPPING_DOC =
      "Name of the Kusto JSON ingestion mapping (defined as "
          + "delta.mappings.<name>) that shapes the single table's rows.";
  private static final String TABLES_ROUTING_DOC =
      "Routes topics to tables, in the form of the Azure Data Explorer "
          + "sink's kusto.tables.topics.mapping: [{'topic':'temperatures','db':'weather','table':'temperatures',"
          + "'format':'json','mapping':'temperatures_mapping'}]. Keys: topic ('*' for every topic without an entry), db, "
          + "table (default for '*': the topic name), format (json, bronze, struct, auto), mapping (a delta.mappings.<name>), "
          + "and optionally location (must be inside delta.tables.root when that is set) and partitionBy. When set, "
          + "delta.table.location is not used.";
  private static final String TABLES_ROOT_DOC =
      "Root URI under which routed tables live: <root>/<db>/<table>. "
          + "Names may only use letters, digits, '_', '-' and '.', so no topic can write outside the root.";
  private static final String JSON_MAX_DEPTH_DOC =
      "Deepest nesting of objects and arrays accepted in a JSON value; "
          + "deeper documents are bad records.";
  private static final String FLUSH_RECORDS_DOC =
      "Commit once a task has buffered this many records (all its "
          + "partitions together). The first flush trigger reached wins.";
  private static final String FLUSH_BYTES_DOC =
      "Commit once a task's uncommitted Parquet data reaches this many "
          + "bytes (estimated, compressed).";
  private static final String FLUSH_INTERVAL_MS_DOC =
      "Commit at the latest this many milliseconds after the "
          + "first uncommitted record was buffered. This holds for a topic that has gone quiet too: the task asks "
          + "Connect to call it back by then (SinkTaskContext.timeout), so it does not depend on the worker's "
          + "offset.flush.interval.ms.";
  private static final String FLUSH_IDLE_MS_DOC =
      "Commit as soon as a task has received nothing for this many "
          + "milliseconds, whatever it holds: the tail of a backlog or a burst becomes visible right after it has "
          + "been read. A slow trickle (records further apart than this) then commits about once per record "
          + "batch and makes small files; set 0 to make such a topic wait for delta.flush.interval.ms instead.";
  private static final String FILE_TARGET_BYTES_DOC =
      "Close a Parquet file and start a new one once it reaches " + "this many bytes.";
  private static final String COMPRESSION_DOC =
      "Parquet compression codec: snappy, zstd, gzip or uncompressed.";
  private static final String ROW_GROUP_BYTES_DOC =
      "Parquet row group size in bytes; also the most memory one " + "open file buffers.";
  private static final String PAGE_BYTES_DOC = "Parquet page size in bytes.";
  private static final String BUFFER_MAX_BYTES_DOC =
      "Memory budget of one task: the most heap its open Parquet "
          + "files may hold (rows buffered for the current row group, plus about two pages of compression buffers per open "
          + "file). Above it the task closes its largest files early (their rows stay pending until the next commit), and "
          + "when another file would not fit it pauses that partition (rewinding it) until the next commit releases memory, "
          + "committing at once when nothing else is left to write. Size the worker heap for tasks x this plus Connect's own needs.";
  private static final String DICTIONARY_BYTES_DOC =
      "Most bytes of one column chunk's Parquet dictionary. Columns "
          + "with few distinct values (cities, codes, decimals such as coordinates) stay dictionary-encoded; a column "
          + "with more distinct values than fit (timestamps as text, ids) falls back to plain encoding for the rest of "
          + "the row group instead of hashing every value into a growing dictionary, which the benchmark measured as "
          + "about 30% of the sink's own time at Parquet's 1 MiB default.";
  private static final String COMMIT_ATTEMPTS_DOC =
      "Attempts of one Delta commit (conflicts with other "
          + "writers, storage errors) before the task reports a retriable error to Connect.";
  private static final String COMMIT_BACKOFF_MS_DOC =
      "First wait between commit attempts in milliseconds; " + "doubles per attempt, at most 10 s.";
  private static final String TOMBSTONE_POLICY_DOC =
      "What struct and json tables do with a tombstone (null value): ignore (skip it; its offset counts as done), fail (fail the task), or dlq (a bad record: to the dead-letter "
          + "queue when errors.tolerance=all). Bronze tables always keep tombstones as rows. With delta.write.mode=upsert, see delta.upsert.delete.on.tombstone.";
  private static final String SCHEMA_EVOLUTION_DOC =
      "How a struct or json table's schema follows its records: none (a record that does not fit is a bad record"
          + " naming the field), add-columns (a new field, nested ones too, becomes a nullable column in the commit of"
          + " its first rows), or add-and-widen (also widens a column to a wider type where Delta's type widening"
          + " allows it, on tables with delta.enableTypeWidening=true, and makes a NOT NULL column nullable for"
          + " records without it). Partition columns never change. See docs/schema-evolution.md.";
  private static final String RECORD_MAX_BYTES_DOC =
      "Largest key or value accepted, in bytes (String values counted in UTF-8, byte[] as is); a larger record is a bad record.";

  private ConfigDefinitions() {}

  static ConfigDef configDef() {
    ConfigDef def = new ConfigDef();
    int order = 0;
    def.define(
        TABLE_LOCATION_CONFIG,
        Type.STRING,
        null,
        Importance.HIGH,
        TABLE_LOCATION_DOC,
        GROUP_TABLE,
        ++order,
        Width.LONG,
        "Table location");
    def.define(
        TABLE_NAME_CONFIG,
        Type.STRING,
        "",
        Importance.LOW,
        TABLE_NAME_DOC,
        GROUP_TABLE,
        ++order,
        Width.MEDIUM,
        "Table name");
    def.define(
        PARTITION_COLUMNS_CONFIG,
        Type.LIST,
        "",
        Importance.MEDIUM,
        PARTITION_COLUMNS_DOC,
        GROUP_TABLE,
        ++order,
        Width.LONG,
        "Partition columns");
    def.define(
        KAFKA_COLUMNS_CONFIG,
        Type.LIST,
        "",
        ConfigDef.ValidList.in(true, "topic", "partition", "offset", "timestamp"),
        Importance.MEDIUM,
        KAFKA_COLUMNS_DOC,
        GROUP_TABLE,
        ++order,
        Width.MEDIUM,
        "Kafka coordinate columns");
    def.define(
        APP_ID_CONFIG,
        Type.STRING,
        "",
        Importance.LOW,
        APP_ID_DOC,
        GROUP_TABLE,
        ++order,
        Width.MEDIUM,
        "txn application id");
    def.define(
        INPUT_FORMAT_CONFIG,
        Type.STRING,
        "auto",
        ConfigDef.CaseInsensitiveValidString.in("auto", "struct", "json", "bronze"),
        Importance.HIGH,
        INPUT_FORMAT_DOC,
        GROUP_TABLE,
        ++order,
        Width.SHORT,
        "Input format");
    order = 0;
    def.define(
        TABLE_MAPPING_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        TABLE_MAPPING_DOC,
        GROUP_ROUTING,
        ++order,
        Width.MEDIUM,
        "Mapping of the single table");
    def.define(
        TABLES_ROUTING_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        TABLES_ROUTING_DOC,
        GROUP_ROUTING,
        ++order,
        Width.LONG,
        "Topic to table routing");
    def.define(
        TABLES_ROOT_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        TABLES_ROOT_DOC,
        GROUP_ROUTING,
        ++order,
        Width.LONG,
        "Tables root");
    def.define(
        JSON_MAX_DEPTH_CONFIG,
        Type.INT,
        JSON_MAX_DEPTH_DEFAULT,
        ConfigDef.Range.between(1, 1000),
        Importance.LOW,
        JSON_MAX_DEPTH_DOC,
        GROUP_ROUTING,
        ++order,
        Width.SHORT,
        "JSON max nesting depth");
    order = 0;
    def.define(
        FLUSH_RECORDS_CONFIG,
        Type.INT,
        FLUSH_RECORDS_DEFAULT,
        ConfigDef.Range.atLeast(1),
        Importance.MEDIUM,
        FLUSH_RECORDS_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Flush records");
    def.define(
        FLUSH_BYTES_CONFIG,
        Type.LONG,
        FLUSH_BYTES_DEFAULT,
        ConfigDef.Range.atLeast(1024),
        Importance.MEDIUM,
        FLUSH_BYTES_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Flush bytes");
    def.define(
        FLUSH_INTERVAL_MS_CONFIG,
        Type.LONG,
        FLUSH_INTERVAL_MS_DEFAULT,
        ConfigDef.Range.atLeast(100),
        Importance.MEDIUM,
        FLUSH_INTERVAL_MS_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Flush interval (ms)");
    def.define(
        FLUSH_IDLE_MS_CONFIG,
        Type.LONG,
        FLUSH_IDLE_MS_DEFAULT,
        ConfigDef.Range.atLeast(0),
        Importance.LOW,
        FLUSH_IDLE_MS_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Idle flush (ms)");
    def.define(
        FILE_TARGET_BYTES_CONFIG,
        Type.LONG,
        FILE_TARGET_BYTES_DEFAULT,
        ConfigDef.Range.atLeast(1024),
        Importance.MEDIUM,
        FILE_TARGET_BYTES_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Target file size");
    def.define(
        COMPRESSION_CONFIG,
        Type.STRING,
        COMPRESSION_DEFAULT,
        ConfigDef.CaseInsensitiveValidString.in("snappy", "zstd", "gzip", "uncompressed"),
        Importance.LOW,
        COMPRESSION_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Parquet compression");
    def.define(
        ROW_GROUP_BYTES_CONFIG,
        Type.LONG,
        ROW_GROUP_BYTES_DEFAULT,
        ConfigDef.Range.between(64 * 1024, Integer.MAX_VALUE),
        Importance.LOW,
        ROW_GROUP_BYTES_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Parquet row group size");
    def.define(
        PAGE_BYTES_CONFIG,
        Type.INT,
        PAGE_BYTES_DEFAULT,
        ConfigDef.Range.atLeast(1024),
        Importance.LOW,
        PAGE_BYTES_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Parquet page size");
    def.define(
        BUFFER_MAX_BYTES_CONFIG,
        Type.LONG,
        BUFFER_MAX_BYTES_DEFAULT,
        ConfigDef.Range.atLeast(1024 * 1024),
        Importance.MEDIUM,
        BUFFER_MAX_BYTES_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Task memory budget");
    def.define(
        DICTIONARY_BYTES_CONFIG,
        Type.INT,
        WriterSettings.DICTIONARY_BYTES_DEFAULT,
        ConfigDef.Range.atLeast(1024),
        Importance.LOW,
        DICTIONARY_BYTES_DOC,
        GROUP_FLUSH,
        ++order,
        Width.SHORT,
        "Parquet dictionary size");
    order = 0;
    def.define(
        TOMBSTONE_POLICY_CONFIG,
        Type.STRING,
        "ignore",
        ConfigDef.CaseInsensitiveValidString.in("ignore", "fail", "dlq"),
        Importance.MEDIUM,
        TOMBSTONE_POLICY_DOC,
        GROUP_ERRORS,
        ++order,
        Width.SHORT,
        "Tombstone policy");
    def.define(
        SCHEMA_EVOLUTION_CONFIG,
        Type.STRING,
        SCHEMA_EVOLUTION_DEFAULT,
        ConfigDef.CaseInsensitiveValidString.in("none", "add-columns", "add-and-widen"),
        Importance.MEDIUM,
        SCHEMA_EVOLUTION_DOC,
        GROUP_ERRORS,
        ++order,
        Width.SHORT,
        "Schema evolution");
    def.define(
        RECORD_MAX_BYTES_CONFIG,
        Type.INT,
        RECORD_MAX_BYTES_DEFAULT,
        ConfigDef.Range.atLeast(1),
        Importance.LOW,
        RECORD_MAX_BYTES_DOC,
        GROUP_ERRORS,
        ++order,
        Width.SHORT,
        "Max record size");
    order = 0;
    def.define(
        COMMIT_ATTEMPTS_CONFIG,
        Type.INT,
        COMMIT_ATTEMPTS_DEFAULT,
        ConfigDef.Range.atLeast(1),
        Importance.LOW,
        COMMIT_ATTEMPTS_DOC,
        GROUP_COMMIT,
        ++order,
        Width.SHORT,
        "Commit attempts");
    def.define(
        COMMIT_BACKOFF_MS_CONFIG,
        Type.LONG,
        COMMIT_BACKOFF_MS_DEFAULT,
        ConfigDef.Range.atLeast(0),
        Importance.LOW,
        COMMIT_BACKOFF_MS_DOC,
        GROUP_COMMIT,
        ++order,
        Width.SHORT,
        "Commit backoff (ms)");
    CompactionConfigs.define(def);
    UpsertConfigs.define(def);
    KafkaClientConfigs.define(def);
    AzureAuth.define(def);
    return def;
  }
}
