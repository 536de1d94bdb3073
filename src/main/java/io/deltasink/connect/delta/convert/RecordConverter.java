package io.deltasink.connect.delta.convert;

import io.deltasink.connect.delta.schema.ColumnType;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns a {@link SinkRecord} into a row of a table. Implementations are stateless apart from
 * caches, do no I/O, and throw {@link org.apache.kafka.connect.errors.DataException} naming the
 * field for a record that cannot be written; the caller adds topic, partition and offset.
 */
public interface RecordConverter {

  /**
   * The schema a new table gets when {@code record} is the first one written to it, including any
   * Kafka coordinate columns.
   */
  ColumnType.Struct schemaFor(SinkRecord record);

  /**
   * What records of one shape have in common for schema evolution: records with the same key (by
   * identity, else by equality) bring the same columns. Null when this converter's tables never
   * change their schema (bronze).
   */
  default Object schemaKey(SinkRecord record) {
    return null;
  }

  /**
   * The columns {@code record} brings, to merge into the table's {@code table} ({@link
   * io.deltasink.connect.delta.schema.SchemaEvolution}); only called when {@link #schemaKey} is not
   * null.
   *
   * @param widen whether the table's columns may widen to the record's types
   * @throws org.apache.kafka.connect.errors.DataException for a record without usable columns
   */
  default ColumnType.Struct columnsFor(SinkRecord record, ColumnType.Struct table, boolean widen) {
    return schemaFor(record);
  }

  /** The record as a row of {@code target} (the table's schema), in column order. */
  Object[] toRow(SinkRecord record, ColumnType.Struct target);
}
