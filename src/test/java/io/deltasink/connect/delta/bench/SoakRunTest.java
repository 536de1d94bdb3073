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
    List<SoakRow> rows = new SoakRun(table, Map.of(), 2, 0).run(11, 5);

    assertThat(rows).extracting(SoakRow::commits).containsExactly(5, 5, 1);
    assertThat(rows)
        .extracting(r -> r.firstVersion() + "-" + r.lastVersion())
        .containsExactly("0-4", "5-9", "10-10");
    assertThat(rows).extracting(SoakRow::liveFiles).containsExactly(30L, 60L, 66L);
    // Delta Standalone checkpoints every 10 versions, inside the commit of version 10.
    assertThat(rows).extracting(SoakRow::checkpointFiles).containsExactly(0, 0, 1);
    assertThat(rows).extracting(SoakRow::checkpointCommits).containsExactly(0, 0, 1);
    SoakRow last = rows.get(2);
    assertThat(last.p50Ms()).isPositive().isLessThanOrEqualTo(last.p99Ms());
    assertThat(last.p99Ms()).isLessThanOrEqualTo(last.maxMs());
    assertThat(last.logFiles()).isGreaterThanOrEqualTo(12); // 11 commits, a checkpoint, and more
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
    assertThat(SoakRun.percentile(sorted, 0.5)).isEqualTo(50);
    assertThat(SoakRun.percentile(sorted, 0.99)).isEqualTo(99);
    assertThat(SoakRun.percentile(new long[] {7}, 0.99)).isEqualTo(7);
  }
}
