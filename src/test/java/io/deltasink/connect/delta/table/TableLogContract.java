package io.deltasink.connect.delta.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import io.deltasink.connect.delta.table.standalone.FailingAfterWriteLogStore;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SequenceFiles;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every Delta backend of {@link TableLog} must do, run against each (STYLE.md: one contract
 * test suite for every backend): commit twice, fencing, an unknown outcome, concurrent writers, and
 * a restart that resumes at the committed offsets. Each subclass opens its backend on a table of
 * the protocol that backend writes; the rows and {@code txn} versions are read back with Delta
 * Kernel's reader.
 */
abstract class TableLogContract {
  static final ColumnType.Struct SCHEMA = SequenceFiles.SCHEMA;

  @TempDir Path dir;
  private final List<TableLog> opened = new ArrayList<>();

  /** The backend under test on the table at {@code location}, creating it on the first commit. */
  protected abstract TableLog open(String location, Configuration conf);

  /** Checks the table's protocol is the one this backend is for (after the first commit). */
  protected abstract void assertProtocol(KernelReader reader);

  protected String location() {
    return dir.toUri().toString();
  }

  @BeforeEach
  void resetFaults() {
    FailingAfterWriteLogStore.FAILURES_LEFT.set(0);
  }

  @AfterEach
  void closeTables() {
    opened.forEach(TableLog::close);
  }

  private TableLog table(Configuration conf) {
    TableLog t = open(location(), conf);
    opened.add(t);
    return t;
  }

  protected TableLog table() {
    return table(HadoopConf.build(Map.of()));
  }

  /** Rows {@code ("c" + i % 3, i)} at offsets {@code from..to}, in closed files. */
  protected List<WrittenFile> files(long from, long to) throws Exception {
    return SequenceFiles.files(location(), from, to);
  }

  private CommitOutcome commit(TableLog t, PartitionCommit... partitions) {
    return t.commit(SCHEMA, List.of(), List.of(partitions));
  }

  /** {@link #SCHEMA} and {@code extra}, appended. */
  static ColumnType.Struct with(ColumnType.Struct schema, Column... extra) {
    List<Column> columns = new ArrayList<>(schema.fields());
    columns.addAll(List.of(extra));
    return new ColumnType.Struct(columns);
  }

  @Test
  void aNewColumnLandsInTheVersionOfItsFirstFiles() throws Exception {
    TableLog t = table();
    commit(t, new PartitionCommit("a/t/0", -1, 4, files(0, 4)));
    ColumnType.Struct wider = with(SCHEMA, new Column("temp", Primitive.DOUBLE, true));
    CommitOutcome outcome =
        t.commit(
            wider,
            List.of(),
            List.of(
                new PartitionCommit(
                    "a/t/0",
                    4,
                    9,
                    SequenceFiles.files(
                        location(), wider, 5, 9, i -> new Object[] {"c" + i % 3, i, i * 0.5}))));
    assertThat(outcome.committed()).containsExactly("a/t/0");
    assertThat(outcome.state().schema()).isEqualTo(wider);
    KernelReader reader = new KernelReader(location());
    assertThat(reader.snapshot().getSchema().fieldNames()).containsExactly("city", "seq", "temp");
    assertThat(reader.snapshot().getVersion()).isEqualTo(outcome.tableVersion());
    List<Map<String, Object>> rows = reader.rows();
    assertThat(rows).hasSize(10);
    for (Map<String, Object> row : rows) {
      long seq = (Long) row.get("seq");
      assertThat(row.get("temp")).isEqualTo(seq < 5 ? null : seq * 0.5);
    }
    assertProtocol(reader);
  }

  /**
   * Three writers whose view of the table predates each other's commits: two add the same column,
   * one another; all land, the column once, and files whose column became another type meanwhile
   * are written again instead of being added.
   */
  @Test
  void writersAddingColumnsAtOnceAllLandAndAConflictingTypeIsWrittenAgain() throws Exception {
    TableLog seed = table();
    commit(seed, new PartitionCommit("a/t/0", -1, 0, files(0, 0)));
    List<TableLog> writers = List.of(table(), table(), table(), table());
    writers.forEach(w -> w.committedVersions(List.of("a/t/1")));
    ColumnType.Struct temp = with(SCHEMA, new Column("temp", Primitive.DOUBLE, true));
    ColumnType.Struct wind = with(SCHEMA, new Column("wind", Primitive.LONG, true));
    ColumnType.Struct textTemp = with(SCHEMA, new Column("temp", Primitive.STRING, true));
    CommitOutcome a = addRows(writers.get(0), temp, 1, 10, i -> i * 0.5);
    CommitOutcome b = addRows(writers.get(1), temp, 2, 20, i -> i * 0.5);
    CommitOutcome c = addRows(writers.get(2), wind, 3, 30, i -> i);
    // Partition 5 brings only offsets (its records went to the dead-letter queue): it lands.
    CommitOutcome d =
        writers
            .get(3)
            .commit(
                textTemp,
                List.of(),
                List.of(
                    new PartitionCommit(
                        "a/t/4",
                        -1,
                        40,
                        SequenceFiles.files(
                            location(), textTemp, 40, 40, i -> new Object[] {"c", i, "warm"})),
                    new PartitionCommit("a/t/5", -1, 50, List.of())));
    assertThat(List.of(a, b, c)).allSatisfy(o -> assertThat(o.tableVersion()).isPositive());
    assertThat(d.missing()).containsExactly("a/t/4");
    assertThat(d.committed()).containsExactly("a/t/5");
    KernelReader reader = new KernelReader(location());
    assertThat(reader.snapshot().getSchema().fieldNames())
        .containsExactly("city", "seq", "temp", "wind");
    assertThat(reader.rows())
        .extracting(r -> r.get("seq") + ":" + r.get("temp") + ":" + r.get("wind"))
        .containsExactlyInAnyOrder("0:null:null", "10:5.0:null", "20:10.0:null", "30:null:30");
    assertThat(reader.txnVersion("a/t/4")).isEqualTo(-1);
    assertThat(reader.txnVersion("a/t/5")).isEqualTo(50);
  }

