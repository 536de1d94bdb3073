package io.deltasink.connect.delta.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Merging statistics of one column by its Parquet type, including forms other writers than {@link
 * FileStats} use (offsets in timestamps, boolean bounds, {@code TIMESTAMP_NTZ}, INT96); {@link
 * FileCompactorTest} checks the merge against {@link FileStats} on real files.
 */
class MergedStatsTest {
  private static final String EMOJI = "\uD83D\uDE00";

  /**
   * One input's statistics for column {@code c}: {@code min} and {@code max} as JSON text ({@code
   * null} leaves the bound out), its null count and rows.
   */
  private record In(String min, String max, long nulls, long rows) {
    String json() {
      return "{\"numRecords\":"
          + rows
          + ",\"minValues\":{"
          + (min == null ? "" : "\"c\":" + min)
          + "},\"maxValues\":{"
          + (max == null ? "" : "\"c\":" + max)
          + "},\"nullCount\":{\"c\":"
          + nulls
          + "}}";
    }
  }

  private static In in(String min, String max) {
    return new In(min, max, 0, 10);
  }

  static Stream<Arguments> columns() {
    return Stream.of(
        Arguments.of(
            "integers as numbers, not text",
            "int32 c",
            List.of(in("-5", "9"), in("-12", "100")),
            "-12",
            "100"),
        Arguments.of(
            "longs beyond int",
            "int64 c",
            List.of(in("3", "4"), in("-9007199254740993", "5")),
            "-9007199254740993",
            "5"),
        Arguments.of(
            "an integer bound written as a fraction is not trusted",
            "int64 c",
            List.of(in("3", "4"), in("1.0", "5")),
            null,
            "5"),
        Arguments.of(
            "decimals exactly, in exponent form too, at the column's scale",
            "fixed_len_byte_array(16) c (DECIMAL(38,18))",
            List.of(
                in("1E-7", "123456789012345678.000000000000000001"),
                in("0.000000000000000001", "123456789012345678.000000000000000002")),
            "1E-18",
            "123456789012345678.000000000000000002"),
        Arguments.of(
            "a decimal bound with more digits than the scale is not a bound",
            "int32 c (DECIMAL(9,2))",
            List.of(in("1.50", "2.00"), in("1.499", "1.70")),
            null,
            "2.00"),
        Arguments.of(
            "floats: -0.0 before 0.0, infinities as Jackson writes them",
            "float c",
            List.of(in("0.0", "\"Infinity\""), in("-0.0", "3.4028235E38")),
            "-0.0",
            "\"Infinity\""),
        Arguments.of(
            "doubles: -Infinity, and the shortest text of a double",
            "double c",
            List.of(in("\"-Infinity\"", "0.1"), in("1.0E-300", "0.30000000000000004")),
            "\"-Infinity\"",
            "0.30000000000000004"),
        Arguments.of(
            "a NaN bound is no bound",
            "double c",
            List.of(in("\"NaN\"", "1.0"), in("0.5", "2.0")),
            null,
            "2.0"),
        Arguments.of(
            "strings in UTF-8 byte order, not UTF-16",
            "binary c (STRING)",
            List.of(in("\"\uFFFD\"", "\"\uFFFD\""), in("\"\uE000\"", "\"" + EMOJI + "\"")),
            "\"\uE000\"",
            "\"" + EMOJI + "\""),
        Arguments.of(
            "dates before year 1 and after 9999",
            "int32 c (DATE)",
            List.of(
                in("\"0001-01-01\"", "\"9999-12-31\""), in("\"-0002-09-16\"", "\"+10000-01-01\"")),
            "\"-0002-09-16\"",
            "\"+10000-01-01\""),
        Arguments.of(
            "timestamps as instants, whatever their offset; the text is kept",
            "int64 c (TIMESTAMP(MICROS,true))",
            List.of(
                in("\"2023-01-01T00:30:00.000Z\"", "\"2023-01-01T10:00:00.000Z\""),
                in("\"2023-01-01T01:00:00.000+01:00\"", "\"2023-01-01T12:00:00.000+03:00\"")),
            "\"2023-01-01T01:00:00.000+01:00\"",
            "\"2023-01-01T10:00:00.000Z\""),
        Arguments.of(
            "timestamps without time zone as local date-times",
            "int64 c (TIMESTAMP(MICROS,false))",
            List.of(
                in("\"2023-01-01T00:00:00.000\"", "\"2023-01-02T00:00:00.000\""),
                in("\"2022-12-31T23:00:00.000\"", "\"2023-01-01T05:00:00.000\"")),
            "\"2022-12-31T23:00:00.000\"",
            "\"2023-01-02T00:00:00.000\""),
        Arguments.of(
            "INT96 timestamps",
            "int96 c",
            List.of(
                in("\"2023-01-01T00:00:00.000Z\"", "\"2023-01-01T00:00:00.000Z\""),
                in("\"1900-01-01T00:00:00.000Z\"", "\"1900-01-01T00:00:00.000Z\"")),
            "\"1900-01-01T00:00:00.000Z\"",
            "\"2023-01-01T00:00:00.000Z\""),
        Arguments.of(
            "booleans, false before true",
            "boolean c",
            List.of(in("true", "true"), in("false", "true")),
            "false",
            "true"),
        Arguments.of(
            "binary bounds cannot be compared: left out",
            "binary c",
            List.of(in("\"AQ==\"", "\"Ag==\""), in("\"AA==\"", "\"Aw==\"")),
            null,
            null),
        Arguments.of(
            "a truncated string's missing maximum is not guessed",
            "binary c (STRING)",
            List.of(
                in("\"b\"", "\"c\""), new In("\"a long string cut to a prefix xx\"", null, 0, 3)),
            "\"a long string cut to a prefix xx\"",
            null),
        Arguments.of(
            "an input whose column is all null adds nothing",
            "int64 c",
            List.of(in("7", "8"), new In(null, null, 4, 4), new In(null, null, 0, 0)),
            "7",
            "8"),
        Arguments.of(
            "an input without bounds for a column with values makes them unknown",
            "int64 c",
            List.of(in("7", "8"), new In(null, null, 3, 4)),
            null,
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("columns")
  void mergesOneColumn(String description, String column, List<In> inputs, String min, String max) {
    MessageType schema =
        MessageTypeParser.parseMessageType("message m { optional " + column + "; }");
    long[] rows = inputs.stream().mapToLong(In::rows).toArray();
    long total = inputs.stream().mapToLong(In::rows).sum();
    long nulls = inputs.stream().mapToLong(In::nulls).sum();
    String merged = MergedStats.merge(schema, inputs.stream().map(In::json).toList(), rows, total);
    assertThat(merged)
        .as(description)
        .isEqualTo(
            "{\"numRecords\":"
                + total
                + ",\"minValues\":{"
                + (min == null ? "" : "\"c\":" + min)
                + "},\"maxValues\":{"
                + (max == null ? "" : "\"c\":" + max)
                + "},\"nullCount\":{\"c\":"
                + nulls
                + "}}");
  }

  static Stream<Arguments> unknowns() {
    String good =
        "{\"numRecords\":2,\"minValues\":{\"c\":1},\"maxValues\":{\"c\":2},\"nullCount\":{\"c\":0}}";
    return Stream.of(
        Arguments.of("no stats", null),
        Arguments.of("empty stats", ""),
        Arguments.of("not JSON", "{\"numRecords\":"),
        Arguments.of("trailing text", good + "x"),
        Arguments.of("not an object", "[1]"));
  }

  /** An input without readable statistics leaves only the row count known. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("unknowns")
  void anInputWithoutReadableStatsLeavesOnlyTheRowCount(String description, String stats) {
    MessageType schema = MessageTypeParser.parseMessageType("message m { optional int64 c; }");
    String good =
        "{\"numRecords\":2,\"minValues\":{\"c\":1},\"maxValues\":{\"c\":2},\"nullCount\":{\"c\":0}}";
    assertThat(
            MergedStats.merge(schema, java.util.Arrays.asList(good, stats), new long[] {2, 3}, 5))
        .isEqualTo("{\"numRecords\":5}");
    assertThat(MergedStats.numRecords(stats)).isEqualTo(-1);
    assertThat(MergedStats.numRecords(good)).isEqualTo(2);
  }

  /**
   * Nested structs merge field by field; a field without a null count in one input is unknown and
   * left out everywhere; a struct without any bound is left out of min/max; lists and maps have a
   * null count only.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("nested")
  void mergesNestedColumns(String description, List<String> inputs, String expected) {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m { optional group p { optional int32 x; optional binary s (STRING);"
                + " optional group q { optional double y; } }"
                + " optional group tags (LIST) { repeated group list { optional binary element (STRING); } } }");
    assertThat(MergedStats.merge(schema, inputs, new long[] {2, 2}, 4))
        .as(description)
        .isEqualTo(expected);
  }

  static Stream<Arguments> nested() {
    String a =
        "{\"numRecords\":2,\"minValues\":{\"p\":{\"x\":1,\"s\":\"a\",\"q\":{\"y\":1.5}}},"
            + "\"maxValues\":{\"p\":{\"x\":5,\"s\":\"k\",\"q\":{\"y\":2.5}}},"
            + "\"nullCount\":{\"p\":{\"x\":0,\"s\":0,\"q\":{\"y\":0}},\"tags\":1}}";
    String b =
        "{\"numRecords\":2,\"minValues\":{\"p\":{\"x\":-1,\"s\":\"b\"}},"
            + "\"maxValues\":{\"p\":{\"x\":3,\"s\":\"z\"}},"
            + "\"nullCount\":{\"p\":{\"x\":0,\"s\":0,\"q\":{\"y\":2}},\"tags\":0}}";
    String bWithoutNullCountOfS = b.replace("\"s\":0,", "");
    String bWithValuesInY = b.replace("\"q\":{\"y\":2}", "\"q\":{\"y\":1}");
    return Stream.of(
        Arguments.of(
            "field by field; y all null in b",
            List.of(a, b),
            "{\"numRecords\":4,\"minValues\":{\"p\":{\"x\":-1,\"s\":\"a\",\"q\":{\"y\":1.5}}},"
                + "\"maxValues\":{\"p\":{\"x\":5,\"s\":\"z\",\"q\":{\"y\":2.5}}},"
                + "\"nullCount\":{\"p\":{\"x\":0,\"s\":0,\"q\":{\"y\":2}},\"tags\":1}}"),
        Arguments.of(
            "a missing null count drops the field",
            List.of(a, bWithoutNullCountOfS),
            "{\"numRecords\":4,\"minValues\":{\"p\":{\"x\":-1,\"q\":{\"y\":1.5}}},"
                + "\"maxValues\":{\"p\":{\"x\":5,\"q\":{\"y\":2.5}}},"
                + "\"nullCount\":{\"p\":{\"x\":0,\"q\":{\"y\":2}},\"tags\":1}}"),
        Arguments.of(
            "y with values but no bound in b: a struct without bounds is left out",
            List.of(a, bWithValuesInY),
            "{\"numRecords\":4,\"minValues\":{\"p\":{\"x\":-1,\"s\":\"a\"}},"
                + "\"maxValues\":{\"p\":{\"x\":5,\"s\":\"z\"}},"
                + "\"nullCount\":{\"p\":{\"x\":0,\"s\":0,\"q\":{\"y\":1}},\"tags\":1}}"));
  }
}
