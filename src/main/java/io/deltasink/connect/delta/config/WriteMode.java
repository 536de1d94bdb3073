package io.deltasink.connect.delta.config;

import java.util.List;
import java.util.Locale;

/**
 * How a table takes its records: appended, or upserted by key (issue #17, docs/upsert.md).
 *
 * @param upsert whether each flush replaces the table's rows of the batch's keys
 * @param keyColumns the key columns (top-level table columns), empty for an append
 * @param deleteOnTombstone whether a tombstone (null value) deletes its key's row; the key's values
 *     come from the Kafka key
 */
public record WriteMode(boolean upsert, List<String> keyColumns, boolean deleteOnTombstone) {
  /** Today's behaviour: every record becomes a new row. */
  public static final WriteMode APPEND = new WriteMode(false, List.of(), false);

  public WriteMode {
    keyColumns = List.copyOf(keyColumns);
  }

  /** The setting's name of this mode. */
  public String modeName() {
    return upsert ? "upsert" : "append";
  }

  /**
   * What is wrong with upserting into a table of this format, or null: a bronze table keeps every
   * record; with a Kusto mapping, each key column must be one it (or the Kafka coordinate columns)
   * produces.
   */
  String problem(
      TableFormat format,
      io.deltasink.connect.delta.mapping.IngestionMapping mapping,
      io.deltasink.connect.delta.convert.KafkaColumns kafkaColumns) {
    if (!upsert) {
      return null;
    }
    if (format == TableFormat.BRONZE) {
      return "a bronze table keeps every record as it came; upsert into a json or struct table";
    }
    return KnownColumns.missingPartitionColumn(format, mapping, kafkaColumns, keyColumns)
        .map(m -> "key column '" + m.column() + "' is not " + m.table())
        .orElse(null);
  }

  /**
   * The mode a setting names ({@code append} or {@code upsert}), with these key columns.
   *
   * @throws IllegalArgumentException naming what is wrong: an unknown mode, an upsert without key
   *     columns, a key column named twice
   */
  public static WriteMode of(String mode, List<String> keyColumns, boolean deleteOnTombstone) {
    String m = mode == null ? "append" : mode.trim().toLowerCase(Locale.ROOT);
    switch (m) {
      case "append" -> {
        return new WriteMode(false, keyColumns, deleteOnTombstone);
      }
      case "upsert" -> {
        if (keyColumns.isEmpty()) {
          throw new IllegalArgumentException(
              "write mode upsert needs key columns ("
                  + UpsertConfigs.KEY_COLUMNS_CONFIG
                  + ", or 'keyColumns' in a routing entry)");
        }
        if (keyColumns.stream().distinct().count() != keyColumns.size()) {
          throw new IllegalArgumentException("a key column is named twice: " + keyColumns);
        }
        return new WriteMode(true, keyColumns, deleteOnTombstone);
      }
      default ->
          throw new IllegalArgumentException(
              "write mode '" + mode + "' is not one of append, upsert");
    }
  }
}