  private CommitOutcome addRows(
      TableLog t,
      ColumnType.Struct schema,
      int partition,
      long offset,
      java.util.function.LongFunction<Object> extra)
      throws Exception {
    return t.commit(
        schema,
        List.of(),
        List.of(
            new PartitionCommit(
                "a/t/" + partition,
                -1,
                offset,
                SequenceFiles.files(
                    location(),
                    schema,
                    offset,
                    offset,
                    i -> new Object[] {"c" + i % 3, i, extra.apply(i)}))));
  }

  @Test
  void committingTheSameBatchTwiceAddsNothing() throws Exception {
    TableLog t = table();
    PartitionCommit pc = new PartitionCommit("a/t/0", -1, 9, files(0, 9));
    long first = commit(t, pc).tableVersion();
    CommitOutcome again = commit(t, pc);
    assertThat(again.tableVersion()).isEqualTo(-1);
    assertThat(again.committed()).containsExactly("a/t/0");
    KernelReader reader = new KernelReader(location());
    assertThat(reader.rows()).hasSize(10);
    assertThat(reader.snapshot().getVersion()).isEqualTo(first);
    assertThat(reader.txnVersion("a/t/0")).isEqualTo(9);
    assertProtocol(reader);
  }

  @Test
  void fencesAPartitionAnotherOwnerAdvanced() throws Exception {
    TableLog t = table();
    commit(t, new PartitionCommit("a/t/0", -1, 20, files(0, 20)));
    // A stale owner still thinks nothing is committed and holds offsets 0..14 of partition 0.
    CommitOutcome stale =
        commit(
            t,
            new PartitionCommit("a/t/0", -1, 14, files(0, 14)),
            new PartitionCommit("a/t/1", -1, 4, files(100, 104)));
    assertThat(stale.fenced()).containsExactly(Map.entry("a/t/0", 20L));
    assertThat(stale.committed()).containsExactly("a/t/1");
    assertThat(new KernelReader(location()).rows()).hasSize(21 + 5);
  }

  /**
   * A writer that committed a partition, whose view of the log is its own last commit, is fenced
   * when a new owner committed the partition since: its next commit finds the version taken and
   * decides again on the new one.
   */
  @Test
  void aWriterWhoseLastCommitWasItsOwnIsFencedByANewOwnersCommit() throws Exception {
    TableLog zombie = table();
    commit(zombie, new PartitionCommit("a/t/0", -1, 9, files(0, 9)));
    TableLog owner = table();
    assertThat(owner.committedVersion("a/t/0")).isEqualTo(9);
    commit(owner, new PartitionCommit("a/t/0", 9, 19, files(10, 19)));
    CommitOutcome late =
        commit(
            zombie,
            new PartitionCommit("a/t/0", 9, 14, files(10, 14)),
            new PartitionCommit("a/t/1", -1, 4, files(100, 104)));
    assertThat(late.fenced()).containsExactly(Map.entry("a/t/0", 19L));
    assertThat(late.committed()).containsExactly("a/t/1");
    List<Map<String, Object>> rows = new KernelReader(location()).rows();
    assertThat(rows).hasSize(20 + 5);
    assertThat(rows.stream().map(r -> r.get("seq")).distinct().count()).isEqualTo(25);
  }

