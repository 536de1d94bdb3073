package io.deltasink.connect.delta.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SequenceFiles;
import io.deltasink.connect.delta.writer.FileCompactor;
import io.deltasink.connect.delta.writer.FileRewriter;
import io.deltasink.connect.delta.writer.KeyPruning;
import io.deltasink.connect.delta.writer.RowKeys;
import io.deltasink.connect.delta.writer.WriterSettings;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TableLog#merge} on each backend, on real files read back with Delta Kernel: rows of the
 * batch's keys are replaced, a commit that lost its version to a writer adding a row of a key is
 * merged again on the new version (never two rows of a key), and a partition another owner moved
 * keeps the whole merge out.
 */
abstract class UpsertContract {
  static final List<String> KEY = List.of("seq");

  @TempDir Path dir;
  private final List<TableLog> opened = new ArrayList<>();

  /** The backend under test on the table at {@code location}, creating it on the first commit. */
  protected abstract TableLog open(String location, Configuration conf);

  protected String location() {
    return dir.toUri().toString();
  }

  @AfterEach
  void closeTables() {
    opened.forEach(TableLog::close);
  }

  protected TableLog table() {
    return table(HadoopConf.build(Map.of()));
  }

  private TableLog table(Configuration conf) {
    TableLog t = open(location(), conf);
    opened.add(t);
    return t;
  }

  @org.junit.jupiter.api.BeforeEach
  void resetFaults() {
    io.deltasink.connect.delta.table.standalone.FailingAfterWriteLogStore.FAILURES_LEFT.set(0);
    io.deltasink.connect.delta.table.standalone.TakenAfterWriteLogStore.FAILURES_LEFT.set(0);
  }

  /**
   * A merge whose commit file is written and then reported as failed ({@code store}): the outcome
   * is unknown, the next attempt finds it landed, and its rewritten file, which the landed version
   * references, is still there.
   */
  void landedButReportedFailed(Class<?> store, java.util.concurrent.atomic.AtomicInteger faults)
      throws Exception {
    append(table(), new PartitionCommit("a/t/0", -1, 9, files(0, 9, "old")));
    TableLog faulty =
        table(
            HadoopConf.build(
                Map.of(
                    "delta.logStore.file.impl", store.getName(),
                    "io.delta.kernel.logStore.file.impl", store.getName())));
    faults.set(1);
    CommitOutcome out =
        merge(
            faulty,
            upsert(keys(5, 5), () -> {}),
            List.of(new PartitionCommit("a/t/0", 9, 10, files(5, 5, "new"))));
    assertThat(faults.get()).as("the fault fired").isNotPositive();
    assertThat(out.committed()).containsExactly("a/t/0");
    java.util.NavigableMap<Long, String> rows = rowsBySeq(); // reads every live file
    assertThat(rows).hasSize(10).containsEntry(5L, "new").containsEntry(4L, "old");
  }

  @Test
  void aMergeThatLandedButReportedAnErrorKeepsTheFilesItReferences() throws Exception {
    landedButReportedFailed(
        io.deltasink.connect.delta.table.standalone.FailingAfterWriteLogStore.class,
        io.deltasink.connect.delta.table.standalone.FailingAfterWriteLogStore.FAILURES_LEFT);
  }

  @Test
  void aMergeThatLandedButReportedItsVersionTakenKeepsTheFilesItReferences() throws Exception {
    landedButReportedFailed(
        io.deltasink.connect.delta.table.standalone.TakenAfterWriteLogStore.class,
        io.deltasink.connect.delta.table.standalone.TakenAfterWriteLogStore.FAILURES_LEFT);
  }

  /** Rows {@code (city, i)} for {@code i} in {@code from..to}. */
  List<WrittenFile> files(long from, long to, String city) throws IOException {
    return SequenceFiles.files(
        location(), SequenceFiles.SCHEMA, from, to, i -> new Object[] {city, i});
  }

