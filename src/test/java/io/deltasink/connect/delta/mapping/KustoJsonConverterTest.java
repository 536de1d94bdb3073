package io.deltasink.connect.delta.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KustoJsonConverterTest {

  private static KustoJsonConverter converter(String mapping) {
    return new KustoJsonConverter(
        IngestionMapping.parse("m", mapping), new KafkaColumns(List.of()), 64);
  }

  private static SinkRecord record(Object value) {
    return new SinkRecord("temperatures", 3, null, null, null, value, 42);
  }

  /** Maps one field $.v with the given datatype and converts {"v": json}. */
  private static Object one(String datatype, String json) {
    KustoJsonConverter c =
        converter("[{\"column\":\"v\",\"path\":\"$.v\",\"datatype\":\"" + datatype + "\"}]");
    SinkRecord r = record("{\"v\":" + json + "}");
    ColumnType.Struct schema = c.schemaFor(r);
    return atColumnScale(c.toRow(r, schema), schema)[0];
  }

  /**
   * The row with its decimals at their column's scale, as the Parquet writer stores them (a row may
   * hold 13.6 for decimal(38,18)); throws if a decimal has more fraction digits than its column.
   */
  static Object[] atColumnScale(Object[] row, ColumnType.Struct schema) {
    Object[] out = row.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] instanceof BigDecimal d
          && schema.fields().get(i).type() instanceof ColumnType.Decimal t) {
        out[i] = d.setScale(t.scale());
      }
    }
    return out;
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("bool", "true", true),
        Arguments.of("bool", "\"FALSE\"", false),
        Arguments.of("bool", "1", true),
        Arguments.of("int", "-7", -7),
        Arguments.of("int", "\"12\"", 12),
        Arguments.of("int", "3.0", 3),
        Arguments.of("long", "9007199254740993", 9_007_199_254_740_993L),
        Arguments.of("long", "\"-5\"", -5L),
        Arguments.of("real", "1.25", 1.25),
        Arguments.of("real", "\"NaN\"", Double.NaN),
        Arguments.of("real", "7", 7.0),
        Arguments.of("decimal", "13.6", new BigDecimal("13.600000000000000000")),
        Arguments.of("decimal", "77.600006", new BigDecimal("77.600006000000000000")),
        Arguments.of("decimal", "\"-0.099990845\"", new BigDecimal("-0.099990845000000000")),
        Arguments.of("decimal", "1e3", new BigDecimal("1000.000000000000000000")),
        Arguments.of("decimal", "0.1234567890123456789", new BigDecimal("0.123456789012345679")),
        Arguments.of("datetime", "\"2023-01-01T00:00\"", 1_672_531_200_000_000L),
        Arguments.of("datetime", "\"2023-01-01 01:02:03.5\"", 1_672_534_923_500_000L),
        Arguments.of("datetime", "\"2023-01-01T02:00:00+02:00\"", 1_672_531_200_000_000L),
        Arguments.of("datetime", "\"2023-01-01T00:00:00.123456789Z\"", 1_672_531_200_123_456L),
        Arguments.of("datetime", "\"2023-01-02\"", 1_672_617_600_000_000L),
        Arguments.of("datetime", "\"2024-02-29T12:00Z\"", 1_709_208_000_000_000L),
        Arguments.of("datetime", "\"2023-01-01T24:00\"", 1_672_617_600_000_000L),
        Arguments.of("datetime", "\"2023-01-01 24:00:00.000\"", 1_672_617_600_000_000L),
        Arguments.of("datetime", "\"0000-01-01\"", -62_167_219_200_000_000L),
        Arguments.of("timespan", "\"01:00:00\"", 36_000_000_000L),
        Arguments.of("timespan", "\"1.00:00:00.5\"", 864_005_000_000L),
        Arguments.of("timespan", "\"-00:01\"", -600_000_000L),
        Arguments.of("timespan", "123", 123L),
        Arguments.of("timespan", "\"10675198.00:00:00\"", 9_223_371_072_000_000_000L),
        Arguments.of("timespan", "\"256204778:48:05.4775807\"", Long.MAX_VALUE),
        Arguments.of("timespan", "\"-256204778:48:05.4775807\"", -Long.MAX_VALUE),
        Arguments.of(
            "guid",
            "\"3F2504E0-4F89-11D3-9A0C-0305E82C3301\"",
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
        Arguments.of("string", "\"héllo\"", "héllo"),
        Arguments.of("string", "12.50", "12.50"),
        Arguments.of("string", "{\"a\":1}", "{\"a\":1}"),
        Arguments.of("dynamic", "{\"a\":[1,2]}", "{\"a\":[1,2]}"),
        Arguments.of("dynamic", "\"x\"", "\"x\""),
        Arguments.of("int", "null", null),
        Arguments.of("decimal", "null", null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("accepted")
  void readsEveryDataType(String datatype, String json, Object expected) {
    assertThat(one(datatype, json)).isEqualTo(expected);
  }

  /** An existing table's timestamp_ntz column takes a datetime as its UTC wall-clock time. */
  @Test
  void aDatetimeFillsATimestampNtzColumnWithItsUtcWallClockTime() {
    KustoJsonConverter c =
        converter("[{\"column\":\"v\",\"path\":\"$.v\",\"datatype\":\"datetime\"}]");
    ColumnType.Struct table =
        new ColumnType.Struct(
            java.util.List.of(
                new io.deltasink.connect.delta.schema.Column(
                    "v", ColumnType.Primitive.TIMESTAMP_NTZ, true)));
    assertThat(c.toRow(record("{\"v\":\"2023-01-01T02:00:00+02:00\"}"), table)[0])
        .isEqualTo(1_672_531_200_000_000L);
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of("bool", "\"yes\"", "column 'v': a text of 3 characters is not a valid bool"),
        Arguments.of("int", "\"twelve\"", "column 'v': a text of 6 characters is not a valid int"),
        Arguments.of("int", "2147483648", "column 'v': a 32-bit integer is out of range for int"),
        Arguments.of("int", "1.5", "is not a whole number, as int needs"),
        Arguments.of("long", "9223372036854775808", "out of range for long"),
        Arguments.of("long", "{}", "column 'v': an object is not a valid long"),
        Arguments.of("real", "[1]", "an array is not a valid real"),
        Arguments.of("decimal", "\"abc\"", "is not a valid decimal"),
        Arguments.of(
            "decimal",
            "123456789012345678901",
            "a number with 21 integer and 0 fraction digits is out of range for decimal(38,18)"),
        Arguments.of(
            "decimal", "NaN", "NaN (not a finite number) cannot be stored in decimal(38,18)"),
        Arguments.of("decimal", "Infinity", "cannot be stored in decimal(38,18)"),
        Arguments.of("datetime", "\"yesterday\"", "is not an ISO-8601 datetime"),
        Arguments.of(
            "datetime",
            "\"2023-02-31\"",
            "column 'v': a text of 10 characters is not an ISO-8601 datetime"),
        Arguments.of(
            "datetime",
            "\"2023-02-29T00:00\"",
            "column 'v': a text of 16 characters is not an ISO-8601 datetime"),
        Arguments.of("datetime", "\"2023-04-31 10:00:00Z\"", "is not an ISO-8601 datetime"),
        Arguments.of("datetime", "\"2023-01-01T24:00:01\"", "is not an ISO-8601 datetime"),
        Arguments.of("datetime", "\"2023-01-01T24:30\"", "is not an ISO-8601 datetime"),
        Arguments.of("datetime", "\"2023-01-01T23:60\"", "is not an ISO-8601 datetime"),
        Arguments.of(
            "datetime",
            "1672531200",
            "is not a datetime text; for numbers since the epoch use a DateTimeFromUnix* transform"),
        Arguments.of("timespan", "\"1:99:00\"", "is not a timespan"),
        Arguments.of(
            "timespan",
            "\"10675200.00:00:00\"",
            "column 'v': a timespan out of range (100 ns ticks in a long)"),
        Arguments.of(
            "timespan",
            "\"-9999999999999:00\"",
            "column 'v': a timespan out of range (100 ns ticks in a long)"),
        Arguments.of(
            "timespan",
            "\"256204778:48:05.4775808\"",
            "column 'v': a timespan out of range (100 ns ticks in a long)"),
        Arguments.of("guid", "\"not-a-guid\"", "is not a valid guid"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("rejected")
  void rejectsValuesThatDoNotFitNamingTheColumn(String datatype, String json, String message) {
    assertThatThrownBy(() -> one(datatype, json))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(message);
  }

  /**
   * Issue 12 case 11: a day that does not exist is a bad record, in a date column too, not the
   * month's last day.
   */
  @Test
  void anImpossibleDateIsRejectedNotMovedToTheMonthsLastDay() {
    KustoJsonConverter c = converter("[{\"column\":\"d\",\"path\":\"$.d\"}]");
    ColumnType.Struct table =
        new ColumnType.Struct(List.of(new Column("d", ColumnType.Primitive.DATE, true)));
    assertThat(c.toRow(record("{\"d\":\"2024-02-29\"}"), table)).containsExactly(19_782);
    assertThatThrownBy(() -> c.toRow(record("{\"d\":\"2023-02-29\"}"), table))
        .isInstanceOf(DataException.class)
        .hasMessage("column 'd': a text of 10 characters is not an ISO-8601 datetime");
    KustoJsonConverter constant =
        converter(
            "[{\"column\":\"d\",\"datatype\":\"datetime\",\"Properties\":{\"ConstValue\":\"2023-06-31\"}}]");
    assertThatThrownBy(() -> constant.toRow(record("{}"), constant.schemaFor(record("{}"))))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("column 'd'");
  }

  @Test
  void missingPathGivesNull() {
    KustoJsonConverter c =
        converter(
            "[{\"column\":\"a\",\"path\":\"$.x.y\",\"datatype\":\"long\"},"
                + "{\"column\":\"b\",\"path\":\"$.b\",\"datatype\":\"long\"}]");
    SinkRecord r = record("{\"b\":2}");
    assertThat(c.toRow(r, c.schemaFor(r))).containsExactly(null, 2L);
  }

  @Test
  void everyTransform() {
    KustoJsonConverter c =
        converter(
            "["
                + "{\"column\":\"s\",\"path\":\"$.s\",\"transform\":\"DateTimeFromUnixSeconds\"},"
                + "{\"column\":\"ms\",\"path\":\"$.ms\",\"transform\":\"DateTimeFromUnixMilliseconds\"},"
                + "{\"column\":\"us\",\"path\":\"$.us\",\"transform\":\"DateTimeFromUnixMicroseconds\"},"
                + "{\"column\":\"ns\",\"path\":\"$.ns\",\"transform\":\"DateTimeFromUnixNanoseconds\"},"
                + "{\"column\":\"src\",\"transform\":\"SourceLocation\"},"
                + "{\"column\":\"line\",\"transform\":\"SourceLineNumber\"},"
                + "{\"column\":\"id\",\"path\":\"$.event.id\",\"datatype\":\"long\"},"
                + "{\"column\":\"rest\",\"path\":\"$.event\",\"transform\":\"DropMappedFields\"},"
                + "{\"column\":\"props\",\"path\":\"$.props\",\"transform\":\"PropertyBagArrayToDictionary\"},"
                + "{\"column\":\"env\",\"datatype\":\"string\",\"Properties\":{\"ConstValue\":\"prod\"}},"
                + "{\"column\":\"n\",\"datatype\":\"int\",\"Properties\":{\"ConstValue\":\"7\"}}]");
    SinkRecord r =
        record(
            "{\"s\":1672531200,\"ms\":\"1672531200123\",\"us\":1672531200123456,\"ns\":1672531200123456789,"
                + "\"event\":{\"id\":5,\"kind\":\"click\"},\"props\":[{\"a\":1},{\"b\":\"x\"}]}");
    ColumnType.Struct schema = c.schemaFor(r);
    assertThat(schema.fields())
        .extracting(Column::type)
        .containsExactly(
            ColumnType.Primitive.TIMESTAMP,
            ColumnType.Primitive.TIMESTAMP,
            ColumnType.Primitive.TIMESTAMP,
            ColumnType.Primitive.TIMESTAMP,
            ColumnType.Primitive.STRING,
            ColumnType.Primitive.LONG,
            ColumnType.Primitive.LONG,
            ColumnType.Primitive.STRING,
            ColumnType.Primitive.STRING,
            ColumnType.Primitive.STRING,
            ColumnType.Primitive.INTEGER);
    assertThat(c.toRow(r, schema))
        .containsExactly(
            1_672_531_200_000_000L,
            1_672_531_200_123_000L,
            1_672_531_200_123_456L,
            1_672_531_200_123_456L,
            "kafka://temperatures/3",
            42L,
            5L,
            "{\"kind\":\"click\"}",
            "{\"a\":1,\"b\":\"x\"}",
            "prod",
            7);
  }

  @Test
  void acceptsStringBytesAndMapValues() {
    KustoJsonConverter c = converter(IngestionMappingTest.LEGACY);
    String line =
        "{\"latitude\":13.0,\"longitude\":77.600006,\"time\":\"2023-01-01T00:00\",\"temperature_2m\":13.6}";
    Object[] expected = {
      new BigDecimal("13.000000000000000000"),
      new BigDecimal("77.600006000000000000"),
      "2023-01-01T00:00",
      new BigDecimal("13.600000000000000000")
    };
    SinkRecord asString = record(line);
    ColumnType.Struct schema = c.schemaFor(asString);
    assertThat(atColumnScale(c.toRow(asString, schema), schema)).containsExactly(expected);
    assertThat(
            atColumnScale(c.toRow(record(line.getBytes(StandardCharsets.UTF_8)), schema), schema))
        .containsExactly(expected);
    // JsonConverter with schemas.enable=false gives a Map of Double/Long/String.
    Map<String, Object> map =
        Map.of(
            "latitude",
            13.0,
            "longitude",
            77.600006,
            "time",
            "2023-01-01T00:00",
            "temperature_2m",
            13.6);
    assertThat(atColumnScale(c.toRow(record(map), schema), schema)).containsExactly(expected);
  }

  static Stream<Arguments> badDocuments() {
    return Stream.of(
        Arguments.of("{\"latitude\":", "malformed JSON"),
        Arguments.of("{\"a\":1} trailing", "malformed JSON"),
        Arguments.of("[1,2]", "the JSON value must be an object, got an array"),
        Arguments.of("\"text\"", "the JSON value must be an object, got a text of 4 characters"),
        Arguments.of(
            new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
            "malformed JSON"),
        // Invalid UTF-8 that Jackson decodes: a CESU-8 surrogate, overlong '/', above U+10FFFF,
        // truncated.
        Arguments.of(
            new byte[] {
              '{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'
            },
            "malformed JSON: invalid UTF-8 at byte 6"),
        Arguments.of(
            new byte[] {
              '{',
              '"',
              'x',
              '"',
              ':',
              '"',
              (byte) 0xC0,
              (byte) 0xAF,
              '"',
              ',',
              '"',
              'a',
              '"',
              ':',
              '1',
              '}'
            },
            "malformed JSON: invalid UTF-8 at byte 6"),
        Arguments.of(
            new byte[] {'{', '"', (byte) 0xE0, (byte) 0x80, (byte) 0xAF, '"', ':', '1', '}'},
            "malformed JSON: invalid UTF-8 at byte 2"),
        Arguments.of(
            new byte[] {
              '{',
              '"',
              'a',
              '"',
              ':',
              '"',
              (byte) 0xF4,
              (byte) 0x90,
              (byte) 0x80,
              (byte) 0x80,
              '"',
              '}'
            },
            "malformed JSON: invalid UTF-8 at byte 6"),
        Arguments.of(
            new byte[] {'{', '"', 'a', '"', ':', '"', 'x', 'x', 'x', 'x', 'x', 'x', (byte) 0xC3},
            "malformed JSON: invalid UTF-8 at byte 12"),
        Arguments.of("{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}", "malformed JSON"),
        Arguments.of(12L, "needs the value as a String, byte[] or Map"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badDocuments")
  void rejectsDocumentsThatAreNotOneJsonObject(Object value, String message) {
    KustoJsonConverter c = converter(IngestionMappingTest.LEGACY);
    SinkRecord r = record(value);
    assertThatThrownBy(() -> c.toRow(r, c.schemaFor(r)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(message);
  }

  /** Issue 12 case 15: the kind of problem and where, never the document's content. */
  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of(
            "{\"latitude\":", "malformed JSON: unexpected end of input at line 1 column 13"),
        Arguments.of(
            "{\"latitude\":JohnSmith}", "malformed JSON: unrecognized token at line 1 column 22"),
        Arguments.of(
            "{\"latitude\":1} JohnSmith", "malformed JSON: unrecognized token at line 1 column 25"),
        Arguments.of(
            "{\"latitude\":1,JohnSmith:2}",
            "malformed JSON: unexpected character at line 1 column 15"),
        Arguments.of(
            "{\"latitude\":-JohnSmith}",
            "malformed JSON: unexpected character at line 1 column 14"),
        Arguments.of("{\"latitude\":01}", "malformed JSON: invalid number at line 1 column 14"),
        Arguments.of(
            "{\"time\":\"\\qJohnSmith\"}",
            "malformed JSON: invalid escape sequence at line 1 column 11"),
        Arguments.of(
            "{\"time\":\"John\tSmith\"}",
            "malformed JSON: unescaped control character in a string at line 1 column 14"),
        Arguments.of(
            "{\"latitude\":[1}",
            "malformed JSON: a closing bracket that does not match at line 1 column 15"),
        Arguments.of(
            "{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}",
            "malformed JSON: Document nesting depth (65) exceeds "
                + "the maximum allowed (64, from `StreamReadConstraints.getMaxNestingDepth()`)"),
        Arguments.of(
            Map.of("JohnSmith", new Object()),
            "the value cannot be read as JSON (IllegalArgumentException: "
                + "InvalidDefinitionException)"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("malformed")
  void malformedDocumentsAreDescribedWithoutTheirContent(Object value, String message) {
    KustoJsonConverter c = converter(IngestionMappingTest.LEGACY);
    SinkRecord r = record(value);
    assertThatThrownBy(() -> c.toRow(r, c.schemaFor(r)))
        .isInstanceOf(DataException.class)
        .hasMessage(message);
  }

  @Test
  void validUtf8IsReadAsItIs() {
    KustoJsonConverter c =
        converter("[{\"column\":\"s\",\"path\":\"$.s\",\"datatype\":\"string\"}]");
    String text = "h\u00e9llo \u20ac \uD83D\uDE00 \uFFFD \uE000";
    SinkRecord r = record(("{\"s\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8));
    assertThat(c.toRow(r, c.schemaFor(r))).containsExactly(text);
  }

  /**
   * An unpaired surrogate stays in the row (the byte parser read it as '?'), for the writer to
   * reject.
   */
  @Test
  void anUnpairedSurrogateInAStringDocumentIsNotReplaced() {
    KustoJsonConverter c =
        converter("[{\"column\":\"s\",\"path\":\"$.s\",\"datatype\":\"string\"}]");
    SinkRecord r = record("{\"s\":\"a\uD800\"}");
    assertThat(c.toRow(r, c.schemaFor(r))).containsExactly("a\uD800");
  }

  @Test
  void mappingWithoutDataTypesTakesTheTableTypes() {
    KustoJsonConverter c =
        converter(
            "[{\"column\":\"city\",\"path\":\"$.c\"},{\"column\":\"t\",\"path\":\"$.t\"},"
                + "{\"column\":\"d\",\"path\":\"$.d\"}]");
    SinkRecord r = record("{\"c\":\"Paris\",\"t\":\"21.5\",\"d\":\"2023-01-02\"}");
    assertThatThrownBy(() -> c.schemaFor(r))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining(
            "gives no datatype for column 'city' and the table does not exist yet");
    ColumnType.Struct table =
        new ColumnType.Struct(
            List.of(
                new Column("city", ColumnType.Primitive.STRING, true),
                new Column("t", new ColumnType.Decimal(5, 2), true),
                new Column("d", ColumnType.Primitive.DATE, true),
                new Column("extra", ColumnType.Primitive.LONG, true)));
    assertThat(atColumnScale(c.toRow(r, table), table))
        .containsExactly("Paris", new BigDecimal("21.50"), 19_359, null);
  }

  @Test
  void mappingAndTableMustAgree() {
    KustoJsonConverter c = converter("[{\"column\":\"a\",\"path\":\"$.a\",\"datatype\":\"int\"}]");
    SinkRecord r = record("{\"a\":1}");
    ColumnType.Struct wrongType =
        new ColumnType.Struct(List.of(new Column("a", ColumnType.Primitive.STRING, true)));
    assertThatThrownBy(() -> c.toRow(r, wrongType))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining(
            "declares column 'a' as INT (integer) but the table column is string");
    ColumnType.Struct missing =
        new ColumnType.Struct(List.of(new Column("b", ColumnType.Primitive.INTEGER, true)));
    assertThatThrownBy(() -> c.toRow(r, missing))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("maps column 'a', which the table does not have");
  }

  @Test
  void nullForANotNullTableColumnNamesTheColumn() {
    KustoJsonConverter c =
        converter("[{\"column\":\"id\",\"path\":\"$.id\",\"datatype\":\"long\"}]");
    ColumnType.Struct table =
        new ColumnType.Struct(List.of(new Column("id", ColumnType.Primitive.LONG, false)));
    assertThat(c.toRow(record("{\"id\":1}"), table)).containsExactly(1L);
    assertThatThrownBy(() -> c.toRow(record("{\"other\":1}"), table))
        .isInstanceOf(DataException.class)
        .hasMessage("column 'id' is NOT NULL in the table but the document gives no value for it");
  }
}
