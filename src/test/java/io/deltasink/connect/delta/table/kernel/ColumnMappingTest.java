package io.deltasink.connect.delta.table.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.testing.FeatureTables;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.writer.TableLayout;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WriterSettings;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Column mapping (PROTOCOL.md, "Column Mapping"): files written for a mapped table, partitioned and
 * with a nested struct, name their fields by physical name (and carry the ids), and {@code
 * partitionValues} and stats use the physical names, so that Kernel reads every value back under
 * its logical name.
 */
class ColumnMappingTest {
  private static final String SCHEMA =
      "{\"type\":\"struct\",\"fields\":["
          + "{\"name\":\"city\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
          + "{\"name\":\"seq\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},"
          + "{\"name\":\"where\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"lat\","
          + "\"type\":\"double\",\"nullable\":true,\"metadata\":{}}]},\"nullable\":true,"
          + "\"metadata\":{}}]}";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"name", "id"})
  void aMappedPartitionedTableReadsBackUnderItsLogicalNames(String mode) throws Exception {
    String location = dir.toUri().toString();
    FeatureTables.create(
        location, SCHEMA, Map.of("delta.columnMapping.mode", mode), List.of(), List.of("city"));
    try (KernelTableLog t =
        new KernelTableLog(
            location, HadoopConf.build(Map.of()), "test/1", 5, 1, ms -> {}, Map.of())) {
      TableState state = t.state().orElseThrow();
      assertThat(state.schema().field("city").physicalName()).startsWith("col-");
      TopicPartitionWriter w =
          new TopicPartitionWriter(
              HadoopConf.build(Map.of()),
              new TableLayout(
                  new org.apache.hadoop.fs.Path(location),
                  state.schema(),
                  state.partitionColumns()),
              new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 64 * 1024),
              "part-t-0");
      for (long i = 0; i < 30; i++) {
        w.write(new Object[] {"c" + (i % 3), i, new Object[] {i / 10.0}}, i);
      }
      List<WrittenFile> files = w.finishFiles();
      String physicalCity = state.schema().field("city").physicalName();
      assertThat(files)
          .hasSize(3)
          .allSatisfy(
              f -> {
                assertThat(f.partitionValues()).containsOnlyKeys(physicalCity);
                assertThat(f.path()).startsWith(physicalCity + "=");
                assertThat(f.statsJson())
                    .contains(state.schema().field("seq").physicalName())
                    .doesNotContain("\"seq\"");
              });
      t.commit(
          state.schema(),
          state.partitionColumns(),
          List.of(new PartitionCommit("a/t/0", -1, 29, files)));
    }
    List<Map<String, Object>> rows = new KernelReader(location).rows();
    assertThat(rows).hasSize(30);
    assertThat(rows)
        .allSatisfy(
            r -> {
              long seq = (Long) r.get("seq");
              assertThat(r.get("city")).isEqualTo("c" + (seq % 3));
              // Kernel's reader names nested fields by their physical names; the value is lat's.
              assertThat(List.copyOf(((Map<?, ?>) r.get("where")).values()))
                  .isEqualTo(List.of(seq / 10.0));
            });
    try (Stream<Path> log = Files.list(dir.resolve("_delta_log"))) {
      assertThat(log.filter(p -> p.toString().endsWith("1.json")).findFirst().orElseThrow())
          .satisfies(
              p -> assertThat(Files.readString(p, StandardCharsets.UTF_8)).contains("\"add\""));
    }
  }
}
