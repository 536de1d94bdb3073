package io.deltasink.connect.delta.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.connect.errors.DataException;

/**
 * Converts one JSON value into the in-memory value of a column, the way Kusto ingestion reads a
 * JSON document into a typed column. Numbers given as JSON strings are accepted for numeric columns
 * (Kusto does); anything that does not fit is a {@link DataException} naming the column.
 *
 * <ul>
 *   <li>decimal: exact from the JSON text, rounded half-even to the column's scale (18 for Kusto's
 *       {@code decimal}); more integer digits than the column holds, NaN or Infinity are errors
 *   <li>datetime: ISO-8601 text, {@code yyyy-MM-dd[( |T)HH:mm[:ss[.fffffffff]]][Z|±hh:mm]}; without
 *       a zone it is read as UTC (Kusto's datetime is UTC); the date and time must exist (no
 *       February 30th, no 23:60), {@code 24:00} is the next day's midnight
 *   <li>timespan: {@code [-][d.]hh:mm[:ss[.fffffff]]} text or a number of 100 ns ticks; stored as
 *       ticks (more than a long holds is an error)
 *   <li>guid: canonical UUID text, stored lower-case
 *   <li>string: a JSON string's text; any other JSON value as its JSON text
 *   <li>dynamic: the JSON text of the value (a string value keeps its quotes)
 * </ul>
 */
final class JsonValues {

  private JsonValues() {}

