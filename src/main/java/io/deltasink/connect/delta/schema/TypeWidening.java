package io.deltasink.connect.delta.schema;

/**
 * Which type changes a column may take: the ones a writer makes by converting values (a record's
 * narrower value stored in a wider column), and the ones Delta's {@code typeWidening} table feature
 * lets a column's type take (PROTOCOL.md, "Type Widening": byte, short and int to a wider integer,
 * float to double, a decimal to one with at least its scale and integer digits, date to {@code
 * timestamp_ntz}).
 */
public final class TypeWidening {
  private TypeWidening() {}

  /**
   * Whether a record's value of type {@code value} is written unchanged in meaning into a column of
   * type {@code column}: the same type, a narrower integer, float into double, a decimal with no
   * more scale or integer digits, a timestamp or a date into {@code timestamp_ntz} (the UTC wall
   * clock time).
   */
  public static boolean writable(ColumnType value, ColumnType column) {
    if (value.equals(column)) {
      return true;
    }
    if (value instanceof ColumnType.Decimal v && column instanceof ColumnType.Decimal c) {
      return v.scale() <= c.scale() && v.precision() - v.scale() <= c.precision() - c.scale();
    }
    if (value == ColumnType.Primitive.TIMESTAMP && column == ColumnType.Primitive.TIMESTAMP_NTZ) {
      return true;
    }
    return value instanceof ColumnType.Primitive v
        && column instanceof ColumnType.Primitive c
        && widensPrimitive(v, c);
  }

  /**
   * The type a column of type {@code column} widens to so that it holds values of type {@code
   * value}, under the {@code typeWidening} feature; null when Delta allows no such change.
   */
  public static ColumnType widened(ColumnType column, ColumnType value) {
    if (column instanceof ColumnType.Decimal c && value instanceof ColumnType.Decimal v) {
      int scale = Math.max(c.scale(), v.scale());
      int digits = Math.max(c.precision() - c.scale(), v.precision() - v.scale());
      return digits + scale <= ColumnType.Decimal.MAX_PRECISION
          ? new ColumnType.Decimal(digits + scale, scale)
          : null;
    }
    if (column == ColumnType.Primitive.DATE
        && (value == ColumnType.Primitive.TIMESTAMP
            || value == ColumnType.Primitive.TIMESTAMP_NTZ)) {
      return ColumnType.Primitive.TIMESTAMP_NTZ;
    }
    if (column instanceof ColumnType.Primitive c
        && value instanceof ColumnType.Primitive v
        && widensPrimitive(c, v)) {
      return v;
    }
    return null;
  }

  private static boolean widensPrimitive(ColumnType.Primitive from, ColumnType.Primitive to) {
    return switch (from) {
      case BYTE ->
          to == ColumnType.Primitive.SHORT
              || to == ColumnType.Primitive.INTEGER
              || to == ColumnType.Primitive.LONG;
      case SHORT -> to == ColumnType.Primitive.INTEGER || to == ColumnType.Primitive.LONG;
      case INTEGER -> to == ColumnType.Primitive.LONG;
      case FLOAT -> to == ColumnType.Primitive.DOUBLE;
      case DATE -> to == ColumnType.Primitive.TIMESTAMP_NTZ;
      default -> false;
    };
  }
}
