package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.bench.SoakRow;
import io.deltasink.connect.delta.bench.SoakRun;
import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak benchmark's shape (src/bench/soak.sh, docs/performance.md), small: 2,000 commits of 6
 * partitions, one small file each, into one table with compaction on, through a task's {@code
 * SinkWriter}. The table must stay healthy as it ages: the live files stay few (12,000 were
 * written), commits do not slow down with the version (the bound is loose: this machine is shared;
 * LogWriterTest counts the log I/O of a commit exactly), the heap does not grow, and every row is
 * there once.
 */
class TableLifeIT {
  @TempDir Path dir;

  @Test
  void aTableCommittedThousandsOfTimesStaysSmallAndFast() {
    Path table = dir.resolve("t");
    List<SoakRow> rows =
        new SoakRun(table, Map.of("delta.compaction.enabled", "true"), 20, 0).run(2_000, 500);
    assertThat(rows).hasSize(4);
    SoakRow second = rows.get(1); // the first window includes the JVM's warm-up
    SoakRow last = rows.get(3);
    assertThat(last.liveFiles()).as("live files after 12,000 were written").isLessThan(120);
    assertThat(last.p50Ms())
        .as(
            "median commit at version %d against version %d",
            last.lastVersion(), second.lastVersion())
        .isLessThanOrEqualTo(Math.max(2 * second.p50Ms(), second.p50Ms() + 20));
    assertThat(last.heapAfterGcBytes())
        .as("heap after GC")
        .isLessThan(2 * second.heapAfterGcBytes() + (32L << 20));
    assertThat(new KernelReader(table.toUri().toString()).rows()).hasSize(2_000 * 6 * 20);
  }
}
