package io.deltasink.connect.delta.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.testing.SampleData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming read of top-level fields against the tree it replaces: for every document, a
 * mapping of top-level paths (streamed) and the same mapping plus one nested path (which makes the
 * converter build the tree) give the same row, or fail with the same message.
 */
class TopLevelFieldsTest {
  private static final String COLUMNS =
      "{\"column\":\"l\",\"path\":\"$.l\",\"datatype\":\"long\"},"
          + "{\"column\":\"i\",\"path\":\"$['i']\",\"datatype\":\"int\"},"
          + "{\"column\":\"r\",\"path\":\"$.r\",\"datatype\":\"real\"},"
          + "{\"column\":\"d\",\"path\":\"$.d\",\"datatype\":\"decimal\"},"
          + "{\"column\":\"d2\",\"path\":\"$.d\",\"datatype\":\"string\"},"
          + "{\"column\":\"s\",\"path\":\"$.s\",\"datatype\":\"string\"},"
          + "{\"column\":\"y\",\"path\":\"$.y\",\"datatype\":\"dynamic\"},"
          + "{\"column\":\"b\",\"path\":\"$.b\",\"datatype\":\"bool\"},"
          + "{\"column\":\"t\",\"path\":\"$.t\",\"datatype\":\"datetime\"},"
          + "{\"column\":\"e\",\"path\":\"$.e\",\"transform\":\"DateTimeFromUnixMilliseconds\"},"
          + "{\"column\":\"src\",\"transform\":\"SourceLocation\"},"
          + "{\"column\":\"k\",\"ConstValue\":\"7\",\"datatype\":\"long\"}";
  private static final KustoJsonConverter STREAMED = converter("[" + COLUMNS + "]");
  private static final KustoJsonConverter TREE =
      converter(
          "["
              + COLUMNS
              + ",{\"column\":\"nested\",\"path\":\"$.zz.nested\",\"datatype\":\"string\"}]");

  private static KustoJsonConverter converter(String mapping) {
    return new KustoJsonConverter(
        IngestionMapping.parse("m", mapping), new KafkaColumns(List.of()), 16);
  }

  static Stream<String> documents() {
    List<String> docs = new ArrayList<>(SampleData.temperatureLines().subList(0, 300));
    docs.addAll(
        List.of(
            "{\"l\":1,\"i\":2,\"r\":3,\"d\":4,\"s\":\"x\",\"b\":true,\"t\":\"2023-01-01T00:00\",\"e\":1672531200000}",
            "{\"l\":9223372036854775807,\"i\":-2147483648,\"r\":1e308,\"d\":12.50,\"s\":\"\\u00e9\\n\\\"q\\\"\"}",
            "{\"l\":92233720368547758070,\"d\":123456789012345678901234567890}",
            "{\"l\":\"12\",\"i\":3.0,\"r\":-0.0,\"d\":1E-7,\"s\":12.50,\"y\":{\"a\":[1,{\"b\":null}]},\"b\":\"FALSE\"}",
            "{\"r\":NaN,\"d\":7}",
            "{\"r\":-Infinity}",
            "{\"d\":NaN}",
            "{\"d\":Infinity}",
            "{\"y\":[1,2,3],\"s\":[1,\"a\"],\"d\":\"-0.099990845\"}",
            "{\"l\":1,\"l\":2,\"s\":\"first\",\"s\":\"second\"}",
            "{}",
            "{\"unmapped\":{\"deep\":[1,2,{\"x\":\"y\"}]},\"l\":5}",
            "{\"l\":null,\"i\":null,\"d\":null,\"y\":null}",
            "{\"l\":\"seven\"}",
            "{\"i\":2147483648}",
            "{\"d\":1e25}",
            "{\"b\":\"maybe\"}",
            "{\"t\":\"yesterday\"}",
            "[1,2]",
            "\"text\"",
            "42",
            "null",
            "",
            "   ",
            "{\"l\":",
            "{\"l\":1}}",
            "{\"l\":1} {\"l\":2}",
            "{\"l\":1,}",
            "{\"skip\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}",
            "{\"skip\":{\"a\":tru}}",
            "{'l':1}",
            "{\"s\":\"tab\there\"}",
            // Unpaired surrogates, raw in the String (the byte parser would see '?') and escaped.
            "{\"s\":\"a\uD800b\",\"l\":1}",
            "{\"y\":{\"k\":\"\uDC00\"}}",
            "{\"s\":\"\\uD800\"}",
            // Number shapes around the direct decimal read (18 digits, exponents, signs, zeros).
            "{\"d\":-0.0,\"r\":0.5}",
            "{\"d\":123456789012345678.5}",
            "{\"d\":12345678901234567.8}",
            "{\"d\":0.000000000000000001}",
            "{\"d\":0.00000000000000001}",
            "{\"d\":9.223372036854775807}",
            "{\"d\":-92233720368547758.08}",
            "{\"d\":1.5e3}",
            "{\"d\":-1.5E-3}",
            "{\"d\":2E+2}",
            "{\"d\":-0}",
            "{\"d\":99999999999999999999.9999999999999999995}",
            "{\"d\":99999999999999999999.999999999999999999}"));
    return docs.stream();
  }

