package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.testing.ConnectSimulator;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.FaultyFileSystem;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.KernelReader;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Storage faults injected under the sink (data file create and write, Delta log listing, the rename
 * that publishes a commit as on ABFS, file status) with Connect's delivery semantics replayed by
 * {@link ConnectSimulator}: the table ends with every record exactly once, no Parquet file outside
 * the log, and every logged file complete.
 */
class FaultInjectionTest {
  private static final int PARTITIONS = 4;
  @TempDir Path dir;
  final MockTime time = new MockTime(0, 1_000_000, 0);
  Map<TopicPartition, List<SinkRecord>> log;

  /** Every (partition, offset) of {@link #log}. */
  private Set<String> expected;

  @BeforeEach
  void setUp() {
    FaultyFileSystem.reset();
    log = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      List<SinkRecord> records = new ArrayList<>();
      for (long o = 0; o < 1_500; o++) {
        if (p == 0 && o % 3 == 1) {
          continue; // offsets are not contiguous (compaction, transaction markers)
        }
        records.add(Fixtures.record("temps", p, o));
      }
      log.put(new TopicPartition("temps", p), records);
    }
    expected = ExactlyOnce.offsetsOf(log.values().stream().flatMap(List::stream).toList());
  }

  @AfterEach
  void tearDown() {
    FaultyFileSystem.reset();
  }

  private ConnectSimulator.Sink task(FakeSinkTaskContext context) {
    return SimulatedTask.of(writer(context), time, 1000, () -> {});
  }

  SinkWriter writer(FakeSinkTaskContext context) {
    Map<String, String> p = new HashMap<>();
    p.put("delta.table.location", "faulty://" + dir.toAbsolutePath());
    p.put("delta.hadoop.fs.faulty.impl", FaultyFileSystem.class.getName());
    p.put("delta.hadoop.fs.faulty.impl.disable.cache", "true");
    // Commits publish by rename, as the Azure log store does on ABFS.
    p.put("delta.hadoop.delta.logStore.faulty.impl", "io.delta.storage.AzureLogStore");
    p.put("delta.flush.records", "700");
    p.put("delta.flush.interval.ms", "1000");
    p.put("delta.commit.max.attempts", "3");
    p.put("delta.commit.backoff.ms", "1");
    p.put("delta.kafka.columns", "partition,offset");
    backend(p);
    return new SinkWriter(new DeltaSinkConfig(p), "conn", context, time);
  }

  /** Settings that choose the Delta backend; the Standalone one (the default) here. */
  protected void backend(Map<String, String> settings) {}

  protected void runToEnd() {
    ConnectSimulator sim = new ConnectSimulator(log);
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    assertThat(sim.run(() -> task(context), context, 200, 5_000))
        .as("all records committed")
        .isTrue();
    System.out.printf(
        "[measure] %d faults injected, %d retriable errors surfaced to Connect%n",
        FaultyFileSystem.INJECTED.get(), sim.retriableErrors);
  }

  /**
   * Each (partition, offset) once, nothing outside the log (live, or removed by a compaction and
   * kept until VACUUM) but compaction outputs whose commit had an unknown outcome (kept for the
   * orphan cleanup, which deletes them once they are an hour old), every logged file whole.
   */
  protected void assertExactlyOnceAndClean() throws Exception {
    KernelReader reader = new KernelReader(dir.toUri().toString());
    ExactlyOnce.assertEachOffsetOnce(reader.rows(), expected);
    Set<String> referenced = new HashSet<>();
    reader
        .liveFileSizes()
        .forEach(
            (path, size) -> {
              referenced.add(path);
              assertThat(new File(dir.toFile(), path).length())
                  .as("complete file %s", path)
                  .isEqualTo(size);
            });
    referenced.addAll(ExactlyOnce.removedPaths(dir));
    try (Stream<Path> s = Files.walk(dir)) {
      List<String> orphans =
          s.filter(p -> p.toString().endsWith(".parquet"))
              .map(p -> dir.relativize(p).toString())
              .filter(p -> !referenced.contains(p))
              .filter(p -> !p.contains("-c-"))
              .toList();
      assertThat(orphans).as("Parquet files not in the Delta log").isEmpty();
    }
  }

  @Test
  void aCommitThatFailsWhileClosingDropsTheRowsAndTheNextOwnerWritesThemOnce() throws Exception {
    List<TopicPartition> tps = new ArrayList<>(log.keySet());
    SinkWriter first = writer(new FakeSinkTaskContext());
    first.open(tps);
    for (TopicPartition tp : tps) {
      first.put(log.get(tp).subList(0, 100));
    }
    FaultyFileSystem.RENAME_FAILURES.set(1_000);
    first.close(tps); // a rebalance: the commit of 400 rows fails, close() must not throw
    first.close();
    assertThat(FaultyFileSystem.INJECTED.get()).as("the close tried to commit").isPositive();
    FaultyFileSystem.reset();

    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter next = writer(context);
    next.open(tps);
    for (TopicPartition tp : tps) {
      next.put(log.get(tp));
    }
    next.flush();
    next.close();
    assertExactlyOnceAndClean();
  }

  /**
   * Issue 12 case 1: the commit's rename lands, then the log cannot be read for a while, so the
   * writer cannot know the outcome. More records arrive before the next flush; that flush finds the
   * partition's txn moved by its own earlier commit and must not delete the files the log already
   * references; the rows after it come again and land once.
   */
  @Test
  void aCommitThatLandedButCouldNotBeConfirmedIsNeitherLostNorDeleted() throws Exception {
    TopicPartition tp = new TopicPartition("temps", 1);
    List<SinkRecord> records = log.get(tp);
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w = writer(context);
    w.open(List.of(tp));
    w.put(records.subList(0, 50));
    FaultyFileSystem.LOG_FAILURES_AFTER_RENAME.set(
        20); // every re-read of the commit's attempts fails
    time.sleep(1_000);
    w.preCommit(Map.of()); // the flush interval passed: the commit lands, its outcome stays unknown
    assertThat(FaultyFileSystem.INJECTED.get()).as("the re-reads failed").isPositive();
    FaultyFileSystem.reset();
    w.put(records.subList(50, 100));
    time.sleep(1_000);
    w.preCommit(
        Map.of()); // learns from the log that offsets up to 49 are in, and resumes after them
    assertThat(context.offsets).containsEntry(tp, 50L);
    w.put(records.subList(50, 100)); // as Connect delivers them again after the rewind
    time.sleep(1_000);
    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets =
        w.preCommit(Map.of());
    w.close();
    assertThat(offsets.get(tp).offset()).isEqualTo(records.get(99).kafkaOffset() + 1);
    ExactlyOnce.assertEachOffsetOnce(
        new KernelReader(dir.toUri().toString()).rows(),
        ExactlyOnce.offsetsOf(records.subList(0, 100)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"create", "write", "read", "rename", "status"})
  void transientFaultsAreRetriedWithoutLossOrDuplicates(String fault) throws Exception {
    AtomicInteger counter =
        switch (fault) {
          case "create" -> FaultyFileSystem.CREATE_FAILURES;
          case "write" -> FaultyFileSystem.WRITE_FAILURES;
          case "read" -> FaultyFileSystem.LOG_READ_FAILURES;
          case "rename" -> FaultyFileSystem.RENAME_FAILURES;
          default -> FaultyFileSystem.STATUS_FAILURES;
        };
    counter.set(3);
    runToEnd();
    assertThat(FaultyFileSystem.INJECTED.get()).isEqualTo(3);
    assertExactlyOnceAndClean();
  }

  @Test
  void repeatedFaultsBeyondTheCommitAttemptsSurfaceAsRetriableAndStillEndExactlyOnce()
      throws Exception {
    FaultyFileSystem.RENAME_FAILURES.set(8); // more than delta.commit.max.attempts=3 in a row
    FaultyFileSystem.WRITE_FAILURES.set(4);
    runToEnd();
    assertExactlyOnceAndClean();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void randomFaultsEverywhere(long seed) throws Exception {
    FaultyFileSystem.random(seed, 0.05);
    runToEnd();
    assertThat(FaultyFileSystem.INJECTED.get()).isPositive();
    assertExactlyOnceAndClean();
  }

  @Test
  void aCrashedTaskWithFilesWrittenButNotCommittedIsReplacedWithoutDuplicates() throws Exception {
    ConnectSimulator sim = new ConnectSimulator(log);
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    // The first task is abandoned mid-stream without close(): its written files are never
    // committed.
    assertThat(sim.run(() -> task(context), context, 150, 7)).isFalse();
    assertThat(sim.run(() -> task(context), context, 200, 5_000)).isTrue();
    ExactlyOnce.assertEachOffsetOnce(new KernelReader(dir.toUri().toString()).rows(), expected);
  }
}
