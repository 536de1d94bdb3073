package io.deltasink.connect.delta.table.kernel;

import io.delta.kernel.Snapshot;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.TableConfig;
import io.delta.kernel.internal.checkpoints.CheckpointMetaData;
import io.delta.kernel.internal.checkpoints.Checkpointer;
import io.delta.kernel.internal.data.GenericRow;
import io.delta.kernel.internal.fs.Path;
import io.delta.kernel.internal.replay.CreateCheckpointIterator;
import io.delta.kernel.internal.snapshot.MetadataCleanup;
import io.delta.kernel.internal.util.FileNames;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checkpoints of the tables written through Delta Kernel (PROTOCOL.md, "Checkpoints"), then the
 * cleanup of expired log files.
 *
 * <p>A table without the {@code v2Checkpoint} feature gets Kernel's classic checkpoint. A table
 * with it must have V2 spec checkpoints ("V2 Checkpoint Table Feature"), which Kernel 4.4 does not
 * write: this class writes a UUID-named top-level file in JSON, {@code
 * <version>.checkpoint.<uuid>.json}, without sidecars: one {@code checkpointMetadata} action with
 * the version, then the table state Kernel computes for a classic checkpoint ({@code protocol},
 * {@code metaData}, {@code txn}, {@code domainMetadata}, the live {@code add}s and the {@code
 * remove}s still within {@code delta.deletedFileRetentionDuration}). The file is written
 * put-if-absent under a new name, so it is complete when it exists; {@code _last_checkpoint} then
 * names the version, and readers find the file by listing from it.
 *
 * <p>Log cleanup: commit and checkpoint files older than {@code delta.logRetentionDuration} and
 * older than the newest checkpoint are deleted (Kernel's {@code MetadataCleanup}), unless the table
 * has {@code checkpointProtection} or {@code delta.enableExpiredLogCleanup=false}. Kernel's own
 * checkpoint hook never cleans up, because it checkpoints a snapshot loaded at a version; and its
 * cleanup leaves the {@code .crc} files of the versions it deletes, which this class deletes too.
 */
final class KernelCheckpoints {
  private static final StructType CHECKPOINT_METADATA =
      new StructType()
          .add("version", LongType.LONG, false)
          .add("tags", new MapType(StringType.STRING, StringType.STRING, false), true);
  private static final StructType ACTION =
      new StructType().add("checkpointMetadata", CHECKPOINT_METADATA);

  private KernelCheckpoints() {}

  /** Whether the table's checkpoints must be V2 spec checkpoints. */
  static boolean required(Snapshot snapshot) {
    return snapshot.getProtocol().getReaderAndWriterFeatures().contains("v2Checkpoint");
  }

  /**
   * Writes the checkpoint of {@code snapshot}'s version, then cleans up expired log files.
   *
   * @throws io.delta.kernel.exceptions.CheckpointAlreadyExistsException when the version has a
   *     classic checkpoint already
   * @throws IOException when storage fails
   */
  static void write(Engine engine, Snapshot snapshot) throws IOException {
    if (required(snapshot)) {
      writeV2(engine, snapshot);
    } else {
      snapshot.writeCheckpoint(engine);
    }
    if (cleansLogs(snapshot)) {
      MetadataCleanup.cleanupExpiredLogs(
          engine,
          System::currentTimeMillis,
          new Path(snapshot.getPath()),
          TableConfig.LOG_RETENTION.fromMetadata(snapshot.getMetadata()));
      deleteOrphanChecksums(engine, snapshot.getLogPath().toString());
    }
  }

  /**
   * Deletes the {@code <version>.crc} files of versions whose commit file the cleanup deleted:
   * Kernel's cleanup leaves them, one per commit, and no reader uses the checksum of a version it
   * cannot load.
   */
  private static void deleteOrphanChecksums(Engine engine, String logPath) throws IOException {
    long firstCommit = Long.MAX_VALUE;
    List<String> checksums = new ArrayList<>();
    try (CloseableIterator<FileStatus> files =
        engine.getFileSystemClient().listFrom(FileNames.listingPrefix(new Path(logPath), 0))) {
      while (files.hasNext()) {
        String path = files.next().getPath();
        if (FileNames.isCommitFile(path)) {
          firstCommit = Math.min(firstCommit, FileNames.deltaVersion(path));
        } else if (FileNames.isChecksumFile(path)) {
          checksums.add(path);
        }
      }
    }
    for (String crc : checksums) {
      if (FileNames.checksumVersion(crc) < firstCommit) {
        engine.getFileSystemClient().delete(crc);
      }
    }
  }

  /** Writes a V2 spec checkpoint of {@code snapshot}'s version; returns its path. */
  static String writeV2(Engine engine, Snapshot snapshot) throws IOException {
    long version = snapshot.getVersion();
    Path logPath = new Path(snapshot.getLogPath().toString());
    String file =
        FileNames.topLevelV2CheckpointFile(logPath, version, UUID.randomUUID().toString(), "json")
            .toString();
    AtomicLong actions = new AtomicLong(1);
    try (CreateCheckpointIterator state = snapshot.getCreateCheckpointIterator(engine)) {
      CloseableIterator<Row> rows =
          Utils.singletonCloseableIterator(metadataAction(version))
              .combine(state.flatMap(KernelCheckpoints::rows))
              .map(
                  r -> {
                    actions.incrementAndGet();
                    return r;
                  });
      engine.getJsonHandler().writeJsonFileAtomically(file, rows, false);
    }
    new Checkpointer(logPath)
        .writeLastCheckpointFile(
            engine, new CheckpointMetaData(version, actions.get() - 1, Optional.empty()));
    return file;
  }

  private static CloseableIterator<Row> rows(FilteredColumnarBatch batch) {
    return batch.getRows();
  }

  private static Row metadataAction(long version) {
    Row metadata = new GenericRow(CHECKPOINT_METADATA, Map.of(0, version));
    return new GenericRow(ACTION, Map.of(0, metadata));
  }

  /** Kernel's rule for a classic checkpoint, without its "loaded as latest" condition. */
  private static boolean cleansLogs(Snapshot snapshot) {
    boolean protectedCheckpoints =
        snapshot.getProtocol().getWriterFeatures().contains("checkpointProtection");
    return !protectedCheckpoints
        && TableConfig.EXPIRED_LOG_CLEANUP_ENABLED.fromMetadata(snapshot.getMetadata());
  }
}
