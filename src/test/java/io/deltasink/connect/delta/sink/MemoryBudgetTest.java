package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.testing.ConnectSimulator;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.writer.WriterSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-task memory budget: with far more partitions than open files fit, the task pauses the
 * partitions it has no room for, commits, resumes them, and writes everything exactly once while
 * its open files never hold more than the budget.
 */
class MemoryBudgetTest {
  private static final int PARTITIONS = 40;
  private static final int PER_PARTITION = 300;
  @TempDir Path dir;
  private final MockTime time = new MockTime();

  @Test
  void manyPartitionsStayWithinTheBudgetAndLandExactlyOnce() {
    Map<TopicPartition, List<SinkRecord>> log = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      List<SinkRecord> records = new ArrayList<>();
      for (long o = 0; o < PER_PARTITION; o++) {
        records.add(Fixtures.record("temps", p, o));
      }
      log.put(new TopicPartition("temps", p), records);
    }
    // snappy with 64 KiB pages: an open file costs about 192 KiB, so 1 MiB holds 5 of 40.
    long perFile =
        new WriterSettings(CompressionCodecName.SNAPPY, 1, 1, 64 * 1024).openFileOverheadBytes();
    long budget = 1024 * 1024;
    Map<String, String> p = new HashMap<>();
    p.put("delta.table.location", dir.toUri().toString());
    p.put("delta.parquet.page.bytes", Integer.toString(64 * 1024));
    p.put(DeltaSinkConfig.BUFFER_MAX_BYTES_CONFIG, Long.toString(budget));
    p.put("delta.flush.interval.ms", "5000");
    p.put("delta.kafka.columns", "partition,offset");
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w = new SinkWriter(new DeltaSinkConfig(p), "conn", context, time);
    long[] peak = {0};
    ConnectSimulator sim = new ConnectSimulator(log);
    boolean done =
        sim.run(
            () ->
                SimulatedTask.of(w, time, 1000, () -> peak[0] = Math.max(peak[0], w.memoryBytes())),
            context,
            50,
            10_000);
    assertThat(done).as("every record committed").isTrue();
    assertThat(peak[0]).isPositive().isLessThanOrEqualTo(budget);
    assertThat(context.pauses).as("partitions paused for memory").isGreaterThan(PARTITIONS / 2);
    assertThat(context.paused).isEmpty();
    assertThat(log.values().stream().mapToInt(List::size).sum())
        .isEqualTo(PARTITIONS * PER_PARTITION);
    ExactlyOnce.assertEachOffsetOnce(
        new KernelReader(dir.toUri().toString()).rows(),
        ExactlyOnce.offsetsOf(log.values().stream().flatMap(List::stream).toList()));
    System.out.printf(
        "[measure] %d partitions, %d KiB per open file, %d KiB budget: peak %d KiB held, %d pauses, %d Delta versions%n",
        PARTITIONS,
        perFile / 1024,
        budget / 1024,
        peak[0] / 1024,
        context.pauses,
        new KernelReader(dir.toUri().toString()).snapshot().getVersion() + 1);
  }
}
