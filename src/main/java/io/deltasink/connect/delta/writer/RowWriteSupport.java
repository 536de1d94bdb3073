package io.deltasink.connect.delta.writer;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
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
 * (PROTOCOL.md, "Add File and Remove File"). Strings must hold no unpaired surrogate (Java's
 * encoder would write '?'): {@link TopicPartitionWriter} checks each row first ({@link
 * TableLayout#checkText}).
 */
final class RowWriteSupport extends WriteSupport<Object[]> {
  private final MessageType messageType;
  private final Column[] dataColumns;
  private final int[] dataIndexes;
  private RecordConsumer consumer;

  /** Scratch for one FIXED_LEN_BYTE_ARRAY decimal (at most 16 bytes, precision 38). */
  private final byte[] decimalBytes = new byte[16];

  /** 10^0 .. 10^18, the powers whose product with a long fits 128 bits. */
  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

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
        consumer.startField(dataColumns[i].physicalName(), i);
        writeValue(dataColumns[i].type(), v);
        consumer.endField(dataColumns[i].physicalName(), i);
      }
    }
    consumer.endMessage();
  }

  private void writeValue(ColumnType type, Object v) {
    if (type instanceof ColumnType.Primitive p) {
      switch (p) {
        case BOOLEAN -> consumer.addBoolean((Boolean) v);
        case BYTE, SHORT, INTEGER, DATE -> consumer.addInteger(((Number) v).intValue());
        case LONG, TIMESTAMP, TIMESTAMP_NTZ -> consumer.addLong(((Number) v).longValue());
        case FLOAT -> consumer.addFloat(((Number) v).floatValue());
        case DOUBLE -> consumer.addDouble(((Number) v).doubleValue());
          // A byte-array Binary: Parquet's dictionary hashes and compares it far faster than the
          // ByteBuffer-backed one Binary.fromString makes (profile of src/bench/sink-path.sh).
        case STRING ->
            consumer.addBinary(
                Binary.fromConstantByteArray(((String) v).getBytes(StandardCharsets.UTF_8)));
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
          consumer.startField(f.physicalName(), i);
          writeValue(f.type(), values[i]);
          consumer.endField(f.physicalName(), i);
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

  /**
   * Writes a decimal as its unscaled value at the column's scale (ColumnType's contract lets the
   * value's own scale be smaller): INT32 up to precision 9, INT64 up to 18, else big-endian two's
   * complement in a FIXED_LEN_BYTE_ARRAY of {@link ParquetSchemas#decimalBytes} bytes (Parquet
   * LogicalTypes.md, "DECIMAL").
   *
   * @throws ArithmeticException if the value has more fraction digits than the column's scale
   */
  private void writeDecimal(ColumnType.Decimal d, BigDecimal v) {
    int shift = d.scale() - v.scale();
    if (d.precision() <= 18) {
      BigInteger unscaled = unscaledAtColumnScale(d, v);
      if (d.precision() <= 9) {
        consumer.addInteger(unscaled.intValueExact());
      } else {
        consumer.addLong(unscaled.longValueExact());
      }
      return;
    }
    int len = ParquetSchemas.decimalBytes(d.precision());
    if (shift >= 0 && shift < POW10.length && v.precision() <= 18) {
      // The common case, a JSON number such as 13.6 for decimal(38,18): its unscaled value fits a
      // long, and times 10^shift is a 128-bit product. No BigInteger arithmetic.
      long unscaled = v.unscaledValue().longValue();
      long factor = POW10[shift];
      long low = unscaled * factor;
      long high = Math.multiplyHigh(unscaled, factor);
      for (int i = len - 1, b = 0; i >= 0; i--, b++) {
        decimalBytes[i] = (byte) (b < 8 ? low >>> (8 * b) : high >>> (8 * (b - 8)));
      }
    } else {
      BigInteger unscaled = unscaledAtColumnScale(d, v);
      byte[] raw = unscaled.toByteArray();
      byte pad = (byte) (unscaled.signum() < 0 ? 0xFF : 0x00);
      int offset = len - raw.length;
      for (int i = 0; i < offset; i++) {
        decimalBytes[i] = pad;
      }
      System.arraycopy(raw, 0, decimalBytes, offset, raw.length);
    }
    // Parquet copies a reused Binary before it keeps it (dictionary entries, min/max statistics).
    consumer.addBinary(Binary.fromReusedByteArray(decimalBytes, 0, len));
  }

  private static BigInteger unscaledAtColumnScale(ColumnType.Decimal d, BigDecimal v) {
    return (v.scale() == d.scale() ? v : v.setScale(d.scale(), RoundingMode.UNNECESSARY))
        .unscaledValue();
  }
}
