package io.deltasink.connect.delta.table.standalone;

import static io.deltasink.connect.delta.table.standalone.StandaloneTableLogTest.SCHEMA;
import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableProperties;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commits whose cost does not grow with the table, and checkpoints off the commit path. */
class LogWriterTest {
  @TempDir Path dir;

  @AfterEach
  void reset() {
    CountingFileSystem.reset();
  }

  private String location() {
    return dir.toUri().toString();
  }

  private Configuration counting() {
    return HadoopConf.build(Map.of("fs.file.impl", CountingFileSystem.class.getName()));
  }

  private StandaloneTableLog table(Configuration conf, Map<String, String> properties) {
    return new StandaloneTableLog(
        location(), conf, "t", "e", 10, 1, ms -> {}, TableProperties.forNewTable(properties), 0);
  }

  private List<WrittenFile> files(long from, long to) throws Exception {
    return TestDataFiles.sequence(HadoopConf.build(Map.of()), location(), "part-t-0", from, to);
  }

  /**
   * The commit at version 150 reads what the commit at version 15 reads: the one commit file after
   * the last one it knows (absent), and never lists the log or reads a checkpoint. Delta
   * Standalone's transaction listed the log and rebuilt the state from the last checkpoint each
   * time.
   */
  @Test
  void aCommitReadsOnlyTheCommitFilesThatAppearedSinceTheLastOne() throws Exception {
    StandaloneTableLog t = table(counting(), Map.of("delta.checkpointInterval", "10"));
    Map<Long, int[]> costs = new HashMap<>();
    for (long v = 0; v <= 150; v++) {
      CountingFileSystem.LOG_LISTINGS.set(0);
      CountingFileSystem.LOG_OPENS.set(0);
      CommitOutcome o =
          t.commit(
              SCHEMA,
              List.of(),
              List.of(new PartitionCommit("a/t/0", v * 2 - 1, v * 2 + 1, files(v * 2, v * 2 + 1))));
      assertThat(o.tableVersion()).isEqualTo(v);
      costs.put(
          v, new int[] {CountingFileSystem.LOG_LISTINGS.get(), CountingFileSystem.LOG_OPENS.get()});
    }
    t.close();
    for (long v : List.of(15L, 51L, 99L, 150L)) {
      assertThat(costs.get(v))
          .as("log listings and opened log files at version %d", v)
          .containsExactly(0, 1);
    }
    KernelReader reader = new KernelReader(location());
    assertThat(reader.rows()).hasSize(302);
    assertThat(reader.txnVersion("a/t/0")).isEqualTo(301);
  }

  /**
   * The commit of version 2 (a checkpoint is due every 2 versions) returns while the checkpoint
   * cannot be written yet; the checkpoint follows on its own thread. Delta Standalone wrote it
   * inside the commit call.
   */
  @Test
  void aDueCheckpointIsWrittenAfterTheCommitReturns() throws Exception {
    StandaloneTableLog t = table(counting(), Map.of("delta.checkpointInterval", "2"));
    t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", -1, 9, files(0, 9))));
    CountDownLatch gate = new CountDownLatch(1);
    CountingFileSystem.CHECKPOINT_GATE = gate;
    t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", 9, 19, files(10, 19))));
    t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", 19, 29, files(20, 29))));
    Path checkpoint = dir.resolve("_delta_log/00000000000000000002.checkpoint.parquet");
    assertThat(gate.getCount()).as("the commits returned with the checkpoint held back").isOne();
    assertThat(checkpoint).doesNotExist();
    gate.countDown();
    t.close(); // waits for the checkpoint
    assertThat(checkpoint).isNotEmptyFile();
    assertThat(Files.readString(dir.resolve("_delta_log/_last_checkpoint")))
        .contains("\"version\":2");
    assertThat(new KernelReader(location()).rows()).hasSize(30);
  }

  /**
   * A {@code txn} older than {@code delta.setTransactionRetentionDuration} still fences while the
   * log holds it (a writer that stalled longer than the retention must not commit); once another
   * engine's checkpoint dropped it, its absence is not a fence: the partition's owner commits as it
   * expected.
   */
  @Test
  void anExpiredTxnStillFencesAndAnAbsentOneDoesNot() throws Exception {
    StandaloneTableLog t =
        table(HadoopConf.build(Map.of()), Map.of(TableProperties.TXN_RETENTION, "interval 1 hour"));
    t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/1", -1, 4, files(100, 104))));
    long twoHoursAgo = System.currentTimeMillis() - 2 * 3600_000L;
    Files.writeString(
        dir.resolve("_delta_log/00000000000000000001.json"),
        "{\"commitInfo\":{\"timestamp\":"
            + twoHoursAgo
            + ",\"operation\":\"TEST\"}}\n"
            + "{\"txn\":{\"appId\":\"a/t/0\",\"version\":9,\"lastUpdated\":"
            + twoHoursAgo
            + "}}\n");
    assertThat(t.committedVersion("a/t/0")).isEqualTo(9);
    CommitOutcome stale =
        t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", 5, 12, files(6, 12))));
    assertThat(stale.fenced()).containsEntry("a/t/0", 9L);
    // a/t/2 was committed up to 29 by this writer; its entry is gone from the log.
    CommitOutcome absent =
        t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/2", 29, 39, files(30, 39))));
    assertThat(absent.committed()).containsExactly("a/t/2");
    assertThat(absent.fenced()).isEmpty();
    t.close();
    assertThat(new KernelReader(location()).rows()).hasSize(15);
  }

  /** A created table has the sink's default log retention and the user's properties. */
  @Test
  void aCreatedTableHasTheDefaultAndConfiguredProperties() throws Exception {
    StandaloneTableLog t =
        table(HadoopConf.build(Map.of()), Map.of("delta.checkpointInterval", "50", "owner", "ops"));
    t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", -1, 9, files(0, 9))));
    t.close();
    assertThat(new KernelReader(location()).snapshot().getTableProperties())
        .containsEntry("delta.logRetentionDuration", "interval 2 days")
        .containsEntry("delta.checkpointInterval", "50")
        .containsEntry("owner", "ops");
  }
}
