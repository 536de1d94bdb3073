package io.deltasink.connect.delta.writer;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * Maps a table schema to the Parquet schema of its data files, following the layout Spark and Delta
 * readers expect: decimals as INT32 (precision up to 9), INT64 (up to 18) or FIXED_LEN_BYTE_ARRAY;
 * timestamps as INT64 {@code TIMESTAMP(MICROS, UTC)}; dates as INT32 {@code DATE}; lists in the
 * three-level {@code LIST} form and maps in the {@code MAP} form of the Parquet format's
 * LogicalTypes.md.
 */
public final class ParquetSchemas {
  private ParquetSchemas() {}

  /** The Parquet message type for the given data columns (partition columns excluded). */
  public static MessageType toMessageType(List<Column> dataColumns) {
    List<Type> fields = new ArrayList<>(dataColumns.size());
    for (Column c : dataColumns) {
      fields.add(field(c));
    }
    return new MessageType("spark_schema", fields);
  }

  /**
   * A column as a Parquet field: named by its physical name, with its column mapping id as the
   * field id (PROTOCOL.md, "Column Mapping": readers in {@code id} mode resolve fields by it).
   */
  private static Type field(Column c) {
    Type t = toType(c.physicalName(), c.type(), c.nullable());
    return c.fieldId() >= 0 ? t.withId(c.fieldId()) : t;
  }

  /** Bytes a FIXED_LEN_BYTE_ARRAY needs for an unscaled decimal of {@code precision} digits. */
  public static int decimalBytes(int precision) {
    // Called per written value: a table lookup, computed once.
    return precision < DECIMAL_BYTES.length
        ? DECIMAL_BYTES[precision]
        : computeDecimalBytes(precision);
  }

  private static final int[] DECIMAL_BYTES = new int[39];

  static {
    for (int p = 0; p < DECIMAL_BYTES.length; p++) {
      DECIMAL_BYTES[p] = computeDecimalBytes(p);
    }
  }

  private static int computeDecimalBytes(int precision) {
    int bytes = 1;
    while (Math.pow(2.0, 8 * bytes - 1) < Math.pow(10.0, precision)) {
      bytes++;
    }
    return bytes;
  }

  static Type toType(String name, ColumnType type, boolean nullable) {
    Repetition rep = nullable ? Repetition.OPTIONAL : Repetition.REQUIRED;
    if (type instanceof ColumnType.Primitive p) {
      switch (p) {
        case BOOLEAN:
          return Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(name);
        case BYTE:
          return Types.primitive(PrimitiveTypeName.INT32, rep)
              .as(LogicalTypeAnnotation.intType(8, true))
              .named(name);
        case SHORT:
          return Types.primitive(PrimitiveTypeName.INT32, rep)
              .as(LogicalTypeAnnotation.intType(16, true))
              .named(name);
        case INTEGER:
          return Types.primitive(PrimitiveTypeName.INT32, rep).named(name);
        case LONG:
          return Types.primitive(PrimitiveTypeName.INT64, rep).named(name);
        case FLOAT:
          return Types.primitive(PrimitiveTypeName.FLOAT, rep).named(name);
        case DOUBLE:
          return Types.primitive(PrimitiveTypeName.DOUBLE, rep).named(name);
        case STRING:
          return Types.primitive(PrimitiveTypeName.BINARY, rep)
              .as(LogicalTypeAnnotation.stringType())
              .named(name);
        case BINARY:
          return Types.primitive(PrimitiveTypeName.BINARY, rep).named(name);
        case DATE:
          return Types.primitive(PrimitiveTypeName.INT32, rep)
              .as(LogicalTypeAnnotation.dateType())
              .named(name);
        case TIMESTAMP:
          return Types.primitive(PrimitiveTypeName.INT64, rep)
              .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
              .named(name);
        case TIMESTAMP_NTZ:
          return Types.primitive(PrimitiveTypeName.INT64, rep)
              .as(LogicalTypeAnnotation.timestampType(false, LogicalTypeAnnotation.TimeUnit.MICROS))
              .named(name);
        default:
          throw new IllegalArgumentException("unhandled type " + p);
      }
    }
    if (type instanceof ColumnType.Decimal d) {
      LogicalTypeAnnotation ann = LogicalTypeAnnotation.decimalType(d.scale(), d.precision());
      if (d.precision() <= 9) {
        return Types.primitive(PrimitiveTypeName.INT32, rep).as(ann).named(name);
      }
      if (d.precision() <= 18) {
        return Types.primitive(PrimitiveTypeName.INT64, rep).as(ann).named(name);
      }
      return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep)
          .length(decimalBytes(d.precision()))
          .as(ann)
          .named(name);
    }
    if (type instanceof ColumnType.Struct s) {
      Types.GroupBuilder<org.apache.parquet.schema.GroupType> g = Types.buildGroup(rep);
      for (Column c : s.fields()) {
        g.addField(field(c));
      }
      return g.named(name);
    }
    if (type instanceof ColumnType.Array a) {
      return Types.buildGroup(rep)
          .as(LogicalTypeAnnotation.listType())
          .addField(
              Types.repeatedGroup()
                  .addField(toType("element", a.element(), a.containsNull()))
                  .named("list"))
          .named(name);
    }
    ColumnType.MapType m = (ColumnType.MapType) type;
    return Types.buildGroup(rep)
        .as(LogicalTypeAnnotation.mapType())
        .addField(
            Types.repeatedGroup()
                .addField(toType("key", m.key(), false))
                .addField(toType("value", m.value(), m.valueContainsNull()))
                .named("key_value"))
        .named(name);
  }
}
