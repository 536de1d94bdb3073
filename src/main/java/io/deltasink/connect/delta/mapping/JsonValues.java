package io.deltasink.connect.delta.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
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
  private static final DateTimeFormatter DATETIME =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral('T')
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalEnd()
          .optionalEnd()
          .optionalStart()
          .appendOffsetId()
          .optionalEnd()
          // STRICT: 2023-02-31 is an error, not 2023-02-28 (SMART's clamp). The ISO date's year
          // field is
          // the proleptic year ('uuuu'), which STRICT resolves without an era.
          .toFormatter(Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT)
          .withChronology(IsoChronology.INSTANCE);
  private static final long TICKS_PER_SECOND = 10_000_000L;

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
      case DATETIME -> type == ColumnType.Primitive.DATE ? date(n, column) : datetime(n, column);
      case TIMESPAN -> timespan(n, column);
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

  private static Object datetime(JsonNode n, String column) {
    if (!n.isTextual()) {
      throw new DataException(
          "column '"
              + column
              + "': "
              + abbreviate(n)
              + " is not a datetime text; for numbers "
              + "since the epoch use a DateTimeFromUnix* transform");
    }
    return parseDatetimeMicros(n.textValue(), column);
  }

  /**
   * Microseconds since 1970-01-01T00:00Z of an ISO-8601 datetime text (see the class comment).
   * Dates and times must exist: 2023-02-29 and 23:60 are errors. {@code 24:00} (ISO 8601's end of a
   * day) is the next day's midnight.
   *
   * @throws DataException naming {@code column} (not the text) when the text is no such datetime or
   *     is outside the microseconds a long holds
   */
  static long parseDatetimeMicros(String text, String column) {
    String s = text.trim();
    if (s.length() > 10 && s.charAt(10) == ' ') {
      s = s.substring(0, 10) + 'T' + s.substring(11);
    }
    boolean endOfDay = s.startsWith("T24:", 10);
    if (endOfDay) {
      s = s.substring(0, 11) + "00" + s.substring(13);
    }
    try {
      TemporalAccessor t = DATETIME.parse(s);
      LocalDate date = LocalDate.from(t);
      LocalTime time =
          t.isSupported(ChronoField.HOUR_OF_DAY) ? LocalTime.from(t) : LocalTime.MIDNIGHT;
      if (endOfDay) {
        if (!time.equals(LocalTime.MIDNIGHT)) {
          throw new DateTimeParseException("only 24:00 ends a day", s, 11);
        }
        date = date.plusDays(1);
      }
      ZoneOffset offset =
          t.isSupported(ChronoField.OFFSET_SECONDS) ? ZoneOffset.from(t) : ZoneOffset.UTC;
      long seconds = date.atTime(time).toEpochSecond(offset);
      return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), time.getNano() / 1000);
    } catch (DateTimeException | ArithmeticException e) {
      throw new DataException(
          "column '" + column + "': " + abbreviate(text) + " is not an ISO-8601 datetime");
    }
  }

  private static Object date(JsonNode n, String column) {
    if (!n.isTextual()) {
      throw bad(column, n, "date");
    }
    return (int) Math.floorDiv(parseDatetimeMicros(n.textValue(), column), 86_400_000_000L);
  }

  private static Object timespan(JsonNode n, String column) {
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.longValue();
    }
    if (!n.isTextual()) {
      throw bad(column, n, "timespan");
    }
    String s = n.textValue().trim();
    try {
      boolean negative = s.startsWith("-");
      if (negative) {
        s = s.substring(1);
      }
      long days = 0;
      int colon = s.indexOf(':');
      int dot = s.indexOf('.');
      if (dot >= 0 && dot < colon) {
        days = Long.parseLong(s.substring(0, dot));
        s = s.substring(dot + 1);
      }
      String[] parts = s.split(":");
      if (parts.length < 2 || parts.length > 3) {
        throw new NumberFormatException();
      }
      long hours = Long.parseLong(parts[0]);
      long minutes = Long.parseLong(parts[1]);
      long ticks = 0;
      long secs = 0;
      if (parts.length == 3) {
        String[] sec = parts[2].split("\\.", 2);
        secs = Long.parseLong(sec[0]);
        if (sec.length == 2) {
          String frac = (sec[1] + "0000000").substring(0, 7);
          ticks = Long.parseLong(frac);
        }
      }
      if (minutes > 59 || secs > 59) {
        throw new NumberFormatException();
      }
      long total;
      try {
        long allHours = Math.addExact(Math.multiplyExact(days, 24), hours);
        long seconds =
            Math.addExact(
                Math.multiplyExact(Math.addExact(Math.multiplyExact(allHours, 60), minutes), 60),
                secs);
        total = Math.addExact(Math.multiplyExact(seconds, TICKS_PER_SECOND), ticks);
      } catch (ArithmeticException e) {
        throw new DataException(
            "column '" + column + "': a timespan out of range (100 ns ticks in a long)");
      }
      return negative ? -total : total;
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new DataException(
          "column '"
              + column
              + "': "
              + abbreviate(n.textValue())
              + " is not a timespan ([d.]hh:mm[:ss[.fffffff]])");
    }
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

  private static DataException bad(String column, JsonNode n, String type) {
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
