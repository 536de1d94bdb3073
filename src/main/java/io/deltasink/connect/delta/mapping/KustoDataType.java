package io.deltasink.connect.delta.mapping;

import io.deltasink.connect.delta.schema.ColumnType;
import java.util.Locale;

/**
 * Kusto scalar data types ("Scalar data types", learn.microsoft.com/kusto/query/scalar-data-types)
 * and the Delta column each becomes.
 */
public enum KustoDataType {
  BOOL(ColumnType.Primitive.BOOLEAN),
  INT(ColumnType.Primitive.INTEGER),
  LONG(ColumnType.Primitive.LONG),
  REAL(ColumnType.Primitive.DOUBLE),
  /**
   * Kusto's decimal holds 34 digits; Delta's widest exact type with room for fractions is
   * decimal(38,18).
   */
  DECIMAL(new ColumnType.Decimal(38, 18)),
  DATETIME(ColumnType.Primitive.TIMESTAMP),
  /** A duration as 100-nanosecond ticks, as Kusto stores it. */
  TIMESPAN(ColumnType.Primitive.LONG),
  GUID(ColumnType.Primitive.STRING),
  STRING(ColumnType.Primitive.STRING),
  /** Any JSON value, stored as its JSON text. */
  DYNAMIC(ColumnType.Primitive.STRING);

  private final ColumnType columnType;

  KustoDataType(ColumnType columnType) {
    this.columnType = columnType;
  }

  public ColumnType columnType() {
    return columnType;
  }

  /**
   * The type for a mapping's {@code datatype}, accepting Kusto's names and aliases ({@code
   * boolean}, {@code int32}, {@code int64}, {@code double}, {@code date}, {@code time}, {@code
   * uuid}, {@code uniqueid}).
   *
   * @throws IllegalArgumentException for any other name
   */
  public static KustoDataType parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "bool", "boolean" -> BOOL;
      case "int", "int32" -> INT;
      case "long", "int64" -> LONG;
      case "real", "double" -> REAL;
      case "decimal" -> DECIMAL;
      case "datetime", "date" -> DATETIME;
      case "timespan", "time" -> TIMESPAN;
      case "guid", "uuid", "uniqueid" -> GUID;
      case "string" -> STRING;
      case "dynamic" -> DYNAMIC;
      default ->
          throw new IllegalArgumentException(
              "unknown Kusto data type '"
                  + name
                  + "'; expected one of bool, int, long, real, decimal, datetime, timespan, guid, string, dynamic");
    };
  }
}
