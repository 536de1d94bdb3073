package io.deltasink.connect.delta.table;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
import io.deltasink.connect.delta.schema.EvolutionMode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaUpdateTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** city (string, with a comment), n (integer, NOT NULL). */
  private static final String TABLE_JSON =
      "{\"type\":\"struct\",\"fields\":["
          + "{\"name\":\"city\",\"type\":\"string\",\"nullable\":true,"
          + "\"metadata\":{\"comment\":\"where\"}},"
          + "{\"name\":\"n\",\"type\":\"integer\",\"nullable\":false,\"metadata\":{}}]}";

  private static TableState state(String json, Map<String, String> conf, Set<String> features) {
    return new TableState(3, DeltaSchemaJson.fromJson(json), List.of(), json, conf, features);
  }

  private static SchemaUpdate.Plan plan(TableState t, ColumnType.Struct files) {
    return SchemaUpdate.plan(t, files, EvolutionMode.ADD_AND_WIDEN);
  }

  private static ColumnType.Struct files(Column... columns) {
    return new ColumnType.Struct(List.of(columns));
  }

  @Test
  void filesOfTheTableSchemaOrWithoutANullableColumnFitAsTheyAre() {
    TableState t = state(TABLE_JSON, Map.of(), Set.of());
    assertThat(plan(t, t.schema())).isEqualTo(SchemaUpdate.Plan.NONE);
    SchemaUpdate.Plan withoutCity = plan(t, files(new Column("n", Primitive.INTEGER, false)));
    assertThat(withoutCity.fits("t")).isTrue();
    assertThat(withoutCity.changes()).isFalse();
  }

  @Test
  void anAddedColumnKeepsEveryOtherFieldsMetadata() throws Exception {
    TableState t = state(TABLE_JSON, Map.of(), Set.of());
    SchemaUpdate.Plan plan =
        plan(
            t,
            files(
                new Column("city", Primitive.STRING, true),
                new Column("n", Primitive.INTEGER, true),
                new Column("temp", Primitive.DOUBLE, true)));
    assertThat(plan.changes()).isTrue();
    JsonNode fields = JSON.readTree(plan.schemaJson()).path("fields");
    assertThat(fields.get(0).path("metadata").path("comment").asText()).isEqualTo("where");
    assertThat(fields.get(1).path("nullable").asBoolean()).isTrue();
    assertThat(fields.get(2).path("name").asText()).isEqualTo("temp");
    assertThat(plan.properties()).isEmpty();
  }

  @Test
  void aWidenedColumnRecordsItsTypeChangeOnlyWithTypeWidening() throws Exception {
    ColumnType.Struct longN = files(new Column("n", Primitive.LONG, false));
    TableState plain = state(TABLE_JSON, Map.of(), Set.of());
    assertThat(plan(plain, longN).conflict())
        .isEqualTo("column 'n' is integer in the table and long in the files");
    TableState widening =
        state(TABLE_JSON, Map.of("delta.enableTypeWidening", "true"), Set.of("typeWidening"));
    SchemaUpdate.Plan plan = plan(widening, longN);
    JsonNode n = JSON.readTree(plan.schemaJson()).path("fields").get(1);
    assertThat(n.path("type").asText()).isEqualTo("long");
    assertThat(n.path("metadata").path("delta.typeChanges").toString())
        .isEqualTo("[{\"fromType\":\"integer\",\"toType\":\"long\"}]");
    // Another engine widened it first: the files' narrower values are read widened.
    TableState widened = state(plan.schemaJson(), widening.configuration(), Set.of("typeWidening"));
    assertThat(plan(widened, files(new Column("n", Primitive.INTEGER, false))))
        .isEqualTo(SchemaUpdate.Plan.NONE);
  }

  @Test
  void underColumnMappingNewFieldsGetIdsAboveTheMaximumAndKeepTheWritersPhysicalNames()
      throws Exception {
    String mapped =
        "{\"type\":\"struct\",\"fields\":[{\"name\":\"city\",\"type\":\"string\","
            + "\"nullable\":true,\"metadata\":{\"delta.columnMapping.id\":1,"
            + "\"delta.columnMapping.physicalName\":\"col-a\"}}]}";
    TableState t =
        state(
            mapped,
            Map.of("delta.columnMapping.mode", "name", "delta.columnMapping.maxColumnId", "4"),
            Set.of("columnMapping"));
    ColumnType.Struct wind =
        new ColumnType.Struct(List.of(new Column("speed", Primitive.FLOAT, true, "col-s", -1)));
    SchemaUpdate.Plan plan =
        plan(
            t,
            files(
                new Column("city", Primitive.STRING, true, "col-a", 1),
                new Column("wind", wind, true, "col-w", -1)));
    JsonNode added = JSON.readTree(plan.schemaJson()).path("fields").get(1);
    assertThat(added.path("metadata").path("delta.columnMapping.id").asInt()).isEqualTo(5);
    assertThat(added.path("metadata").path("delta.columnMapping.physicalName").asText())
        .isEqualTo("col-w");
    JsonNode speed = added.path("type").path("fields").get(0);
    assertThat(speed.path("metadata").path("delta.columnMapping.id").asInt()).isEqualTo(6);
    assertThat(plan.properties()).containsEntry("delta.columnMapping.maxColumnId", "6");
    // A writer that chose another physical name for a column added meanwhile must write again.
    TableState after = state(plan.schemaJson(), t.configuration(), Set.of("columnMapping"));
    assertThat(
            plan(
                    after,
                    files(
                        new Column(
                            "wind",
                            new ColumnType.Struct(
                                List.of(new Column("speed", Primitive.FLOAT, true, "col-s", -1))),
                            true,
                            "col-other",
                            -1)))
                .conflict())
        .contains("'wind' has another physical name");
  }

  @Test
  void filesWithoutANotNullColumnDoNotFit() {
    TableState t = state(TABLE_JSON, Map.of(), Set.of());
    assertThat(plan(t, files(new Column("city", Primitive.STRING, true))).conflict())
        .isEqualTo("the table's column 'n' is NOT NULL and the files have no such column");
  }

  @Test
  void theModeBoundsWhatACommitChanges() {
    TableState t = state(TABLE_JSON, Map.of(), Set.of());
    ColumnType.Struct added =
        files(
            new Column("n", Primitive.INTEGER, false), new Column("temp", Primitive.DOUBLE, true));
    assertThat(SchemaUpdate.plan(t, added, EvolutionMode.NONE).conflict())
        .isEqualTo("column 'temp' is not in the table and delta.schema.evolution=none");
    assertThat(SchemaUpdate.plan(t, added, EvolutionMode.ADD_COLUMNS).changes()).isTrue();
    ColumnType.Struct relaxed = files(new Column("n", Primitive.INTEGER, true));
    assertThat(SchemaUpdate.plan(t, relaxed, EvolutionMode.ADD_COLUMNS).conflict())
        .isEqualTo("column 'n' is NOT NULL in the table and nullable in the files");
    TableState widening =
        state(TABLE_JSON, Map.of("delta.enableTypeWidening", "true"), Set.of("typeWidening"));
    assertThat(
            SchemaUpdate.plan(
                    widening,
                    files(new Column("n", Primitive.LONG, false)),
                    EvolutionMode.ADD_COLUMNS)
                .conflict())
        .isEqualTo("column 'n' is integer in the table and long in the files");
  }

  @Test
  void typeWideningPreviewIsNotTypeWidening() {
    TableState preview =
        state(
            TABLE_JSON, Map.of("delta.enableTypeWidening", "true"), Set.of("typeWidening-preview"));
    assertThat(preview.typeWidening()).isFalse();
  }

  /**
   * Under column mapping, a column the files know with an id, or with a physical name the table
   * still uses, was dropped or renamed since the files' schema was read: adding it back would show
   * the dropped data again. In id mode nothing is added.
   */
  @Test
  void aDroppedOrRenamedMappedColumnIsNotAddedBack() {
    String mapped =
        "{\"type\":\"struct\",\"fields\":[{\"name\":\"renamed\",\"type\":\"string\","
            + "\"nullable\":true,\"metadata\":{\"delta.columnMapping.id\":1,"
            + "\"delta.columnMapping.physicalName\":\"col-a\"}}]}";
    Map<String, String> name =
        Map.of("delta.columnMapping.mode", "name", "delta.columnMapping.maxColumnId", "2");
    TableState t = state(mapped, name, Set.of("columnMapping"));
    assertThat(plan(t, files(new Column("dropped", Primitive.STRING, true, "col-b", 2))).conflict())
        .isEqualTo("column 'dropped' was dropped or renamed in the table meanwhile");
    assertThat(plan(t, files(new Column("city", Primitive.STRING, true, "col-a", -1))).conflict())
        .isEqualTo("column 'city' was dropped or renamed in the table meanwhile");
    TableState id =
        state(
            mapped,
            Map.of("delta.columnMapping.mode", "id", "delta.columnMapping.maxColumnId", "2"),
            Set.of("columnMapping"));
    assertThat(plan(id, files(new Column("temp", Primitive.DOUBLE, true, "col-t", -1))).conflict())
        .isEqualTo("column 'temp' cannot be added to a table with column mapping in id mode");
  }
}