  @ParameterizedTest
  @MethodSource("documents")
  void streamedRowsEqualTheTreeRows(String doc) {
    for (Object value : List.of(doc, doc.getBytes(StandardCharsets.UTF_8))) {
      assertSame(value);
    }
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "13.6",
        "-77.600006",
        "0",
        "-0",
        "-0.0",
        "12.50",
        "123456789012345678",
        "-999999999999999999",
        "0.000000000000000001",
        "-0.00000000000000000000123"
      })
  void plainNumbersAreReadDirectlyAsJacksonWouldReadThem(String number) {
    char[] padded = ("[" + number + "]").toCharArray();
    java.math.BigDecimal direct = TopLevelFields.plainDecimal(padded, 1, number.length());
    assertThat(direct).isNotNull();
    assertThat(direct.unscaledValue()).isEqualTo(new java.math.BigDecimal(number).unscaledValue());
    assertThat(direct.scale()).isEqualTo(new java.math.BigDecimal(number).scale());
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "1e3",
        "1.5E-3",
        "2E+2",
        "1234567890123456789",
        "9.223372036854775807",
        "-12345678901234567.89"
      })
  void otherNumbersAreLeftToJackson(String number) {
    assertThat(TopLevelFields.plainDecimal(number.toCharArray(), 0, number.length())).isNull();
  }

  @ParameterizedTest
  @MethodSource("invalidUtf8")
  void invalidUtf8AnywhereIsStillABadRecord(byte[] doc) {
    assertSame(doc);
  }

  static Stream<byte[]> invalidUtf8() {
    byte[] bad = {(byte) 0xC3, (byte) 0x28};
    byte[] cesu = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
    byte[] overlong = {(byte) 0xC0, (byte) 0xAF};
    return Stream.of(
        concat("{\"s\":\"", bad, "\"}"),
        concat("{\"unmapped\":\"", bad, "\",\"l\":1}"),
        concat("{\"unmapped\":{\"x\":\"", bad, "\"},\"l\":1}"),
        concat("{\"s\":\"", cesu, "\"}"),
        concat("{\"unmapped\":\"", overlong, "\",\"l\":1}"));
  }

  private static byte[] concat(String a, byte[] b, String c) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] z = c.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(x, x.length + b.length + z.length);
    System.arraycopy(b, 0, out, x.length, b.length);
    System.arraycopy(z, 0, out, x.length + b.length, z.length);
    return out;
  }

  private static void assertSame(Object value) {
    SinkRecord r = new SinkRecord("temperatures", 3, null, null, null, value, 42);
    ColumnType.Struct streamedSchema = STREAMED.schemaFor(r);
    ColumnType.Struct treeSchema = TREE.schemaFor(r);
    assertThat(STREAMED.streams(streamedSchema)).isTrue();
    assertThat(TREE.streams(treeSchema)).isFalse();
    Object streamed;
    Object tree;
    try {
      streamed = Arrays.asList(STREAMED.toRow(r, streamedSchema));
    } catch (DataException e) {
      streamed = "DataException: " + e.getMessage();
    }
    try {
      Object[] row = TREE.toRow(r, treeSchema);
      tree = Arrays.asList(Arrays.copyOf(row, row.length - 1));
    } catch (DataException e) {
      tree = "DataException: " + e.getMessage();
    }
    assertThat(String.valueOf(streamed)).isEqualTo(String.valueOf(tree));
  }
}