  static Object read(JsonNode n, ColumnType type, KustoDataType kind, String column) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    return switch (kind) {
      case BOOL -> bool(n, column);
      case INT -> integer(n, type, column);
      case LONG -> longValue(n, column);
      case REAL -> real(n, type, column);
      case DECIMAL -> decimal(n, (ColumnType.Decimal) type, column);
      case DATETIME ->
          type == ColumnType.Primitive.DATE
              ? KustoTimes.date(n, column)
              : KustoTimes.datetime(n, column);
      case TIMESPAN -> KustoTimes.timespan(n, column);
      case GUID -> guid(n, column);
      case STRING -> n.isTextual() ? n.textValue() : n.toString();
      case DYNAMIC -> n.toString();
    };
  }

  private static Object bool(JsonNode n, String column) {
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isTextual()) {
      String s = n.textValue().trim();
      if (s.equalsIgnoreCase("true")) {
        return true;
      }
      if (s.equalsIgnoreCase("false")) {
        return false;
      }
    }
    if (n.isIntegralNumber() && (n.asLong() == 0 || n.asLong() == 1) && n.canConvertToLong()) {
      return n.asLong() == 1;
    }
    throw bad(column, n, "bool");
  }

  private static BigInteger integral(JsonNode n, String column, String typeName) {
    BigDecimal d;
    if (n.isNumber()) {
      if (n.isIntegralNumber()) {
        return n.bigIntegerValue();
      }
      if (n.isDouble() || n.isFloat()) {
        double x = n.doubleValue();
        if (Double.isNaN(x) || Double.isInfinite(x)) {
          throw bad(column, n, typeName);
        }
      }
      d = n.decimalValue();
    } else if (n.isTextual()) {
      try {
        d = new BigDecimal(n.textValue().trim());
      } catch (NumberFormatException e) {
        throw bad(column, n, typeName);
      }
    } else {
      throw bad(column, n, typeName);
    }
    try {
      return d.toBigIntegerExact();
    } catch (ArithmeticException e) {
      throw new DataException(
          "column '"
              + column
              + "': "
              + digits(d)
              + " is not a whole number, as "
              + typeName
              + " needs");
    }
  }

  private static Object integer(JsonNode n, ColumnType type, String column) {
    String name =
        type == ColumnType.Primitive.BYTE
            ? "byte"
            : type == ColumnType.Primitive.SHORT ? "short" : "int";
    BigInteger v = integral(n, column, name);
    long min =
        type == ColumnType.Primitive.BYTE
            ? Byte.MIN_VALUE
            : type == ColumnType.Primitive.SHORT ? Short.MIN_VALUE : Integer.MIN_VALUE;
    long max =
        type == ColumnType.Primitive.BYTE
            ? Byte.MAX_VALUE
            : type == ColumnType.Primitive.SHORT ? Short.MAX_VALUE : Integer.MAX_VALUE;
    if (v.bitLength() > 63 || v.longValue() < min || v.longValue() > max) {
      throw new DataException(
          "column '"
              + column
              + "': a "
              + v.bitLength()
              + "-bit integer is out of range for "
              + name
              + " ["
              + min
              + ", "
              + max
              + "]");
    }
    int i = v.intValue();
    return type == ColumnType.Primitive.BYTE
        ? (Object) (byte) i
        : type == ColumnType.Primitive.SHORT ? (Object) (short) i : (Object) i;
  }

  private static Object longValue(JsonNode n, String column) {
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.longValue();
    }
    BigInteger v = integral(n, column, "long");
    if (v.bitLength() > 63) {
      throw new DataException(
          "column '" + column + "': a " + v.bitLength() + "-bit integer is out of range for long");
    }
    return v.longValue();
  }

  private static Object real(JsonNode n, ColumnType type, String column) {
    double d;
    if (n.isNumber()) {
      d = n.doubleValue();
    } else if (n.isTextual()) {
      try {
        d = Double.parseDouble(n.textValue().trim());
      } catch (NumberFormatException e) {
        throw bad(column, n, "real");
      }
    } else {
      throw bad(column, n, "real");
    }
    return type == ColumnType.Primitive.FLOAT ? (Object) (float) d : (Object) d;
  }

  static BigDecimal decimal(JsonNode n, ColumnType.Decimal type, String column) {
    BigDecimal d;
    if (n.isNumber()) {
      if ((n.isDouble() || n.isFloat())
          && (Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue()))) {
        throw new DataException(
            "column '"
                + column
                + "': "
                + n.asText()
                + " (not a finite number) cannot be stored in "
                + type.deltaName());
      }
      d = n.decimalValue();
    } else if (n.isTextual()) {
      try {
        d = new BigDecimal(n.textValue().trim());
      } catch (NumberFormatException e) {
        throw bad(column, n, "decimal");
      }
    } else {
      throw bad(column, n, "decimal");
    }
    // Rounded only when it has more fraction digits than the column; otherwise kept as parsed (a
    // compact BigDecimal), which the writer rescales to the column's scale (ColumnType's contract).
    BigDecimal fitted =
        d.scale() > type.scale() ? d.setScale(type.scale(), RoundingMode.HALF_EVEN) : d;
    if (fitted.precision() - fitted.scale() > type.precision() - type.scale()) {
      throw new DataException(
          "column '" + column + "': " + digits(d) + " is out of range for " + type.deltaName());
    }
    return fitted;
  }

  private static Object guid(JsonNode n, String column) {
    if (n.isTextual()) {
      try {
        String s = n.textValue().trim();
        if (s.length() == 36) {
          return UUID.fromString(s).toString();
        }
      } catch (IllegalArgumentException e) {
        // fall through
      }
    }
    throw bad(column, n, "guid");
  }

  static DataException bad(String column, JsonNode n, String type) {
    return new DataException(
        "column '" + column + "': " + abbreviate(n) + " is not a valid " + type);
  }

  /**
   * A value for an error message: its kind and size, never its content (records can hold personal
   * data, and these messages are logged).
   */
  static String abbreviate(Object v) {
    if (v instanceof JsonNode n) {
      return switch (n.getNodeType()) {
        case STRING -> "a text of " + n.textValue().length() + " characters";
        case NUMBER -> "a number";
        case BOOLEAN -> "a boolean";
        case OBJECT -> "an object";
        case ARRAY -> "an array";
        default -> "a " + n.getNodeType().name().toLowerCase(Locale.ROOT);
      };
    }
    return v instanceof String str
        ? "a text of " + str.length() + " characters"
        : "a " + v.getClass().getSimpleName();
  }

  /** How many digits a decimal has before and after the point, for error messages. */
  static String digits(BigDecimal d) {
    int scale = Math.max(d.scale(), 0);
    return "a number with "
        + Math.max(d.precision() - d.scale(), 0)
        + " integer and "
        + scale
        + " fraction digits";
  }
}
