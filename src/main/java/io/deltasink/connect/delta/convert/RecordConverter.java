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

  /** The record as a row of {@code target} (the table's schema), in column order. */
  Object[] toRow(SinkRecord record, ColumnType.Struct target);
}
