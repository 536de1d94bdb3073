package io.deltasink.connect.delta.table.standalone;

import static io.deltasink.connect.delta.table.standalone.StandaloneTableLogTest.SCHEMA;
import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableProperties;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction commits ({@code remove} + {@code add}, {@code dataChange=false}) on a real table:
 * Delta's conflict rule on removed files, appends beside them, what streaming readers see.
 */
class RewriteTest {
  private static final long SMALL = 1L << 20;

  @TempDir Path dir;
  private final List<StandaloneTableLog> open = new ArrayList<>();

  @AfterEach
  void close() {
    open.forEach(StandaloneTableLog::close);
  }

  private String location() {
    return dir.toUri().toString();
  }

  private StandaloneTableLog table() {
    StandaloneTableLog t =
        new StandaloneTableLog(
            location(),
            HadoopConf.build(Map.of()),
            "t",
            "e",
            10,
            1,
            ms -> {},
            TableProperties.forNewTable(Map.of()),
            SMALL);
    open.add(t);
    return t;
  }

  /** One file per commit: rows {@code from..to} of partition {@code appId}. */
  private void append(StandaloneTableLog t, String appId, long from, long to) throws Exception {
    t.commit(
        SCHEMA,
        List.of(),
        List.of(
            new PartitionCommit(
                appId,
                from - 1,
                to,
                TestDataFiles.sequence(
                    HadoopConf.build(Map.of()), location(), "part-t-0", from, to))));
  }

