package io.deltasink.connect.delta.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import java.util.List;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {
  private static final ColumnType.Struct POINT =
      new ColumnType.Struct(List.of(new Column("x", Primitive.DOUBLE, false)));
  private static final ColumnType.Struct TABLE =
      new ColumnType.Struct(
          List.of(
              new Column("city", Primitive.STRING, true),
              new Column("count", Primitive.INTEGER, false),
              new Column("point", POINT, true),
              new Column("day", Primitive.DATE, true)));

  private static SchemaEvolution.Rules rules(EvolutionMode mode) {
    return SchemaEvolution.Rules.plain(mode, List.of("city"));
  }

  private static SchemaEvolution.Rules widening() {
    return new SchemaEvolution.Rules(
        EvolutionMode.ADD_AND_WIDEN, true, true, "none", 0, List.of("city"));
  }

  private static ColumnType.Struct record(Column... columns) {
    return new ColumnType.Struct(List.of(columns));
  }

  @Test
  void aRecordThatFitsLeavesTheSameSchema() {
    ColumnType.Struct narrower =
        record(
            new Column("count", Primitive.SHORT, false),
            new Column("city", Primitive.STRING, true));
    assertThat(SchemaEvolution.merge(TABLE, narrower, widening())).isSameAs(TABLE);
  }

  @Test
  void newFieldsBecomeNullableColumnsAtTheEndNestedOnesInTheirStruct() {
    ColumnType.Struct wind =
        new ColumnType.Struct(List.of(new Column("speed", Primitive.FLOAT, false)));
    ColumnType.Struct rec =
        record(
            new Column("wind", wind, false),
            new Column(
                "point",
                new ColumnType.Struct(
                    List.of(
                        new Column("x", Primitive.DOUBLE, false),
                        new Column("y", Primitive.DOUBLE, false))),
                true));
    ColumnType.Struct merged = SchemaEvolution.merge(TABLE, rec, rules(EvolutionMode.ADD_COLUMNS));
    assertThat(merged.fields())
        .extracting(Column::name)
        .containsExactly("city", "count", "point", "day", "wind");
    assertThat(merged.field("wind"))
        .isEqualTo(
            new Column(
                "wind",
                new ColumnType.Struct(List.of(new Column("speed", Primitive.FLOAT, true))),
                true));
    assertThat(((ColumnType.Struct) merged.field("point").type()).fields())
        .containsExactly(
            new Column("x", Primitive.DOUBLE, false), new Column("y", Primitive.DOUBLE, true));
    assertThat(merged.field("count").nullable()).isFalse(); // add-columns leaves NOT NULL alone
  }

  @Test
  void noneChangesNothing() {
    ColumnType.Struct rec = record(new Column("wind", Primitive.FLOAT, true));
    assertThat(SchemaEvolution.merge(TABLE, rec, rules(EvolutionMode.NONE))).isSameAs(TABLE);
  }

  @Test
  void addAndWidenWidensAllowedTypesAndRelaxesNotNull() {
    ColumnType.Struct rec =
        record(
            new Column("count", Primitive.LONG, true),
            new Column("day", Primitive.TIMESTAMP, true));
    ColumnType.Struct merged = SchemaEvolution.merge(TABLE, rec, widening());
    assertThat(merged.field("count")).isEqualTo(new Column("count", Primitive.LONG, true));
    assertThat(merged.field("day").type()).isEqualTo(Primitive.TIMESTAMP_NTZ);
    ColumnType.Struct missingCount = record(new Column("city", Primitive.STRING, true));
    assertThat(SchemaEvolution.merge(TABLE, missingCount, widening()).field("count").nullable())
        .isTrue();
  }

  @Test
  void decimalsWidenToHoldBothScaleAndIntegerDigits() {
    ColumnType.Struct table = record(new Column("price", new ColumnType.Decimal(10, 2), true));
    ColumnType.Struct rec = record(new Column("price", new ColumnType.Decimal(12, 2), true));
    assertThat(SchemaEvolution.merge(table, rec, widening()).field("price").type())
        .isEqualTo(new ColumnType.Decimal(12, 2));
    ColumnType.Struct narrower = record(new Column("price", new ColumnType.Decimal(5, 1), true));
    assertThat(SchemaEvolution.merge(table, narrower, widening())).isSameAs(table);
  }

  @Test
  void wideningNeedsTheModeAndTheTableFeature() {
    ColumnType.Struct rec = record(new Column("count", Primitive.LONG, false));
    assertThatThrownBy(() -> SchemaEvolution.merge(TABLE, rec, rules(EvolutionMode.ADD_COLUMNS)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(
            "field 'count': record type long cannot be written to table column type integer")
        .hasMessageContaining("delta.schema.evolution=add-and-widen");
    assertThatThrownBy(() -> SchemaEvolution.merge(TABLE, rec, rules(EvolutionMode.ADD_AND_WIDEN)))
        .hasMessageContaining("'delta.enableTypeWidening' = 'true'");
  }

  @Test
  void incompatibleChangesAreBadRecordsNamingTheField() {
    assertThatThrownBy(
            () ->
                SchemaEvolution.merge(
                    TABLE, record(new Column("count", Primitive.STRING, true)), widening()))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(
            "field 'count': record type string cannot be written to table column type integer")
        .hasMessageContaining("Delta cannot change");
    assertThatThrownBy(
            () ->
                SchemaEvolution.merge(
                    TABLE, record(new Column("point", Primitive.DOUBLE, true)), widening()))
        .hasMessageContaining(
            "field 'point': record type double cannot be written to table column type struct");
    assertThatThrownBy(
            () ->
                SchemaEvolution.merge(
                    TABLE, record(new Column("City", Primitive.STRING, true)), widening()))
        .hasMessageContaining("field 'City' differs only in case from the table column 'city'");
  }

  @Test
  void partitionColumnsNeverChangeType() {
    ColumnType.Struct table = record(new Column("n", Primitive.INTEGER, true));
    SchemaEvolution.Rules partitioned =
        new SchemaEvolution.Rules(EvolutionMode.ADD_AND_WIDEN, true, true, "none", 0, List.of("n"));
    assertThatThrownBy(
            () ->
                SchemaEvolution.merge(
                    table, record(new Column("n", Primitive.LONG, true)), partitioned))
        .hasMessageContaining("the type of a partition column never changes");
  }

  @Test
  void columnMappingNameModeGetsPhysicalNamesTheSameForEveryWriter() {
    SchemaEvolution.Rules mapped =
        new SchemaEvolution.Rules(EvolutionMode.ADD_COLUMNS, false, false, "name", 7, List.of());
    ColumnType.Struct rec =
        record(
            new Column(
                "wind",
                new ColumnType.Struct(List.of(new Column("speed", Primitive.FLOAT, true))),
                true));
    Column a = SchemaEvolution.merge(TABLE, rec, mapped).field("wind");
    Column b = SchemaEvolution.merge(TABLE, rec, mapped).field("wind");
    assertThat(a).isEqualTo(b);
    assertThat(a.physicalName()).startsWith("col-").isNotEqualTo("wind");
    assertThat(((ColumnType.Struct) a.type()).fields().get(0).physicalName()).startsWith("col-");
    SchemaEvolution.Rules later =
        new SchemaEvolution.Rules(EvolutionMode.ADD_COLUMNS, false, false, "name", 8, List.of());
    assertThat(SchemaEvolution.merge(TABLE, rec, later).field("wind").physicalName())
        .isNotEqualTo(a.physicalName());
    SchemaEvolution.Rules idMode =
        new SchemaEvolution.Rules(EvolutionMode.ADD_COLUMNS, false, false, "id", 7, List.of());
    assertThatThrownBy(() -> SchemaEvolution.merge(TABLE, rec, idMode))
        .hasMessageContaining("column mapping in id mode");
  }

  @Test
  void widensNoElementsOfArraysOrMaps() {
    ColumnType.Struct table =
        record(new Column("xs", new ColumnType.Array(Primitive.INTEGER, true), true));
    assertThatThrownBy(
            () ->
                SchemaEvolution.merge(
                    table,
                    record(new Column("xs", new ColumnType.Array(Primitive.LONG, true), true)),
                    widening()))
        .hasMessageContaining("field 'xs[]'")
        .hasMessageContaining("not the elements of arrays or maps");
  }
}
