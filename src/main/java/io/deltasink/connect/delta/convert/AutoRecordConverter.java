package io.deltasink.connect.delta.convert;

import io.deltasink.connect.delta.schema.ColumnType;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Format {@code auto} without a mapping: Struct values are written as columns, anything else in the
 * bronze layout. A new table takes its layout from its first record; an existing bronze table stays
 * bronze.
 */
public final class AutoRecordConverter implements RecordConverter {
  private final StructRecordConverter struct;
  private final BronzeRecordConverter bronze;

  public AutoRecordConverter(StructRecordConverter struct, BronzeRecordConverter bronze) {
    this.struct = struct;
    this.bronze = bronze;
  }

  @Override
  public ColumnType.Struct schemaFor(SinkRecord record) {
    return record.value() instanceof Struct ? struct.schemaFor(record) : bronze.schemaFor(record);
  }

  @Override
  public ColumnType.Struct columnsFor(SinkRecord record, ColumnType.Struct table, boolean widen) {
    return struct.columnsFor(record, table, widen);
  }

  @Override
  public Object schemaKey(SinkRecord record) {
    return record.value() instanceof Struct ? struct.schemaKey(record) : null;
  }

  @Override
  public Object[] toRow(SinkRecord record, ColumnType.Struct target) {
    return target.sameColumns(BronzeRecordConverter.SCHEMA)
        ? bronze.toRow(record, target)
        : struct.toRow(record, target);
  }
}
