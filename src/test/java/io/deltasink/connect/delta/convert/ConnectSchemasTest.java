package io.deltasink.connect.delta.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectSchemasTest {

  static Stream<Arguments> types() {
    return Stream.of(
        Arguments.of(Schema.INT8_SCHEMA, Primitive.BYTE, false),
        Arguments.of(Schema.INT16_SCHEMA, Primitive.SHORT, false),
        Arguments.of(Schema.INT32_SCHEMA, Primitive.INTEGER, false),
        Arguments.of(Schema.INT64_SCHEMA, Primitive.LONG, false),
        Arguments.of(Schema.FLOAT32_SCHEMA, Primitive.FLOAT, false),
        Arguments.of(Schema.FLOAT64_SCHEMA, Primitive.DOUBLE, false),
        Arguments.of(Schema.BOOLEAN_SCHEMA, Primitive.BOOLEAN, false),
        Arguments.of(Schema.OPTIONAL_STRING_SCHEMA, Primitive.STRING, true),
        Arguments.of(Schema.OPTIONAL_BYTES_SCHEMA, Primitive.BINARY, true),
        Arguments.of(Decimal.schema(2), new ColumnType.Decimal(38, 2), false),
        Arguments.of(
            Decimal.builder(3).parameter("connect.decimal.precision", "9").build(),
            new ColumnType.Decimal(9, 3),
            false),
        Arguments.of(Date.SCHEMA, Primitive.DATE, false),
        Arguments.of(Timestamp.builder().optional().build(), Primitive.TIMESTAMP, true),
        Arguments.of(Time.SCHEMA, Primitive.INTEGER, false),
        Arguments.of(
            SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).build(),
            new ColumnType.Array(Primitive.INTEGER, true),
            false),
        Arguments.of(
            SchemaBuilder.array(Schema.STRING_SCHEMA).build(),
            new ColumnType.Array(Primitive.STRING, false),
            false),
        Arguments.of(
            SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_FLOAT64_SCHEMA)
                .optional()
                .build(),
            new ColumnType.MapType(Primitive.STRING, Primitive.DOUBLE, true),
            true),
        Arguments.of(
            SchemaBuilder.struct()
                .field("a", Schema.INT32_SCHEMA)
                .field("b", Schema.OPTIONAL_STRING_SCHEMA)
                .build(),
            new ColumnType.Struct(
                List.of(
                    new Column("a", Primitive.INTEGER, false),
                    new Column("b", Primitive.STRING, true))),
            false));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("types")
  void mapsEveryConnectType(Schema field, ColumnType expected, boolean nullable) {
    Schema value = SchemaBuilder.struct().field("c", field).build();
    ColumnType.Struct table = ConnectSchemas.toStruct(value);
    assertThat(table.fields()).containsExactly(new Column("c", expected, nullable));
  }

  @Test
  void rejectsNonStructValues() {
    assertThatThrownBy(() -> ConnectSchemas.toStruct(Schema.STRING_SCHEMA))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("must be a Struct")
        .hasMessageContaining("STRING");
  }

  @Test
  void rejectsDecimalsDeltaCannotHold() {
    Schema s =
        SchemaBuilder.struct()
            .field("price", Decimal.builder(2).parameter("connect.decimal.precision", "40").build())
            .build();
    assertThatThrownBy(() -> ConnectSchemas.toStruct(s))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("field 'price'")
        .hasMessageContaining("decimal(40,2)");
  }

  @Test
  void rejectsEmptyNestedStruct() {
    Schema s =
        SchemaBuilder.struct()
            .field(
                "outer",
                SchemaBuilder.struct().field("inner", SchemaBuilder.struct().build()).build())
            .build();
    assertThatThrownBy(() -> ConnectSchemas.toStruct(s))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("field 'outer.inner'");
  }
}
