package io.deltasink.connect.delta.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.schema.SchemaEvolution;
import io.deltasink.connect.delta.table.kernel.KernelTableLog;
import io.deltasink.connect.delta.testing.FeatureTables;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SequenceFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema evolution on tables only the Kernel backend writes: a column widened under {@code
 * typeWidening}, and columns added to a table with column mapping by writers that each chose the
 * physical names ({@link SchemaEvolution}); read back with Kernel.
 */
class KernelSchemaEvolutionTest {
  @TempDir Path dir;

  private KernelTableLog open() {
    return new KernelTableLog(
        dir.toUri().toString(),
        HadoopConf.build(Map.of()),
        "test/1",
        10,
        1,
        ms -> {},
        Map.of("delta.enableTypeWidening", "true"));
  }

  private String location() {
    return dir.toUri().toString();
  }

  private static ColumnType.Struct schema(Column... columns) {
    return new ColumnType.Struct(List.of(columns));
  }

  @Test
  void anIntegerColumnWidensToLongAndEarlierFilesReadWidened() throws Exception {
    ColumnType.Struct ints =
        schema(
            new Column("city", Primitive.STRING, true), new Column("n", Primitive.INTEGER, true));
    try (KernelTableLog t = open()) {
      t.commit(
          ints,
          List.of(),
          List.of(
              new PartitionCommit(
                  "a/t/0",
                  -1,
                  4,
                  SequenceFiles.files(location(), ints, 0, 4, i -> new Object[] {"c", (int) i}))));
      TableState state = t.state().orElseThrow();
      assertThat(state.typeWidening()).isTrue();
      ColumnType.Struct longs =
          SchemaEvolution.merge(
              state.schema(),
              schema(new Column("n", Primitive.LONG, true)),
              state.rules(EvolutionMode.ADD_AND_WIDEN));
      assertThat(longs.field("n").type()).isEqualTo(Primitive.LONG);
      CommitOutcome outcome =
          t.commit(
              longs,
              List.of(),
              List.of(
                  new PartitionCommit(
                      "a/t/0",
                      4,
                      9,
                      SequenceFiles.files(
                          location(), longs, 5, 9, i -> new Object[] {"c", 5_000_000_000L + i}))));
      assertThat(outcome.committed()).containsExactly("a/t/0");
    }
    KernelReader reader = new KernelReader(location());
    assertThat(reader.snapshot().getSchema().get("n").getDataType().toString()).isEqualTo("long");
    assertThat(reader.snapshot().getSchema().get("n").getTypeChanges()).hasSize(1);
    assertThat(reader.rows())
        .extracting(r -> r.get("n"))
        .containsExactlyInAnyOrder(
            0L,
            1L,
            2L,
            3L,
            4L,
            5_000_000_005L,
            5_000_000_006L,
            5_000_000_007L,
            5_000_000_008L,
            5_000_000_009L);
  }

  @Test
  void writersAddingAColumnToAColumnMappingTableAgreeOnItsPhysicalName() throws Exception {
    FeatureTables.create(
        location(),
        "{\"type\":\"struct\",\"fields\":[{\"name\":\"city\",\"type\":\"string\","
            + "\"nullable\":true,\"metadata\":{}},{\"name\":\"seq\",\"type\":\"long\","
            + "\"nullable\":true,\"metadata\":{}}]}",
        Map.of("delta.columnMapping.mode", "name"),
        List.of());
    try (KernelTableLog a = open();
        KernelTableLog b = open()) {
      TableState state = a.state().orElseThrow();
      b.state();
      ColumnType.Struct record =
          schema(
              new Column("city", Primitive.STRING, true),
              new Column("seq", Primitive.LONG, true),
              new Column("temp", Primitive.DOUBLE, true));
      ColumnType.Struct layout =
          SchemaEvolution.merge(state.schema(), record, state.rules(EvolutionMode.ADD_COLUMNS));
      assertThat(layout.field("temp").physicalName()).startsWith("col-");
      for (int p = 0; p < 2; p++) {
        KernelTableLog writer = p == 0 ? a : b;
        long offset = p * 10;
        CommitOutcome o =
            writer.commit(
                layout,
                List.of(),
                List.of(
                    new PartitionCommit(
                        "a/t/" + p,
                        -1,
                        offset,
                        SequenceFiles.files(
                            location(),
                            layout,
                            offset,
                            offset,
                            i -> new Object[] {"c", i, i * 0.5}))));
        assertThat(o.committed()).containsExactly("a/t/" + p);
        assertThat(o.state().schema().field("temp").fieldId()).isPositive();
      }
    }
    KernelReader reader = new KernelReader(location());
    assertThat(reader.snapshot().getSchema().fieldNames()).containsExactly("city", "seq", "temp");
    assertThat(reader.rows())
        .extracting(r -> r.get("seq") + ":" + r.get("temp"))
        .containsExactlyInAnyOrder("0:0.0", "10:5.0");
  }
}