  /**
   * A writer given a partition that another writer committed since this one's last commit (a
   * rebalance) commits it from where that writer left it, not from its own older view.
   */
  @Test
  void aWriterCommitsAPartitionTakenOverSinceItsOwnLastCommit() throws Exception {
    TableLog first = table();
    commit(
        first,
        new PartitionCommit("a/t/0", -1, 9, files(0, 9)),
        new PartitionCommit("a/t/2", -1, 99, files(200, 299)));
    TableLog second = table();
    commit(second, new PartitionCommit("a/t/2", 99, 199, files(300, 399)));
    // a/t/2 comes back to the first writer, which was told 199 is committed.
    CommitOutcome back = commit(first, new PartitionCommit("a/t/2", 199, 299, files(400, 499)));
    assertThat(back.fenced()).isEmpty();
    assertThat(back.committed()).containsExactly("a/t/2");
    assertThat(first.committedVersion("a/t/2")).isEqualTo(299);
    assertThat(new KernelReader(location()).rows()).hasSize(10 + 300);
  }

  /** Writers that find no table create it at the same moment: one creates, the others append. */
  @Test
  void writersCreatingTheTableAtOnceAllLand() throws Exception {
    int writers = 4;
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<CommitOutcome>> outcomes = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String appId = "a/t/" + w;
      List<WrittenFile> batch = files(1000L * w, 1000L * w + 9);
      TableLog t = table();
      outcomes.add(
          pool.submit(
              () -> {
                start.await();
                return commit(t, new PartitionCommit(appId, -1, 9, batch));
              }));
    }
    try {
      for (int w = 0; w < writers; w++) {
        assertThat(outcomes.get(w).get().committed()).containsExactly("a/t/" + w);
      }
    } finally {
      pool.shutdown();
    }
    assertThat(new KernelReader(location()).rows()).hasSize(writers * 10);
  }

  @Test
  void unknownOutcomeIsResolvedFromTheLogWithoutDuplicates() throws Exception {
    TableLog t = table();
    commit(t, new PartitionCommit("a/t/0", -1, 9, files(0, 9)));
    Configuration failing =
        HadoopConf.build(
            Map.of(
                "delta.logStore.file.impl", FailingAfterWriteLogStore.class.getName(),
                "io.delta.kernel.logStore.file.impl", FailingAfterWriteLogStore.class.getName()));
    TableLog faulty = table(failing);
    FailingAfterWriteLogStore.FAILURES_LEFT.set(1);
    CommitOutcome out = commit(faulty, new PartitionCommit("a/t/0", 9, 19, files(10, 19)));
    // The fault fired on the commit write: a later attempt found the txn in the log and wrote
    // nothing more.
    assertThat(FailingAfterWriteLogStore.FAILURES_LEFT.get()).isNotPositive();
    assertThat(out.committed()).containsExactly("a/t/0");
    KernelReader reader = new KernelReader(location());
    assertThat(reader.rows()).hasSize(20);
    assertThat(reader.txnVersion("a/t/0")).isEqualTo(19);
    assertProtocol(reader);
  }

  @Test
  void threeConcurrentWritersLoseNoVersion() throws Exception {
    int writers = 3;
    int commitsEach = 8;
    long seed = commit(table(), new PartitionCommit("seed", -1, 0, files(0, 0))).tableVersion();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String appId = "a/t/" + w;
      long base = 1000L * (w + 1);
      TableLog t = table();
      futures.add(
          pool.submit(
              () -> {
                long last = -1;
                for (int c = 0; c < commitsEach; c++) {
                  long next = last + 10;
                  CommitOutcome o =
                      commit(
                          t,
                          new PartitionCommit(
                              appId, last, next, files(base + last + 1, base + next)));
                  assertThat(o.committed()).containsExactly(appId);
                  last = next;
                }
                return null;
              }));
    }
    try {
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    KernelReader reader = new KernelReader(location());
    assertThat(reader.snapshot().getVersion()).isEqualTo(seed + writers * commitsEach);
    List<Map<String, Object>> rows = reader.rows();
    assertThat(rows).hasSize(1 + writers * commitsEach * 10);
    assertThat(rows.stream().map(r -> r.get("seq")).distinct().count()).isEqualTo(rows.size());
    for (int w = 0; w < writers; w++) {
      assertThat(reader.txnVersion("a/t/" + w)).isEqualTo(commitsEach * 10L - 1);
    }
    assertProtocol(reader);
  }

  @Test
  void aRestartedWriterResumesAtTheCommittedOffsets() throws Exception {
    TableLog t = table();
    commit(
        t,
        new PartitionCommit("a/t/0", -1, 9, files(0, 9)),
        new PartitionCommit("a/t/1", -1, 4, files(100, 104)));
    t.close();
    TableLog restarted = table();
    assertThat(restarted.committedVersions(List.of("a/t/0", "a/t/1", "a/t/2")))
        .containsEntry("a/t/0", 9L)
        .containsEntry("a/t/1", 4L)
        .containsEntry("a/t/2", -1L);
    assertThat(restarted.state()).get().extracting(TableState::schema).isEqualTo(SCHEMA);
    CommitOutcome next = commit(restarted, new PartitionCommit("a/t/0", 9, 19, files(10, 19)));
    assertThat(next.committed()).containsExactly("a/t/0");
    assertThat(new KernelReader(location()).rows()).hasSize(25);
  }
}
