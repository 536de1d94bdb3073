package io.deltasink.connect.delta.writer;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Writes rows ({@code Object[]} in table column order, value shapes as in {@link ColumnType}) to
 * Parquet, skipping the partition columns, whose values live in the Delta log's partition values
 * (PROTOCOL.md, "Add File and Remove File").
 */
final class RowWriteSupport extends WriteSupport<Object[]> {
  private final MessageType messageType;
  private final Column[] dataColumns;
  private final int[] dataIndexes;
  private RecordConsumer consumer;

  /**
   * @param dataColumns the columns stored in the file, in file order
   * @param dataIndexes for each of them, its index in the row array
   */
  RowWriteSupport(List<Column> dataColumns, int[] dataIndexes) {
    this.messageType = ParquetSchemas.toMessageType(dataColumns);
    this.dataColumns = dataColumns.toArray(new Column[0]);
    this.dataIndexes = dataIndexes.clone();
  }

  @Override
  public WriteContext init(Configuration configuration) {
    return new WriteContext(messageType, Map.of());
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.consumer = recordConsumer;
  }

  @Override
  public void write(Object[] row) {
    consumer.startMessage();
    for (int i = 0; i < dataColumns.length; i++) {
      Object v = row[dataIndexes[i]];
      if (v != null) {
        consumer.startField(dataColumns[i].name(), i);
        writeValue(dataColumns[i].type(), v);
        consumer.endField(dataColumns[i].name(), i);
      }
    }
    consumer.endMessage();
  }

  private void writeValue(ColumnType type, Object v) {
    if (type instanceof ColumnType.Primitive p) {
      switch (p) {
        case BOOLEAN -> consumer.addBoolean((Boolean) v);
        case BYTE, SHORT, INTEGER, DATE -> consumer.addInteger(((Number) v).intValue());
        case LONG, TIMESTAMP -> consumer.addLong(((Number) v).longValue());
        case FLOAT -> consumer.addFloat(((Number) v).floatValue());
        case DOUBLE -> consumer.addDouble(((Number) v).doubleValue());
        // A byte-array Binary: Parquet's dictionary hashes and compares it far faster than the
        // ByteBuffer-backed one Binary.fromString makes (profile of src/bench/sink-path.sh).
        case STRING -> consumer.addBinary(Binary.fromConstantByteArray(((String) v).getBytes(StandardCharsets.UTF_8)));
        case BINARY -> consumer.addBinary(Binary.fromConstantByteArray((byte[]) v));
        default -> throw new IllegalStateException("unhandled " + p);
      }
    } else if (type instanceof ColumnType.Decimal d) {
      writeDecimal(d, (BigDecimal) v);
    } else if (type instanceof ColumnType.Struct s) {
      Object[] values = (Object[]) v;
      consumer.startGroup();
      List<Column> fields = s.fields();
      for (int i = 0; i < fields.size(); i++) {
        if (values[i] != null) {
          Column f = fields.get(i);
          consumer.startField(f.name(), i);
          writeValue(f.type(), values[i]);
          consumer.endField(f.name(), i);
        }
      }
      consumer.endGroup();
    } else if (type instanceof ColumnType.Array a) {
      List<?> list = (List<?>) v;
      consumer.startGroup();
      if (!list.isEmpty()) {
        consumer.startField("list", 0);
        for (Object e : list) {
          consumer.startGroup();
          if (e != null) {
            consumer.startField("element", 0);
            writeValue(a.element(), e);
            consumer.endField("element", 0);
          }
          consumer.endGroup();
        }
        consumer.endField("list", 0);
      }
      consumer.endGroup();
    } else {
      ColumnType.MapType m = (ColumnType.MapType) type;
      Map<?, ?> map = (Map<?, ?>) v;
      consumer.startGroup();
      if (!map.isEmpty()) {
        consumer.startField("key_value", 0);
        for (Map.Entry<?, ?> e : map.entrySet()) {
          consumer.startGroup();
          consumer.startField("key", 0);
          writeValue(m.key(), e.getKey());
          consumer.endField("key", 0);
          if (e.getValue() != null) {
            consumer.startField("value", 1);
            writeValue(m.value(), e.getValue());
            consumer.endField("value", 1);
          }
          consumer.endGroup();
        }
        consumer.endField("key_value", 0);
      }
      consumer.endGroup();
    }
  }

  private void writeDecimal(ColumnType.Decimal d, BigDecimal v) {
    BigInteger unscaled = v.unscaledValue();
    if (d.precision() <= 9) {
      consumer.addInteger(unscaled.intValueExact());
    } else if (d.precision() <= 18) {
      consumer.addLong(unscaled.longValueExact());
    } else {
      // Big-endian two's complement, sign-extended to the fixed length.
      byte[] raw = unscaled.toByteArray();
      int len = ParquetSchemas.decimalBytes(d.precision());
      byte[] out = new byte[len];
      byte pad = (byte) (unscaled.signum() < 0 ? 0xFF : 0x00);
      int offset = len - raw.length;
      for (int i = 0; i < offset; i++) {
        out[i] = pad;
      }
      System.arraycopy(raw, 0, out, offset, raw.length);
      consumer.addBinary(Binary.fromConstantByteArray(out));
    }
  }
}
