package io.deltasink.connect.delta.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak harness itself, on a few commits: one Delta version of 6 files per round, rows per
 * window with what a Kernel reader sees, and settings passed through. The soak's shape over
 * thousands of commits is an integration test's job.
 */
class SoakRunTest {
  @TempDir Path dir;

  @Test
  void everyRoundIsOneVersionOfSixFilesAndEveryWindowARow() {
    Path table = dir.resolve("t");
    List<SoakRow> rows =
        new SoakRun(
                table,
                Map.of(
                    "delta.compaction.enabled", "false",
                    "delta.table.properties.delta.checkpointInterval", "10"),
                2,
                0)
            .run(11, 5);

    assertThat(rows).extracting(SoakRow::commits).containsExactly(5, 5, 1);
    assertThat(rows)
        .extracting(r -> r.firstVersion() + "-" + r.lastVersion())
        .containsExactly("0-4", "5-9", "10-10");
    assertThat(rows).extracting(SoakRow::liveFiles).containsExactly(30L, 60L, 66L);
    // Version 10 is the first to get a checkpoint (every 10 versions as configured). It may be
    // written
    // inside its commit or on another thread: the last row sees it or not yet, closing waits for
    // it.
    SoakRow last = rows.get(2);
    assertThat(rows.subList(0, 2)).allSatisfy(r -> assertThat(r.checkpointFiles()).isZero());
    assertThat(last.checkpointFiles()).isLessThanOrEqualTo(1);
    assertThat(rows)
        .allSatisfy(r -> assertThat(r.checkpointCommits()).isEqualTo(r.checkpointFiles()));
    assertThat(table.resolve("_delta_log/00000000000000000010.checkpoint.parquet")).exists();
    assertThat(last.p50Ms()).isPositive().isLessThanOrEqualTo(last.p99Ms());
    assertThat(last.p99Ms()).isLessThanOrEqualTo(last.maxMs());
    assertThat(last.logFiles()).isGreaterThanOrEqualTo(11); // 11 commit files, and more
    assertThat(last.heapAfterGcBytes()).isPositive();
    assertThat(last.avgFileKb()).isPositive();
    KernelReader reader = new KernelReader(table.toUri().toString());
    assertThat(reader.rows()).hasSize(11 * 6 * 2);
  }

  @Test
  void compactionAndConnectorPropertiesBecomeConnectorSettings() {
    Properties props = new Properties();
    props.setProperty("soak.compaction", "true");
    props.setProperty("soak.connector.delta.flush.idle.ms", "0");
    props.setProperty("soak.window", "500");
    assertThat(SoakBench.connectorSettings(props))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("delta.compaction.enabled", "true", "delta.flush.idle.ms", "0"));
  }

  @Test
  void percentilesAreNearestRank() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertThat(SoakWindow.percentile(sorted, 0.5)).isEqualTo(50);
    assertThat(SoakWindow.percentile(sorted, 0.99)).isEqualTo(99);
    assertThat(SoakWindow.percentile(new long[] {7}, 0.99)).isEqualTo(7);
  }
}
