package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.FaultyFileSystem;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.HookedTable;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's ways to lose, duplicate, stall or crash at the task level, each as the sequence of
 * events that showed it, against a real Delta table read back with Delta Kernel.
 */
class ReliabilityTest {
  private static final TopicPartition P0 = new TopicPartition("temps", 0);
  private static final TopicPartition P1 = new TopicPartition("temps", 1);

  @TempDir Path dir;
  private final MockTime time = new MockTime(0, 1_000_000, 0);

  @BeforeEach
  @AfterEach
  void resetFaults() {
    FaultyFileSystem.reset();
  }

  private Map<String, String> props(String... extra) {
    Map<String, String> p = new HashMap<>();
    p.put("delta.table.location", "faulty://" + dir.toAbsolutePath());
    p.put("delta.hadoop.fs.faulty.impl", FaultyFileSystem.class.getName());
    p.put("delta.hadoop.fs.faulty.impl.disable.cache", "true");
    // Commits publish by rename, as the Azure log store does on ABFS.
    p.put("delta.hadoop.delta.logStore.faulty.impl", "io.delta.storage.AzureLogStore");
    p.put("delta.flush.records", "1000000");
    p.put("delta.flush.interval.ms", "1000");
    p.put("delta.commit.max.attempts", "3");
    p.put("delta.commit.backoff.ms", "1");
    p.put("delta.kafka.columns", "partition,offset");
    for (int i = 0; i < extra.length; i += 2) {
      p.put(extra[i], extra[i + 1]);
    }
    return p;
  }

  private SinkWriter writer(FakeSinkTaskContext context, String... extra) {
    return new SinkWriter(new DeltaSinkConfig(props(extra)), "conn", context, time);
  }

  private static List<SinkRecord> records(TopicPartition tp, long from, long to) {
    return Fixtures.records(tp, from, to);
  }

  private List<Map<String, Object>> rows() {
    return new KernelReader(dir.toUri().toString()).rows();
  }

  /** Every (partition, offset) in {@code expected} once, and nothing else. */
  private void assertRowsExactly(Set<String> expected) {
    ExactlyOnce.assertEachOffsetOnce(rows(), expected);
  }

  private static Set<String> keys(TopicPartition tp, long from, long to) {
    return ExactlyOnce.offsets(tp.partition(), from, to);
  }

