package io.deltasink.connect.delta.mapping;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.apache.kafka.connect.errors.DataException;

/**
 * Kusto {@code datetime} and {@code timespan} values from JSON (Kusto docs, "The datetime data
 * type", "The timespan data type"): ISO-8601 date-times parsed strictly (an impossible date is a
 * bad record), timespans as {@code [d.]hh:mm[:ss[.fffffff]]} or a number of ticks; results in
 * microseconds since the epoch (or days for {@code date} columns) as the Delta types store them.
 */
final class KustoTimes {
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

  private KustoTimes() {}

  static Object datetime(JsonNode n, String column) {
    if (!n.isTextual()) {
      throw new DataException(
          "column '"
              + column
              + "': "
              + JsonValues.abbreviate(n)
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
          "column '"
              + column
              + "': "
              + JsonValues.abbreviate(text)
              + " is not an ISO-8601 datetime");
    }
  }

  static Object date(JsonNode n, String column) {
    if (!n.isTextual()) {
      throw JsonValues.bad(column, n, "date");
    }
    return (int) Math.floorDiv(parseDatetimeMicros(n.textValue(), column), 86_400_000_000L);
  }

  static Object timespan(JsonNode n, String column) {
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.longValue();
    }
    if (!n.isTextual()) {
      throw JsonValues.bad(column, n, "timespan");
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
              + JsonValues.abbreviate(n.textValue())
              + " is not a timespan ([d.]hh:mm[:ss[.fffffff]])");
    }
  }
}
