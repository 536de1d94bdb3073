package io.deltasink.connect.delta.table.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SequenceFiles;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints and log cleanup of the tables written through Kernel: a V2 spec checkpoint on a
 * {@code v2Checkpoint} table that an independent reader then loads the table from, and Kernel's
 * classic checkpoint elsewhere, each followed by the cleanup of expired commit files.
 */
class KernelCheckpointsTest {
  private static final ColumnType.Struct SCHEMA = SequenceFiles.SCHEMA;

  @TempDir Path dir;

  private List<WrittenFile> files(long from, long to) throws Exception {
    return SequenceFiles.files(dir.toUri().toString(), from, to);
  }

  /** Commits 10 batches of 10 rows for two partitions through a Kernel table log. */
  private void commitTenBatches(Map<String, String> properties) throws Exception {
    try (KernelTableLog t =
        new KernelTableLog(
            dir.toUri().toString(),
            HadoopConf.build(Map.of()),
            "test/1",
            5,
            1,
            ms -> {},
            properties)) {
      for (int b = 0; b < 10; b++) {
        long last = b * 10L - 1;
        t.commit(
            SCHEMA,
            List.of(),
            List.of(
                new PartitionCommit("a/t/0", last, last + 10, files(b * 10, b * 10 + 9)),
                new PartitionCommit(
                    "a/t/1", last, last + 10, files(1000 + b * 10, 1000 + b * 10 + 9))));
      }
    } // close() waits for a checkpoint being written
  }

  private List<String> logFiles() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("_delta_log"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aV2CheckpointTableGetsV2CheckpointsThatReadersLoadTheTableFrom() throws Exception {
    commitTenBatches(Map.of("delta.checkpointPolicy", "v2", "delta.checkpointInterval", "4"));
    List<String> log = logFiles();
    assertThat(log).noneMatch(f -> f.matches("\\d{20}\\.checkpoint\\.parquet"));
    List<String> v2 =
        log.stream().filter(f -> f.matches("\\d{20}\\.checkpoint\\.[0-9a-f-]{36}\\.json")).toList();
    assertThat(v2).isNotEmpty();
    String newest = v2.get(v2.size() - 1);
    long version = Long.parseLong(newest.substring(0, 20));
    List<String> lines =
        Files.readAllLines(dir.resolve("_delta_log").resolve(newest), StandardCharsets.UTF_8);
    assertThat(lines.get(0)).isEqualTo("{\"checkpointMetadata\":{\"version\":" + version + "}}");
    assertThat(lines).anyMatch(l -> l.startsWith("{\"protocol\""));
    assertThat(lines).anyMatch(l -> l.startsWith("{\"metaData\""));
    assertThat(lines.stream().filter(l -> l.startsWith("{\"add\"")).count())
        .isEqualTo(2 * (version + 1)); // two files in each of versions 0..version
    assertThat(lines.stream().filter(l -> l.startsWith("{\"txn\"")).count()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("_delta_log/_last_checkpoint")))
        .contains("\"version\":" + version);

    // An independent reader loads the table from that checkpoint.
    KernelReader reader = new KernelReader(dir.toUri().toString());
    assertThat(reader.snapshot().getLogSegment().getCheckpoints())
        .anyMatch(f -> f.getPath().endsWith(newest));
    assertThat(reader.rows()).hasSize(200);
    assertThat(reader.txnVersion("a/t/0")).isEqualTo(99);
    assertThat(reader.txnVersion("a/t/1")).isEqualTo(99);
  }

  @Test
  void expiredCommitFilesBeforeTheCheckpointAreCleanedUp() throws Exception {
    commitTenBatches(
        Map.of(
            "delta.checkpointInterval", "4",
            "delta.logRetentionDuration", "interval 1 millisecond"));
    List<String> log = logFiles();
    // Version 4 is checkpointed, and version 8 unless 4 was still being written then; the
    // cleanup after a checkpoint keeps the newest.
    List<String> checkpoints =
        log.stream().filter(f -> f.matches("\\d{20}\\.checkpoint\\.parquet")).toList();
    assertThat(checkpoints).hasSize(1);
    long checkpoint = Long.parseLong(checkpoints.get(0).substring(0, 20));
    // The commit files and checksums before the checkpoint expired and were deleted after it.
    assertThat(log)
        .filteredOn(f -> f.endsWith(".json") || f.endsWith(".crc"))
        .allMatch(f -> Long.parseLong(f.substring(0, 20)) >= checkpoint)
        .contains(String.format("%020d.json", 9));
    KernelReader reader = new KernelReader(dir.toUri().toString());
    assertThat(reader.rows()).hasSize(200);
    assertThat(reader.txnVersion("a/t/1")).isEqualTo(99);
  }
}
