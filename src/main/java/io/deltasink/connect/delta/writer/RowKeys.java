package io.deltasink.connect.delta.writer;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;

/**
 * The key of a row for an upsert (issue #17): the values of the key columns, normalized so that
 * equal values make equal keys whatever their in-memory shape ({@link ColumnType} lists the shapes
 * rows carry): integers of any width as {@code long}, decimals without trailing zeros ({@code 1.50}
 * and {@code 1.5} are one key), binary values by content.
 */
public final class RowKeys {
  private final String[] names;
  private final int[] indexes;
  private final ColumnType[] types;

  /**
   * @param schema the table schema rows are in
   * @param keyColumns the key columns, top-level columns of {@code schema}
   * @throws IllegalArgumentException naming the column when a key column is missing, or is a
   *     struct, array or map (no single value to compare)
   */
  public RowKeys(ColumnType.Struct schema, List<String> keyColumns) {
    if (keyColumns.isEmpty()) {
      throw new IllegalArgumentException("an upsert needs at least one key column");
    }
    names = keyColumns.toArray(new String[0]);
    indexes = new int[names.length];
    types = new ColumnType[names.length];
    for (int i = 0; i < names.length; i++) {
      int idx = schema.indexOf(names[i]);
      if (idx < 0) {
        throw new IllegalArgumentException(
            "key column '"
                + names[i]
                + "' is not a column of the table; columns: "
                + schema.fields().stream().map(Column::name).toList());
      }
      ColumnType t = schema.fields().get(idx).type();
      if (!(t instanceof ColumnType.Primitive) && !(t instanceof ColumnType.Decimal)) {
        throw new IllegalArgumentException(
            "key column '"
                + names[i]
                + "' is a "
                + t.deltaName()
                + "; a key column holds one value");
      }
      indexes[i] = idx;
      types[i] = t;
    }
  }

  /** The key columns' names, in key order. */
  public List<String> names() {
    return List.of(names);
  }

  /** The key columns' types, in key order. */
  ColumnType[] types() {
    return types;
  }

  /**
   * The key of {@code row} (in table column order).
   *
   * @throws DataException naming the column when a key value is null: a row without its key cannot
   *     be matched
   */
  public Key keyOf(Object[] row) {
    Object[] values = new Object[indexes.length];
    for (int i = 0; i < indexes.length; i++) {
      Object v = row[indexes[i]];
      if (v == null) {
        throw new DataException("key column '" + names[i] + "' is null");
      }
      values[i] = normalize(types[i], v);
    }
    return new Key(values);
  }

  /**
   * A decimal as keys of a column of {@code type} hold it: at the column's scale (1.5 and 1.50 are
   * one key), which costs nothing for a value already at it; a value with more digits than the
   * scale holds cannot equal a stored one and keeps them, without trailing zeros.
   */
  static BigDecimal decimalKey(BigDecimal d, ColumnType.Decimal type) {
    if (d.scale() == type.scale()) {
      return d;
    }
    try {
      return d.setScale(type.scale(), java.math.RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      return d.stripTrailingZeros();
    }
  }

  /** A floating-point value as keys hold it: -0.0 is 0.0. */
  static double doubleKey(double d) {
    return d == 0 ? 0.0 : d;
  }

  static Object normalize(ColumnType type, Object v) {
    if (type instanceof ColumnType.Decimal) {
      return decimalKey((BigDecimal) v, (ColumnType.Decimal) type);
    }
    return switch ((ColumnType.Primitive) type) {
      case BYTE, SHORT, INTEGER, LONG, DATE, TIMESTAMP, TIMESTAMP_NTZ -> ((Number) v).longValue();
      case FLOAT, DOUBLE -> doubleKey(((Number) v).doubleValue());
      case BINARY -> ByteBuffer.wrap(((byte[]) v).clone());
      default -> v;
    };
  }

  /**
   * The last of {@code rows} per key, in the order each key was first seen: what an upsert of the
   * batch writes (rows in Kafka offset order within a partition, so the last is the latest).
   *
   * @throws DataException naming the column when a key value is null
   */
  public Map<Key, Object[]> lastByKey(Collection<Object[]> rows) {
    Map<Key, Object[]> out = new LinkedHashMap<>();
    for (Object[] row : rows) {
      out.put(keyOf(row), row);
    }
    return out;
  }

  /**
   * {@code key}, made with {@code from} (an earlier schema of the table), as this schema's keys
   * are: a date key column since widened to a timestamp holds microseconds, not days (Delta's type
   * widening, PROTOCOL.md "Type Widening"); other widenings normalize alike.
   */
  public Key widenedFrom(Key key, RowKeys from) {
    Object[] values = key.values.clone();
    boolean changed = false;
    for (int i = 0; i < values.length; i++) {
      if (from.types[i] == ColumnType.Primitive.DATE
          && (types[i] == ColumnType.Primitive.TIMESTAMP
              || types[i] == ColumnType.Primitive.TIMESTAMP_NTZ)) {
        values[i] = ((Long) values[i]) * 86_400_000_000L;
        changed = true;
      }
    }
    return changed ? new Key(values) : key;
  }

  /** Key values, normalized ({@link RowKeys}), in key column order. */
  public static final class Key {
    private final Object[] values;
    private final int hash;

    Key(Object[] values) {
      this.values = values;
      this.hash = Arrays.hashCode(values);
    }

    /** The values of the key columns at {@code positions}, in that order. */
    public java.util.List<Object> values(int[] positions) {
      Object[] out = new Object[positions.length];
      for (int i = 0; i < positions.length; i++) {
        out[i] = values[positions[i]];
      }
      return java.util.Arrays.asList(out);
    }

    /** The value of key column {@code i}. */
    public Object value(int i) {
      return values[i];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && hash == k.hash && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      // Key values are record content: only their number is shown.
      return "Key(" + values.length + " values)";
    }
  }

  /** For messages: the key columns. */
  @Override
  public String toString() {
    return new ArrayList<>(List.of(names)).toString();
  }
}