  static List<RowKeys.Key> keys(long from, long to) {
    RowKeys keys = new RowKeys(SequenceFiles.SCHEMA, KEY);
    List<RowKeys.Key> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(keys.keyOf(new Object[] {"x", i}));
    }
    return out;
  }

  /** An upsert of {@code keys}; {@code beforeRewrite} runs before each file is rewritten. */
  Upsert upsert(Collection<RowKeys.Key> keys, Runnable beforeRewrite) {
    FileRewriter rewriter =
        new FileRewriter(
            new FileCompactor(
                HadoopConf.build(Map.of()),
                new org.apache.hadoop.fs.Path(location()),
                new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 64 * 1024),
                1 << 20));
    return new Upsert(
        KEY,
        keys,
        new Upsert.Rewriter() {
          @Override
          public FileRewriter.Result without(
              WrittenFile file, KeyPruning pruning, Collection<RowKeys.Key> k) throws IOException {
            beforeRewrite.run();
            return rewriter.without(file, pruning, k, "t", 0);
          }

          @Override
          public void delete(WrittenFile file) {
            rewriter.delete(file);
          }
        });
  }

  /** Appends {@code partitions} to {@code t}. */
  static CommitOutcome append(TableLog t, PartitionCommit... partitions) {
    return t.commit(SequenceFiles.SCHEMA, List.of(), List.of(partitions));
  }

  /** Upserts {@code partitions} into {@code t} with the rewrite {@code upsert}. */
  static CommitOutcome merge(TableLog t, Upsert upsert, List<PartitionCommit> partitions) {
    return t.merge(
        SequenceFiles.SCHEMA,
        List.of(),
        partitions,
        io.deltasink.connect.delta.schema.EvolutionMode.ADD_COLUMNS,
        upsert);
  }

  /** seq to city, failing on a seq seen twice. */
  java.util.NavigableMap<Long, String> rowsBySeq() {
    java.util.NavigableMap<Long, String> out = new TreeMap<>();
    for (Map<String, Object> row : new KernelReader(location()).rows()) {
      String before = out.put((Long) row.get("seq"), (String) row.get("city"));
      assertThat(before).as("seq %s twice", row.get("seq")).isNull();
    }
    return out;
  }

  @Test
  void theBatchsKeysReplaceTheirRowsAndOtherRowsStay() throws Exception {
    TableLog t = table();
    append(t, new PartitionCommit("a/t/0", -1, 99, files(0, 99, "old")));
    CommitOutcome out =
        merge(
            t,
            upsert(keys(90, 109), () -> {}),
            List.of(new PartitionCommit("a/t/0", 99, 109, files(90, 109, "new"))));
    assertThat(out.committed()).containsExactly("a/t/0");
    java.util.NavigableMap<Long, String> rows = rowsBySeq();
    assertThat(rows).hasSize(110);
    assertThat(rows.get(89L)).isEqualTo("old");
    assertThat(rows.subMap(90L, 110L).values()).containsOnly("new");
    assertThat(new KernelReader(location()).txnVersion("a/t/0")).isEqualTo(109);
  }

  @Test
  void aMergeThatLostItsVersionToARowOfAKeyIsMergedAgain() throws Exception {
    TableLog t = table();
    append(t, new PartitionCommit("a/t/0", -1, 9, files(0, 9, "old")));
    TableLog other = table();
    List<WrittenFile> racing = files(5, 5, "racing");
    AtomicInteger rewrites = new AtomicInteger();
    Upsert upsert =
        upsert(
            keys(5, 5),
            () -> {
              if (rewrites.getAndIncrement() == 0) {
                // Another connector appends a row of the key after this merge read the table.
                append(other, new PartitionCommit("b/t/0", -1, 0, racing));
              }
            });
    CommitOutcome out =
        merge(t, upsert, List.of(new PartitionCommit("a/t/0", 9, 10, files(5, 5, "new"))));
    assertThat(out.committed()).containsExactly("a/t/0");
    assertThat(rewrites.get()).as("the rewrite was redone on the new version").isGreaterThan(1);
    java.util.NavigableMap<Long, String> rows = rowsBySeq();
    assertThat(rows).hasSize(10);
    assertThat(rows.get(5L)).isEqualTo("new");
  }

  @Test
  void aFencedPartitionKeepsTheWholeMergeOut() throws Exception {
    TableLog t = table();
    append(
        t,
        new PartitionCommit("a/t/0", -1, 9, files(0, 9, "old")),
        new PartitionCommit("a/t/1", -1, 9, files(10, 19, "old")));
    // Another owner of partition 1 committed it meanwhile.
    append(table(), new PartitionCommit("a/t/1", 9, 12, files(20, 22, "owner")));
    long before = new KernelReader(location()).snapshot().getVersion();
    List<PartitionCommit> batch =
        List.of(
            new PartitionCommit("a/t/0", 9, 11, files(1, 2, "new")),
            new PartitionCommit("a/t/1", 9, 11, files(11, 12, "new")));
    CommitOutcome out = merge(t, upsert(keys(1, 2).stream().toList(), () -> {}), batch);
    assertThat(out.tableVersion()).isEqualTo(-1);
    assertThat(out.fenced()).containsExactly(Map.entry("a/t/1", 12L));
    assertThat(out.committed()).isEmpty();
    assertThat(new KernelReader(location()).snapshot().getVersion()).isEqualTo(before);
    assertThat(rowsBySeq().get(1L)).isEqualTo("old");
  }

  @Test
  void aDeleteOnlyBatchRemovesTheRowsAndAFileLeftEmptyIsOnlyRemoved() throws Exception {
    TableLog t = table();
    append(
        t,
        new PartitionCommit("a/t/0", -1, 9, files(0, 9, "old")),
        new PartitionCommit("a/t/1", -1, 1, files(100, 101, "old")));
    List<RowKeys.Key> deleted = new ArrayList<>(keys(3, 4));
    deleted.addAll(keys(100, 101));
    CommitOutcome out =
        merge(
            t, upsert(deleted, () -> {}), List.of(new PartitionCommit("a/t/0", 9, 12, List.of())));
    assertThat(out.committed()).containsExactly("a/t/0");
    assertThat(rowsBySeq().keySet()).containsExactly(0L, 1L, 2L, 5L, 6L, 7L, 8L, 9L);
    assertThat(new KernelReader(location()).liveFiles()).isEqualTo(1);
  }
}
