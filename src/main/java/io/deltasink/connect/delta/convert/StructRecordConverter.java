package io.deltasink.connect.delta.convert;

import io.deltasink.connect.delta.schema.ColumnType;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Converts records whose value is a Connect {@link Struct} (Avro, JSON Schema, Protobuf or
 * JsonConverter with schemas). A converter is compiled once per (value schema, table schema) and
 * cached: first by schema identity (converters reuse schema objects), then by equality.
 */
public final class StructRecordConverter implements RecordConverter {
  private final KafkaColumns kafkaColumns;
  private final Map<Schema, Compiled> byIdentity = new IdentityHashMap<>();
  private final Map<Schema, Compiled> byEquality = new HashMap<>();

  public StructRecordConverter(KafkaColumns kafkaColumns) {
    this.kafkaColumns = kafkaColumns;
  }

  @Override
  public ColumnType.Struct schemaFor(SinkRecord record) {
    return kafkaColumns.appendTo(ConnectSchemas.toStruct(record.valueSchema()));
  }

  /** The value schema's columns and the coordinate columns the table has. */
  @Override
  public ColumnType.Struct columnsFor(SinkRecord record, ColumnType.Struct table, boolean widen) {
    return kafkaColumns.appendExisting(ConnectSchemas.toStruct(record.valueSchema()), table);
  }

  /** The value schema: Connect's converters reuse one schema object per schema version. */
  @Override
  public Object schemaKey(SinkRecord record) {
    return record.valueSchema();
  }

  @Override
  public Object[] toRow(SinkRecord record, ColumnType.Struct target) {
    Schema schema = record.valueSchema();
    if (schema == null || !(record.value() instanceof Struct)) {
      throw new DataException(
          "record value must be a Struct with a schema (use a schema-aware converter, or "
              + "delta.input.format=json with a mapping), got "
              + (record.value() == null ? "null" : record.value().getClass().getSimpleName()));
    }
    Compiled c = byIdentity.get(schema);
    if (c == null || c.target != target) {
      c = byEquality.get(schema);
      if (c == null || !c.target.equals(target)) {
        c =
            new Compiled(
                target,
                ConnectValueConverters.struct(schema, target, "", kafkaColumns.names()),
                kafkaColumns.indexesIn(target));
        byEquality.put(schema, c);
      }
      if (byIdentity.size() > 1000) {
        byIdentity.clear();
      }
      byIdentity.put(schema, c);
    }
    Object[] row = (Object[]) c.converter.convert(record.value());
    kafkaColumns.fill(row, c.kafkaIndexes, record);
    return row;
  }

  private record Compiled(ColumnType.Struct target, ValueConverter converter, int[] kafkaIndexes) {}
}