  /** What a compaction writes: one file with the rows {@code from..to}. */
  private WrittenFile merged(long from, long to) throws Exception {
    List<WrittenFile> out =
        TestDataFiles.sequence(HadoopConf.build(Map.of()), location(), "part-t-0-c", from, to);
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  private List<Long> seqs() {
    return new KernelReader(location()).rows().stream().map(r -> (Long) r.get("seq")).toList();
  }

  @Test
  void aRewriteReplacesTheSmallFilesWithoutChangingRowsOrData() throws Exception {
    StandaloneTableLog t = table();
    for (long i = 0; i < 5; i++) {
      append(t, "a/t/0", i * 10, i * 10 + 9);
    }
    List<WrittenFile> small = t.smallFiles();
    assertThat(small).hasSize(5).allSatisfy(f -> assertThat(f.records()).isEqualTo(10));
    long version = t.rewrite(small, merged(0, 49));
    assertThat(version).isEqualTo(5);
    assertThat(t.smallFiles()).hasSize(1).allSatisfy(f -> assertThat(f.records()).isEqualTo(50));
    assertThat(seqs())
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 50).boxed().toList());
    assertThat(new KernelReader(location()).snapshot().getVersion()).isEqualTo(5);
    String commit = Files.readString(dir.resolve("_delta_log/00000000000000000005.json"));
    assertThat(commit)
        .contains("\"operation\":\"OPTIMIZE\"")
        .doesNotContain("\"dataChange\":true")
        .contains("\"remove\"", "\"add\"");
    // The txn versions are untouched: a rewrite is not an append.
    assertThat(t.committedVersion("a/t/0")).isEqualTo(49);
    // A new handle loads the same small files from the snapshot (paths relative to the root).
    assertThat(table().smallFiles()).isEqualTo(t.smallFiles());
  }

  /** Two compactions of the same files: the second finds them removed and writes nothing. */
  @Test
  void twoRewritesOfTheSameFilesLandOnce() throws Exception {
    StandaloneTableLog a = table();
    for (long i = 0; i < 3; i++) {
      append(a, "a/t/0", i * 10, i * 10 + 9);
    }
    StandaloneTableLog b = table();
    List<WrittenFile> seenByA = a.smallFiles();
    List<WrittenFile> seenByB = b.smallFiles();
    assertThat(a.rewrite(seenByA, merged(0, 29))).isEqualTo(3);
    assertThat(b.rewrite(seenByB, merged(0, 29))).isEqualTo(-1);
    assertThat(new KernelReader(location()).snapshot().getVersion()).isEqualTo(3);
    assertThat(seqs()).hasSize(30).doesNotHaveDuplicates();
  }

  /** Appends by another writer between reading the small files and the rewrite do not conflict. */
  @Test
  void appendsKeepLandingWhileACompactionRuns() throws Exception {
    StandaloneTableLog compactor = table();
    StandaloneTableLog appender = table();
    for (long i = 0; i < 3; i++) {
      append(appender, "a/t/0", i * 10, i * 10 + 9);
    }
    List<WrittenFile> small = compactor.smallFiles();
    append(appender, "a/t/0", 30, 39);
    append(appender, "a/t/1", 1000, 1009);
    assertThat(compactor.rewrite(small, merged(0, 29))).isEqualTo(5);
    append(appender, "a/t/0", 40, 49);
    List<Long> rows = seqs();
    assertThat(rows).hasSize(60).doesNotHaveDuplicates();
    assertThat(appender.committedVersion("a/t/0")).isEqualTo(49);
    assertThat(compactor.smallFiles()).hasSize(4);
  }

  /** A file that another engine's OPTIMIZE removed first makes the rewrite write nothing. */
  @Test
  void aFileRemovedByAnotherEngineFirstDropsTheRewrite() throws Exception {
    StandaloneTableLog t = table();
    for (long i = 0; i < 3; i++) {
      append(t, "a/t/0", i * 10, i * 10 + 9);
    }
    List<WrittenFile> small = t.smallFiles();
    WrittenFile theirs = merged(0, 29);
    // Another engine's OPTIMIZE of the same three files, written as Spark writes it.
    StringBuilder other = new StringBuilder("{\"commitInfo\":{\"operation\":\"OPTIMIZE\"}}\n");
    for (WrittenFile f : small) {
      other
          .append("{\"remove\":{\"path\":\"")
          .append(f.path())
          .append("\",\"deletionTimestamp\":1,\"dataChange\":false}}\n");
    }
    other
        .append("{\"add\":{\"path\":\"")
        .append(theirs.path())
        .append("\",\"partitionValues\":{},\"size\":")
        .append(theirs.sizeBytes())
        .append(",\"modificationTime\":1,\"dataChange\":false}}\n");
    Files.writeString(dir.resolve("_delta_log/00000000000000000003.json"), other);
    assertThat(t.rewrite(small, merged(0, 29))).isEqualTo(-1);
    assertThat(seqs()).hasSize(30).doesNotHaveDuplicates();
    assertThat(new KernelReader(location()).snapshot().getVersion()).isEqualTo(3);
  }

  /**
   * The rewrite's own commit landed but the store reported the version taken (a retried rename):
   * the rewrite reports the version, so its output is kept; reporting it dropped would have had the
   * caller delete a file the log references.
   */
  @Test
  void aRewriteWhoseOwnCommitWasReportedTakenIsLanded() throws Exception {
    StandaloneTableLog t = table();
    for (long i = 0; i < 3; i++) {
      append(t, "a/t/0", i * 10, i * 10 + 9);
    }
    StandaloneTableLog flaky =
        new StandaloneTableLog(
            location(),
            HadoopConf.build(
                Map.of("delta.logStore.file.impl", TakenAfterWriteLogStore.class.getName())),
            "t",
            "e",
            10,
            1,
            ms -> {},
            TableProperties.forNewTable(Map.of()),
            SMALL);
    open.add(flaky);
    TakenAfterWriteLogStore.FAILURES_LEFT.set(1);
    WrittenFile out = merged(0, 29);
    assertThat(flaky.rewrite(flaky.smallFiles(), out)).isEqualTo(3);
    assertThat(new KernelReader(location()).snapshot().getVersion()).isEqualTo(3);
    assertThat(seqs()).hasSize(30).doesNotHaveDuplicates();
  }

  /** Partition values that need escaping in paths are tracked under the paths the log holds. */
  @Test
  void smallFilesOfAPartitionedTableMatchTheLogsPaths() throws Exception {
    ColumnType.Struct schema =
        new ColumnType.Struct(
            List.of(
                new Column("city", ColumnType.Primitive.STRING, true),
                new Column("seq", ColumnType.Primitive.LONG, false)));
    StandaloneTableLog t = table();
    TopicPartitionWriter w =
        TestDataFiles.writer(
            HadoopConf.build(Map.of()), location(), schema, List.of("city"), "part-t-0");
    w.write(new Object[] {"São Paulo / Centro=1", 0L}, 0);
    w.write(new Object[] {"Oslo", 1L}, 1);
    t.commit(
        schema, List.of("city"), List.of(new PartitionCommit("a/t/0", -1, 1, w.finishFiles())));
    assertThat(t.smallFiles()).hasSize(2);
    assertThat(table().smallFiles()).containsExactlyInAnyOrderElementsOf(t.smallFiles());
    assertThat(new KernelReader(location()).rows()).hasSize(2);
  }
}
