package io.deltasink.connect.delta.table.kernel;

import io.delta.kernel.Snapshot;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.TableConfig;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.utils.CloseableIterator;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.table.Upsert;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;

/**
 * The copy-on-write actions of an upsert on a table written through Delta Kernel ({@link Upsert}):
 * the snapshot's live files with their statistics from Kernel's scan, and the {@code remove} and
 * {@code add} rows of the rewrite.
 *
 * <p>Deletion vectors: the sink does not write them. A table with the feature takes upserts by
 * copy-on-write while none of the files to rewrite has a deletion vector; one that has is refused
 * (its deleted rows would come back), with what to do. Row tracking (enabled), append-only tables
 * and change data feed are refused: a rewrite would give kept rows new row ids, an append-only
 * table forbids removes, and a change data feed would need {@code cdc} files.
 */
final class KernelUpserts {
  private KernelUpserts() {}

  /**
   * Why this table cannot take an upsert, or empty when it can.
   *
   * @param location the table, for the message
   */
  static Optional<String> refusal(String location, Snapshot snapshot) {
    io.delta.kernel.internal.actions.Metadata metadata =
        ((io.delta.kernel.internal.SnapshotImpl) snapshot).getMetadata();
    String why = null;
    if (TableConfig.ROW_TRACKING_ENABLED.fromMetadata(metadata)) {
      why =
          "row tracking is enabled (delta.enableRowTracking), and a rewritten file's rows would get new row ids";
    } else if (TableConfig.APPEND_ONLY_ENABLED.fromMetadata(metadata)) {
      why = "the table is append-only (delta.appendOnly)";
    } else if (TableConfig.CHANGE_DATA_FEED_ENABLED.fromMetadata(metadata)) {
      why =
          "its change data feed is enabled (delta.enableChangeDataFeed), which this connector does not write";
    }
    return Optional.ofNullable(why)
        .map(
            w ->
                "Delta table "
                    + location
                    + " cannot take upserts from this connector: "
                    + w
                    + ". Use delta.write.mode=append for it, or write to another table.");
  }

  /** The snapshot's live data files, with their {@code add} actions by path. */
  record LiveFiles(List<WrittenFile> files, Map<String, AddFile> adds) {}

  /**
   * Reads the live files of {@code snapshot} with their statistics (Kernel's scan; paths as the log
   * holds them).
   *
   * @throws RetriableException when the log cannot be read
   */
  static LiveFiles liveFiles(String location, Engine engine, Snapshot snapshot) {
    List<WrittenFile> files = new ArrayList<>();
    Map<String, AddFile> adds = new HashMap<>();
    try (CloseableIterator<FilteredColumnarBatch> batches =
        snapshot.getScanBuilder().build().getScanFiles(engine, true)) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> rows = batches.next().getRows()) {
          while (rows.hasNext()) {
            AddFile a = new AddFile(rows.next().getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL));
            String stats = a.getStatsJson().orElse(null);
            files.add(
                new WrittenFile(
                    a.getPath(),
                    VectorUtils.toJavaMap(a.getPartitionValues()),
                    a.getSize(),
                    a.getModificationTime(),
                    a.getNumRecords().orElse(-1L),
                    stats,
                    -1,
                    -1));
            adds.put(a.getPath(), a);
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new RetriableException(
          "Reading the live files of " + location + ": " + e.getMessage(), e);
    }
    return new LiveFiles(files, adds);
  }

  /**
   * The {@code remove} and {@code add} rows of {@code upsert} prepared on {@code snapshot}.
   *
   * @throws ConnectException when a file to rewrite has a deletion vector
   * @throws RetriableException when the rewrite failed to read or write a file
   */
  static List<Row> rows(
      String location,
      Engine engine,
      Snapshot snapshot,
      TableState state,
      Upsert upsert,
      long nowMs) {
    LiveFiles live = liveFiles(location, engine, snapshot);
    upsert.prepareOrRetry(location, state, live.files());
    List<Row> rows = new ArrayList<>();
    for (WrittenFile f : upsert.removes()) {
      AddFile a = live.adds().get(f.path());
      if (a.getDeletionVector().isPresent()) {
        upsert.discard();
        throw new ConnectException(
            "Delta table "
                + location
                + " has a deletion vector on a file that holds a row to update; this connector"
                + " rewrites files without deletion vectors only. Purge them (REORG TABLE ... APPLY"
                + " (PURGE)) or use delta.write.mode=append for this table.");
      }
      rows.add(
          SingleAction.createRemoveFileSingleAction(a.toRemoveFileRow(true, Optional.of(nowMs))));
    }
    for (WrittenFile f : upsert.adds()) {
      rows.add(SingleAction.createAddFileSingleAction(KernelActions.add(f)));
    }
    return rows;
  }
}
