package io.deltasink.connect.delta.table.standalone;

import static io.deltasink.connect.delta.table.standalone.StandaloneTableLogTest.SCHEMA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Metadata;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints and several writers (issue #12, case 19): Delta Standalone writes a checkpoint inside
 * {@code commit()} every {@code delta.checkpointInterval} versions, and every other writer reads it
 * on its next log listing. A checkpoint must become visible whole, and one that cannot be read
 * (torn by a crash, or damaged) must not kill a task.
 */
class CheckpointTest {
  @TempDir Path dir;

  private String location() {
    return dir.toUri().toString();
  }

  private StandaloneTableLog table(Configuration conf) {
    return new StandaloneTableLog(location(), conf, "t", "e", 50, 1, ms -> {});
  }

  private void createTable(int interval) {
    createTable(HadoopConf.build(Map.of()), location(), interval);
  }

  /**
   * Version 0: the table, with a checkpoint every {@code interval} versions, through Delta
   * Standalone.
   */
  static void createTable(Configuration conf, String location, int interval) {
    DeltaLog log = DeltaLog.forTable(conf, location);
    OptimisticTransaction txn = log.startTransaction();
    txn.updateMetadata(
        Metadata.builder()
            .id(UUID.randomUUID().toString())
            .name("t")
            .schema(StandaloneActions.toStructType(SCHEMA))
            .partitionColumns(List.of())
            .configuration(Map.of("delta.checkpointInterval", Integer.toString(interval)))
            .build());
    txn.commit(List.of(), new Operation(Operation.Name.CREATE_TABLE), "test");
  }

  private List<WrittenFile> files(long from, long to) throws Exception {
    return TestDataFiles.sequence(HadoopConf.build(Map.of()), location(), "part-t-0", from, to);
  }

  /**
   * Three writers, each with its own table handle, commit 20 batches each to one table that
   * checkpoints every second version; before every commit each reads its committed version, as a
   * task does when it opens a partition. Checkpoints written in place are paused half way (see
   * {@link PausingCheckpointFileSystem}), which turns the rare race of the issue into a certain
   * one.
   */
  @Test
  void writersCommittingWithFrequentCheckpointsNeverFail() throws Exception {
    int writers = 3;
    int commitsEach = 20;
    createTable(2);
    PausingCheckpointFileSystem.TORN_READS.set(0);
    Map<String, String> pausing =
        Map.of("fs.file.impl", PausingCheckpointFileSystem.class.getName());
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String appId = "a/t/" + w;
      futures.add(
          pool.submit(
              () -> {
                StandaloneTableLog t = table(HadoopConf.build(pausing));
                for (long last = -1; last < commitsEach * 10L - 1; last += 10) {
                  assertThat(t.committedVersion(appId)).isEqualTo(last);
                  CommitOutcome o =
                      t.commit(
                          SCHEMA,
                          List.of(),
                          List.of(
                              new PartitionCommit(
                                  appId, last, last + 10, files(last + 1, last + 10))));
                  assertThat(o.committed()).containsExactly(appId);
                }
                t.close(); // waits for its last checkpoint
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
    assertThat(PausingCheckpointFileSystem.TORN_READS)
        .as("reads of a half-written checkpoint")
        .hasValue(0);
    KernelReader reader = new KernelReader(location());
    assertThat(reader.snapshot().getVersion()).isEqualTo(writers * commitsEach);
    assertThat(reader.rows()).hasSize(writers * commitsEach * 10);
    for (int w = 0; w < writers; w++) {
      assertThat(reader.txnVersion("a/t/" + w)).isEqualTo(commitsEach * 10L - 1);
    }
    try (var names = Files.list(dir.resolve("_delta_log"))) {
      // Each version's writer checkpoints it off the commit path, skipping one while its previous
      // checkpoint is still being written.
      assertThat(names.map(p -> p.getFileName().toString()))
          .as("checkpoints were written")
          .filteredOn(n -> n.endsWith(".checkpoint.parquet"))
          .hasSizeGreaterThan(3);
    }
  }

  /**
   * A checkpoint cut in half, what a writer that crashed while writing it in place leaves, with
   * {@code _last_checkpoint} naming it: opening and reading the table is a {@link
   * RetriableException} (Connect retries; nothing of the table is lost), and once the checkpoint is
   * whole again a new handle reads the right state; a handle that follows the log never needed it.
   */
  @Test
  void aTornCheckpointIsRetriableAndTheTableReadsRightOnceItIsWhole() throws Exception {
    createTable(2);
    StandaloneTableLog writer = table(HadoopConf.build(Map.of()));
    writer.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", -1, 9, files(0, 9))));
    writer.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", 9, 19, files(10, 19))));
    writer.close(); // waits for the checkpoint of version 2, written off the commit path
    Path checkpoint = dir.resolve("_delta_log/00000000000000000002.checkpoint.parquet");
    assertThat(Files.readString(dir.resolve("_delta_log/_last_checkpoint")))
        .contains("\"version\":2");
    byte[] whole = Files.readAllBytes(checkpoint);
    Files.write(checkpoint, Arrays.copyOf(whole, whole.length / 2));

    assertThatThrownBy(() -> table(HadoopConf.build(Map.of())))
        .isInstanceOf(RetriableException.class)
        .hasMessageContaining("00000000000000000002.checkpoint.parquet");
    // A handle that already follows the log reads only new commit files: the checkpoint is not
    // in its way.
    assertThat(writer.committedVersion("a/t/0")).isEqualTo(19);

    Files.write(checkpoint, whole);
    assertThat(writer.committedVersion("a/t/0")).isEqualTo(19);
    assertThat(table(HadoopConf.build(Map.of())).state())
        .get()
        .extracting(TableState::version)
        .isEqualTo(2L);
  }
}