  private List<Path> parquetFiles() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(
              p -> p.toString().endsWith(".parquet") && !p.toString().contains("_delta_log"))
          .toList();
    }
  }

  /**
   * Case 1, rebalance variant: the commit lands, its outcome stays unknown (the log cannot be
   * read), and a rebalance takes the partition away before any retry. Giving it up must not delete
   * the files the log references; the next owner resumes after them.
   */
  @Test
  void aRebalanceAfterACommitOfUnknownOutcomeKeepsItsFiles() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter first = writer(context);
    first.open(List.of(P0));
    first.put(records(P0, 0, 50));
    FaultyFileSystem.LOG_FAILURES_AFTER_RENAME.set(1_000);
    time.sleep(1_000);
    first.preCommit(Map.of());
    first.close(List.of(P0)); // the commit before close cannot read the log either
    first.close();
    assertThat(FaultyFileSystem.INJECTED.get()).isPositive();
    FaultyFileSystem.reset();

    FakeSinkTaskContext next = new FakeSinkTaskContext();
    SinkWriter second = writer(next);
    second.open(List.of(P0));
    assertThat(next.offsets)
        .as("the next owner resumes after the landed commit")
        .containsEntry(P0, 50L);
    second.put(records(P0, 50, 80));
    time.sleep(1_000);
    second.preCommit(Map.of());
    second.close();
    assertRowsExactly(keys(P0, 0, 80));
  }

  /**
   * Case 3: a cleaner (a zero-retention VACUUM) deletes a data file between its writing and its
   * commit. The commit must not reference the missing file: the partition's rows are written again.
   */
  @Test
  void aDataFileDeletedBeforeItsCommitIsWrittenAgainNotReferenced() throws Exception {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    Set<Path> committedFiles = new HashSet<>();
    boolean[] vacuum = {false};
    Map<String, String> p = props();
    p.put("delta.table.location", dir.toUri().toString());
    org.apache.hadoop.conf.Configuration conf =
        io.deltasink.connect.delta.config.HadoopConf.build(Map.of());
    SinkWriter w =
        new SinkWriter(
            new DeltaSinkConfig(p),
            "conn",
            context,
            time,
            (location, name) ->
                new HookedTable(
                    new io.deltasink.connect.delta.table.standalone.StandaloneTableLog(
                        location, conf, name, "test", 3, 1, ms -> {}),
                    () -> {
                      if (vacuum[0]) {
                        // VACUUM RETAIN 0 HOURS: every data file the log does not reference goes,
                        // here P0's.
                        try {
                          for (Path f : parquetFiles()) {
                            if (!committedFiles.contains(f)
                                && f.getFileName().toString().startsWith("part-temps-0-")) {
                              Files.delete(f);
                            }
                          }
                        } catch (IOException e) {
                          throw new java.io.UncheckedIOException(e);
                        }
                      }
                    }));
    w.open(List.of(P0, P1));
    w.put(merge(records(P0, 0, 40), records(P1, 0, 40)));
    w.flush(); // a first version: the table exists
    committedFiles.addAll(parquetFiles());
    w.put(merge(records(P0, 40, 60), records(P1, 40, 60)));
    vacuum[0] = true;
    time.sleep(1_000);
    Map<TopicPartition, OffsetAndMetadata> offsets = w.preCommit(Map.of());
    vacuum[0] = false;
    assertThat(offsets.get(P1).offset()).isEqualTo(60);
    assertThat(offsets.get(P0).offset()).as("P0's rows were not committed").isEqualTo(40);
    assertThat(context.offsets).as("P0 rewound to be written again").containsEntry(P0, 40L);
    // The full read (every data file the log references) succeeds: no missing file is referenced.
    assertRowsExactly(union(keys(P0, 0, 40), keys(P1, 0, 60)));
    w.put(records(P0, 40, 60)); // Connect delivers P0 again from the rewind
    time.sleep(1_000);
    w.preCommit(Map.of());
    w.close();
    assertRowsExactly(union(keys(P0, 0, 60), keys(P1, 0, 60)));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new HashSet<>(a);
    out.addAll(b);
    return out;
  }

  /** Partitions 0 to n-1 of {@code temps}. */
  private static List<TopicPartition> partitions(int n) {
    List<TopicPartition> out = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      out.add(new TopicPartition("temps", p));
    }
    return out;
  }

  /**
   * Records {@code from} to {@code to} (exclusive) of each partition, partition after partition.
   */
  private static List<SinkRecord> batch(List<TopicPartition> tps, long from, long to) {
    List<SinkRecord> out = new ArrayList<>();
    tps.forEach(tp -> out.addAll(records(tp, from, to)));
    return out;
  }

  /**
   * A writer whose budget holds five open files: an open file counts 192 KiB of 1 MiB with 64 KiB
   * pages.
   */
  private SinkWriter smallBudgetWriter(FakeSinkTaskContext context) {
    return writer(
        context,
        DeltaSinkConfig.BUFFER_MAX_BYTES_CONFIG,
        "1048576",
        "delta.parquet.page.bytes",
        "65536");
  }

  /**
   * Case 4: a partition paused for memory is given up in an eager rebalance and handed back;
   * Connect pauses it again on assignment (WorkerSinkTask keeps its paused set), which the fake
   * context models by keeping its paused set across close and open. It must flow again.
   */
  @Test
  void aPartitionPausedForMemoryFlowsAgainAfterAnEagerRebalance() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w = smallBudgetWriter(context);
    List<TopicPartition> tps = partitions(6);
    w.open(tps);
    w.put(batch(tps, 0, 10));
    assertThat(context.paused).as("paused for memory").isNotEmpty();
    // Eager rebalance: everything revoked (its rows committed), then assigned again; Connect
    // re-pauses.
    w.close(tps);
    w.open(tps);
    w.put(records(P0, 10, 20));
    time.sleep(1_000);
    w.preCommit(Map.of());
    assertThat(context.paused).as("every partition flows again after the next commit").isEmpty();
    w.close();
  }

  /**
   * Cooperative variant: nothing is revoked, the paused partition is resumed by the next commit.
   */
  @Test
  void aPartitionPausedForMemoryFlowsAgainAfterACooperativeRebalance() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w = smallBudgetWriter(context);
    List<TopicPartition> tps = partitions(6);
    w.open(tps);
    w.put(batch(tps, 0, 10));
    assertThat(context.paused).isNotEmpty();
    w.open(
        List.of(
            new TopicPartition(
                "temps", 6))); // an incremental assignment adds a partition, revokes none
    time.sleep(1_000);
    w.preCommit(Map.of());
    assertThat(context.paused).isEmpty();
    w.close();
  }

  private static List<SinkRecord> merge(List<SinkRecord> a, List<SinkRecord> b) {
    List<SinkRecord> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /**
   * Case 5: reading the table in {@code open()} fails once (an ADLS 503 during a rebalance).
   * Connect fails the task for good when {@code open} throws, so it must not; the partitions are
   * opened at their first record and every record lands once.
   */
  @Test
  void aStorageErrorWhileOpeningDoesNotFailTheRebalance() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter first = writer(context);
    first.open(List.of(P0));
    first.put(records(P0, 0, 30));
    first.flush();
    first.close();

    FakeSinkTaskContext next = new FakeSinkTaskContext();
    SinkWriter w = writer(next);
    FaultyFileSystem.LIST_FAILURES.set(1);
    assertThatCode(() -> w.open(List.of(P0))).doesNotThrowAnyException();
    assertThat(FaultyFileSystem.INJECTED.get()).isEqualTo(1);
    // Connect resumes at the group offset, here the start: the first batch opens the partition.
    w.put(records(P0, 0, 50));
    assertThat(next.offsets).containsEntry(P0, 30L);
    w.put(records(P0, 30, 50)); // after the rewind
    w.flush();
    w.close();
    assertRowsExactly(keys(P0, 0, 50));
  }

  /**
   * Case 6: {@code close()} commits what the task holds, and that commit finds the partition fenced
   * (another task moved it). The rewind that fencing asks for must not be sent for a partition the
   * consumer is giving back: Connect would seek it and fail the task with IllegalStateException.
   */
  @Test
  void noRewindIsAskedForAPartitionThatCloseIsHandingBack() {
    FakeSinkTaskContext staleContext = new FakeSinkTaskContext();
    SinkWriter stale = writer(staleContext);
    stale.open(List.of(P0));
    stale.put(records(P0, 0, 20));
    FakeSinkTaskContext newContext = new FakeSinkTaskContext();
    SinkWriter owner = writer(newContext);
    owner.open(List.of(P0));
    owner.put(records(P0, 0, 40));
    owner.flush();
    staleContext.offsets.clear();
    stale.close(List.of(P0));
    assertThat(staleContext.offsets).as("rewinds asked while closing").isEmpty();
    stale.close();
    owner.close();
    assertRowsExactly(keys(P0, 0, 40));
  }

  /**
   * Case 8: a write fails and the partition is rewound, but before the rewind takes effect
   * retention deletes the offsets it asked for, and Kafka delivers from a later offset. The
   * partition must go on from there (saying so), not drop every later record.
   */
  @Test
  void aRewindToOffsetsKafkaNoLongerHasResumesAtTheNextAvailable() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w = writer(context);
    w.open(List.of(P0));
    FaultyFileSystem.WRITE_FAILURES.set(1);
    w.put(records(P0, 0, 100));
    time.sleep(1_000);
    w.preCommit(Map.of()); // closing the Parquet file fails: the partition is rewound to offset 0
    assertThat(FaultyFileSystem.INJECTED.get()).isEqualTo(1);
    assertThat(context.offsets).containsEntry(P0, 0L);
    try (LogCapture logs = new LogCapture(Map.of(PartitionState.class.getName(), Level.WARN))) {
      w.put(records(P0, 150, 250)); // offsets 0-149 were deleted by retention meanwhile
      assertThat(logs.text()).contains("are no longer in Kafka");
    }
    w.put(records(P0, 250, 400));
    time.sleep(1_000);
    assertThat(w.preCommit(Map.of()).get(P0).offset()).isEqualTo(400);
    w.close();
    assertRowsExactly(keys(P0, 150, 400));
  }

  /**
   * Case 9: errors.tolerance=all without a dead-letter topic: Connect hands out no
   * ErrantRecordReporter. As Connect does with its own conversion errors, the record is skipped
   * (its coordinates logged) and the task goes on.
   */
  @Test
  void toleratedBadRecordsWithoutADeadLetterTopicAreSkipped() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    context.reporter = null;
    SinkWriter w = writer(context, "errors.tolerance", "all", "delta.tombstone.policy", "dlq");
    w.open(List.of(P0));
    List<SinkRecord> batch = new ArrayList<>(records(P0, 0, 5));
    batch.add(
        new SinkRecord(
            P0.topic(), P0.partition(), null, null, null, null, 5)); // a tombstone: a bad record
    batch.addAll(records(P0, 6, 10));
    try (LogCapture logs = new LogCapture(Map.of(BadRecords.class.getName(), Level.WARN))) {
      assertThatCode(() -> w.put(batch)).doesNotThrowAnyException();
      assertThat(logs.text()).contains("topic 'temps' partition 0 offset 5").contains("skipped");
    }
    time.sleep(1_000);
    Map<TopicPartition, OffsetAndMetadata> offsets = w.preCommit(Map.of());
    assertThat(offsets.get(P0).offset()).isEqualTo(10);
    w.close();
    Set<String> expected = keys(P0, 0, 10);
    expected.remove("0/5");
    assertRowsExactly(expected);
  }

  /**
   * Case 18: once a task's polls come back empty, what it holds is committed within {@code
   * delta.flush.idle.ms}, however little it is.
   */
  @Test
  void whatATaskHoldsWhenItsPollsComeBackEmptyIsCommittedWhateverTheAmount() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w =
        writer(context, "delta.flush.interval.ms", "60000", "delta.flush.idle.ms", "200");
    w.open(List.of(P0));
    w.put(records(P0, 0, 7)); // 7 records of delta.flush.records=1,000,000
    assertThat(context.timeoutMs)
        .as("Connect is asked to call back within the idle time")
        .isBetween(1L, 200L);
    time.sleep(200);
    w.put(List.of()); // the poll came back empty
    assertThat(w.preCommit(Map.of()).get(P0).offset()).isEqualTo(7);
    w.close();
    assertRowsExactly(keys(P0, 0, 7));
  }

  /**
   * Case 20: pauses and resumes for memory are logged at INFO with the budget's figures,
   * rate-limited.
   */
  @Test
  void pausesForMemoryAreLoggedAtInfoWithTheBudget() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w = smallBudgetWriter(context);
    List<TopicPartition> tps = partitions(7);
    w.open(tps);
    try (LogCapture logs = new LogCapture(Map.of(MemoryBudget.class.getName(), Level.INFO))) {
      w.put(batch(tps.subList(0, 6), 0, 10));
      assertThat(context.paused).hasSize(1);
      // A second pause soon after (P0 still writes, so no commit yet): not logged again at INFO.
      w.put(merge(records(P0, 10, 20), records(tps.get(6), 0, 10)));
      assertThat(context.paused).hasSize(2);
      String text = logs.text();
      assertThat(text)
          .contains("INFO")
          .contains("Paused 1 partition(s) for memory")
          .contains("delta.buffer.max.bytes=1048576");
      assertThat(text.split("Paused ", -1)).as("one INFO line within the interval").hasSize(2);
      time.sleep(1_000);
      w.preCommit(Map.of());
      assertThat(logs.text()).contains("Resuming 2 partition(s) paused for memory");
    }
    w.close();
  }
}
