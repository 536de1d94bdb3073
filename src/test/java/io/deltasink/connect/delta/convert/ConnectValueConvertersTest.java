package io.deltasink.connect.delta.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectValueConvertersTest {

  static Stream<Arguments> values() {
    return Stream.of(
        Arguments.of(Schema.INT8_SCHEMA, Primitive.BYTE, (byte) -3, (byte) -3),
        Arguments.of(Schema.INT8_SCHEMA, Primitive.LONG, (byte) 7, 7L),
        Arguments.of(Schema.INT16_SCHEMA, Primitive.INTEGER, (short) 300, 300),
        Arguments.of(Schema.INT32_SCHEMA, Primitive.LONG, 5, 5L),
        Arguments.of(Schema.FLOAT32_SCHEMA, Primitive.DOUBLE, 1.5f, 1.5d),
        Arguments.of(Schema.STRING_SCHEMA, Primitive.STRING, "héllo", "héllo"),
        Arguments.of(Schema.BOOLEAN_SCHEMA, Primitive.BOOLEAN, true, true),
        Arguments.of(
            Date.SCHEMA, Primitive.DATE, new java.util.Date(19_358L * 86_400_000L), 19_358),
        Arguments.of(Date.SCHEMA, Primitive.DATE, new java.util.Date(-86_400_000L), -1),
        Arguments.of(
            Timestamp.SCHEMA,
            Primitive.TIMESTAMP,
            new java.util.Date(1_672_531_200_123L),
            1_672_531_200_123_000L),
        // A timestamp_ntz column of an existing table: the UTC wall-clock time.
        Arguments.of(
            Timestamp.SCHEMA,
            Primitive.TIMESTAMP_NTZ,
            new java.util.Date(1_672_531_200_123L),
            1_672_531_200_123_000L),
        Arguments.of(Time.SCHEMA, Primitive.INTEGER, new java.util.Date(3_600_000L + 5), 3_600_005),
        Arguments.of(
            Decimal.schema(2),
            new ColumnType.Decimal(38, 2),
            new BigDecimal("12.34"),
            new BigDecimal("12.34")),
        Arguments.of(
            Decimal.builder(1).parameter("connect.decimal.precision", "5").build(),
            new ColumnType.Decimal(10, 3),
            new BigDecimal("-1.5"),
            new BigDecimal("-1.500")));
  }

  @ParameterizedTest(name = "{0} {2} -> {1} {3}")
  @MethodSource("values")
  void convertsAndWidens(Schema schema, ColumnType target, Object in, Object expected) {
    assertThat(ConnectValueConverters.compile(schema, target, "c").convert(in)).isEqualTo(expected);
  }

  @Test
  void bytesFromBufferOrArray() {
    ValueConverter c = ConnectValueConverters.compile(Schema.BYTES_SCHEMA, Primitive.BINARY, "b");
    assertThat((byte[]) c.convert(ByteBuffer.wrap(new byte[] {1, 2, 3}, 1, 2)))
        .containsExactly(2, 3);
    assertThat((byte[]) c.convert(new byte[] {9})).containsExactly(9);
  }

  static Stream<Arguments> mismatches() {
    return Stream.of(
        Arguments.of(
            Schema.INT64_SCHEMA,
            Primitive.INTEGER,
            "record type long cannot be written to table column type integer"),
        Arguments.of(Schema.STRING_SCHEMA, Primitive.LONG, "record type string cannot be written"),
        Arguments.of(Schema.FLOAT64_SCHEMA, Primitive.FLOAT, "record type double"),
        Arguments.of(
            Decimal.schema(4),
            new ColumnType.Decimal(38, 2),
            "decimal(38,4) cannot be written to table column type decimal(38,2)"));
  }

  @ParameterizedTest(name = "{0} -> {1} rejected")
  @MethodSource("mismatches")
  void rejectsNarrowing(Schema schema, ColumnType target, String message) {
    assertThatThrownBy(() -> ConnectValueConverters.compile(schema, target, "col"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("field 'col'")
        .hasMessageContaining(message);
  }

  /**
   * Issue 12 case 13: Dates beyond what the column's unit holds used to fail the task or wrap
   * around.
   */
  static Stream<Arguments> outOfRange() {
    long days = 86_400_000L;
    return Stream.of(
        Arguments.of(
            Timestamp.SCHEMA,
            Primitive.TIMESTAMP,
            Long.MAX_VALUE / 1000 + 1,
            "field 'c': a timestamp out of range for a timestamp column (microseconds since 1970 in a long)"),
        Arguments.of(
            Timestamp.SCHEMA,
            Primitive.TIMESTAMP,
            Long.MIN_VALUE,
            "field 'c': a timestamp out of range for a timestamp column (microseconds since 1970 in a long)"),
        Arguments.of(
            Date.SCHEMA,
            Primitive.DATE,
            (Integer.MAX_VALUE + 1L) * days,
            "field 'c': a date out of range for a date column (days since 1970 in an int)"),
        Arguments.of(
            Date.SCHEMA,
            Primitive.DATE,
            (Integer.MIN_VALUE - 1L) * days,
            "field 'c': a date out of range for a date column (days since 1970 in an int)"),
        Arguments.of(
            Time.SCHEMA,
            Primitive.INTEGER,
            Integer.MAX_VALUE + 1L,
            "field 'c': a time out of range for an integer column (milliseconds in an int)"));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("outOfRange")
  void aDateBeyondTheColumnsRangeIsABadRecordNamingTheField(
      Schema schema, ColumnType target, long millis, String message) {
    ValueConverter c = ConnectValueConverters.compile(schema, target, "c");
    assertThatThrownBy(() -> c.convert(new java.util.Date(millis)))
        .isInstanceOf(DataException.class)
        .hasMessage(message);
  }

  @Test
  void theLimitsThemselvesConvert() {
    assertThat(
            ConnectValueConverters.compile(Timestamp.SCHEMA, Primitive.TIMESTAMP, "c")
                .convert(new java.util.Date(Long.MAX_VALUE / 1000)))
        .isEqualTo(Long.MAX_VALUE / 1000 * 1000);
    assertThat(
            ConnectValueConverters.compile(Date.SCHEMA, Primitive.DATE, "c")
                .convert(new java.util.Date(Integer.MIN_VALUE * 86_400_000L)))
        .isEqualTo(Integer.MIN_VALUE);
  }

  @Test
  void decimalOutOfRangeNamesFieldAndType() {
    assertThatThrownBy(
            () ->
                ConnectValueConverters.decimal(
                    new BigDecimal("123456.7"), new ColumnType.Decimal(5, 1), "price"))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "field 'price': a decimal with 6 integer digits is out of range for decimal(5,1)");
    assertThatThrownBy(
            () ->
                ConnectValueConverters.decimal(
                    new BigDecimal("1.25"), new ColumnType.Decimal(5, 1), "price"))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "field 'price': a decimal with 2 fraction digits has more than 1, the scale of decimal(5,1)");
  }

  private static final Schema NESTED =
      SchemaBuilder.struct()
          .field("id", Schema.INT32_SCHEMA)
          .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
          .field(
              "attrs",
              SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).optional().build())
          .field(
              "point",
              SchemaBuilder.struct()
                  .field("x", Schema.FLOAT64_SCHEMA)
                  .field("y", Schema.OPTIONAL_FLOAT64_SCHEMA)
                  .optional()
                  .build())
          .build();

  @Test
  void convertsNestedStructsArraysMapsAndNulls() {
    ColumnType.Struct table = ConnectSchemas.toStruct(NESTED);
    Struct point = new Struct(NESTED.field("point").schema()).put("x", 1.0);
    Struct s =
        new Struct(NESTED)
            .put("id", 1)
            .put("tags", Arrays.asList("a", null))
            .put("attrs", Map.of("k", 2L))
            .put("point", point);
    Object[] row =
        (Object[]) ConnectValueConverters.struct(NESTED, table, "", List.of()).convert(s);
    assertThat(row[0]).isEqualTo(1);
    assertThat(row[1]).isEqualTo(Arrays.asList("a", null));
    assertThat(row[2]).isEqualTo(Map.of("k", 2L));
    assertThat((Object[]) row[3]).containsExactly(1.0, null);

    Object[] empty =
        (Object[])
            ConnectValueConverters.struct(NESTED, table, "", List.of())
                .convert(new Struct(NESTED).put("id", 2));
    assertThat(empty).containsExactly(2, null, null, null);
  }

  @Test
  void recordFieldMissingFromTableIsAnError() {
    ColumnType.Struct table =
        new ColumnType.Struct(List.of(new Column("id", Primitive.INTEGER, false)));
    assertThatThrownBy(() -> ConnectValueConverters.struct(NESTED, table, "", List.of()))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("field 'tags' is not a column of the table");
  }

  @Test
  void tableColumnMissingFromRecordIsNullWhenNullable() {
    Schema v1 = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    ColumnType.Struct table =
        new ColumnType.Struct(
            List.of(
                new Column("id", Primitive.LONG, false),
                new Column("note", Primitive.STRING, true)));
    Object[] row =
        (Object[])
            ConnectValueConverters.struct(v1, table, "", List.of())
                .convert(new Struct(v1).put("id", 4));
    assertThat(row).containsExactly(4L, null);

    ColumnType.Struct strict =
        new ColumnType.Struct(
            List.of(
                new Column("id", Primitive.INTEGER, false),
                new Column("note", Primitive.STRING, false)));
    assertThatThrownBy(() -> ConnectValueConverters.struct(v1, strict, "", List.of()))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("field 'note' is a non-null column");
  }

  @Test
  void nullInNonNullNestedFieldNamesThePath() {
    Schema inner = SchemaBuilder.struct().field("x", Schema.OPTIONAL_FLOAT64_SCHEMA).build();
    Schema outer = SchemaBuilder.struct().field("p", inner).build();
    ColumnType.Struct table =
        new ColumnType.Struct(
            List.of(
                new Column(
                    "p",
                    new ColumnType.Struct(List.of(new Column("x", Primitive.DOUBLE, true))),
                    false)));
    ValueConverter c = ConnectValueConverters.struct(outer, table, "", List.of());
    Object[] row = (Object[]) c.convert(new Struct(outer).put("p", new Struct(inner)));
    assertThat((Object[]) row[0]).containsExactly((Object) null);
  }
}
