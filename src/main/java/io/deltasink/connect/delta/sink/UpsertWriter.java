package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.config.WriteMode;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.table.Upsert;
import io.deltasink.connect.delta.writer.FileCompactor;
import io.deltasink.connect.delta.writer.FileRewriter;
import io.deltasink.connect.delta.writer.MemoryGate;
import io.deltasink.connect.delta.writer.RowKeys;
import io.deltasink.connect.delta.writer.TableLayout;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WriterSettings;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The upsert side of a {@link TableWriter} (issue #17, docs/upsert.md): the key of each record, the
 * last record per key of each partition ({@link KeyedRows}), their Parquet files at commit time,
 * and the {@link Upsert} that rewrites the table's files holding the batch's keys.
 */
final class UpsertWriter {
  private final WriteMode mode;
  private final Configuration conf;
  private final WriterSettings settings;
  private TableLayout keysLayout;
  private RowKeys keys;
  private final TombstoneKeys tombstones;

  UpsertWriter(
      WriteMode mode, RecordConverter converter, Configuration conf, WriterSettings settings) {
    this.mode = mode;
    this.conf = conf;
    this.settings = settings;
    this.tombstones = new TombstoneKeys(mode.keyColumns(), converter);
  }

  /** Whether a tombstone deletes its key's row ({@code delta.upsert.delete.on.tombstone}). */
  boolean deletesOnTombstone() {
    return mode.deleteOnTombstone();
  }

  /**
   * Keeps {@code row} (converted for {@code layout}) as its key's last record in {@code st}.
   *
   * @throws DataException, having kept nothing, naming the key column when it is not in the table
   *     or its value is null, or as {@link TableLayout#checkRow} when the row cannot be written
   */
  void put(PartitionState st, Object[] row, long offset, TableLayout layout) {
    RowKeys.Key key = keysFor(layout).keyOf(row);
    layout.checkRow(row);
    st.keyed.put(key, offset, row, layout);
  }

  /**
   * Keeps the delete of a tombstone's key ({@link TombstoneKeys}) as the key's last record; nothing
   * when the table does not exist yet ({@code current} null): it has no row to delete.
   */
  void delete(PartitionState st, SinkRecord record, long offset, TableLayout current) {
    if (current != null) {
      st.keyed.put(tombstones.keyOf(record, current), offset, null, current);
    }
  }

  private RowKeys keysFor(TableLayout layout) {
    if (layout != keysLayout) {
      try {
        keys = new RowKeys(layout.schema(), mode.keyColumns());
      } catch (IllegalArgumentException e) {
        throw new DataException(e.getMessage(), e);
      }
      keysLayout = layout;
    }
    return keys;
  }

  /** Readies the kept rows for a commit: {@link #alignKeys}, then {@link #oneOwnerPerKey}. */
  void beforeCommit(Collection<PartitionState> pending, TableLayout current) {
    alignKeys(pending, current);
    oneOwnerPerKey(pending);
  }

  /**
   * Re-keys the rows kept under a layout whose key columns were since widened (a date to a
   * timestamp: see {@link RowKeys#widenedFrom}), so that they match the rows of the files the
   * commit rewrites and each other.
   */
  private void alignKeys(Collection<PartitionState> pending, TableLayout current) {
    RowKeys now;
    try {
      now = current == null ? null : keysFor(current);
    } catch (DataException e) {
      now = null; // no key in this schema: no row was kept with it
    }
    if (now == null) {
      return;
    }
    RowKeys keys = now;
    Map<TableLayout, RowKeys> earlier = new HashMap<>();
    for (PartitionState st : pending) {
      boolean stale = false;
      for (Map.Entry<RowKeys.Key, KeyedRows.Entry> e : st.keyed.entries()) {
        stale |= e.getValue().layout() != current;
      }
      if (stale) {
        st.keyed.rekey(
            (k, e) ->
                e.layout() == current
                    ? k
                    : keys.widenedFrom(
                        k,
                        earlier.computeIfAbsent(
                            e.layout(), l -> new RowKeys(l.schema(), mode.keyColumns()))));
      }
    }
  }

  /**
   * Makes every key of the batch belong to one partition: a key held by two partitions (its records
   * went to two Kafka partitions, which the docs rule out) keeps the record of the one seen last
   * here, so the table never gets two rows of it.
   */
  static void oneOwnerPerKey(Collection<PartitionState> pending) {
    Map<RowKeys.Key, KeyedRows> owner = new HashMap<>();
    for (PartitionState st : pending) {
      for (RowKeys.Key k : st.keyed.keys()) {
        KeyedRows before = owner.put(k, st.keyed);
        if (before != null) {
          before.remove(k);
        }
      }
    }
  }

  /**
   * Writes the partition's kept rows into new Parquet files (files of an earlier attempt that did
   * not land are dropped first, except those a commit of unknown outcome may reference).
   *
   * @return the partition's files, in its writer, pending commit
   * @throws IOException when a file cannot be written
   */
  List<WrittenFile> writeFiles(PartitionState st) throws IOException {
    String filePrefix = TopicPartitionWriter.filePrefix(st.tp.topic(), st.tp.partition());
    if (st.writer != null) {
      st.writer.abort(st.inDoubtFiles);
    }
    st.writer = null;
    for (Map.Entry<RowKeys.Key, KeyedRows.Entry> e : st.keyed.entries()) {
      KeyedRows.Entry row = e.getValue();
      if (row.row() == null) {
        continue; // a delete: only its key goes into the rewrite
      }
      if (st.writer == null) {
        st.writer =
            new TopicPartitionWriter(
                conf, row.layout(), settings, filePrefix, MemoryGate.UNLIMITED);
      } else if (st.writer.layout() != row.layout()) {
        st.writer.relayout(row.layout());
      }
      st.writer.write(row.row(), row.offset());
    }
    return st.writer == null ? List.of() : st.writer.finishFiles();
  }

  /**
   * The rewrite of a commit of {@code partitions}: the table's files holding one of their keys
   * (rows and deletes), written again without those rows into files named for the first partition;
   * null when there is no partition.
   */
  Upsert upsert(String location, Collection<PartitionState> partitions) {
    if (partitions.isEmpty()) {
      return null;
    }
    PartitionState owner = partitions.iterator().next();
    Set<RowKeys.Key> batchKeys = new LinkedHashSet<>();
    for (PartitionState st : partitions) {
      batchKeys.addAll(st.keyed.keys());
    }
    FileCompactor files =
        new FileCompactor(conf, new Path(location), settings, settings.rowGroupBytes());
    FileRewriter rewriter = new FileRewriter(files);
    return new Upsert(
        mode.keyColumns(),
        batchKeys,
        new Upsert.Rewriter() {
          @Override
          public FileRewriter.Result without(
              WrittenFile file,
              io.deltasink.connect.delta.writer.KeyPruning pruning,
              Collection<RowKeys.Key> keys)
              throws IOException {
            return rewriter.without(file, pruning, keys, owner.tp.topic(), owner.tp.partition());
          }

          @Override
          public void delete(WrittenFile file) {
            rewriter.delete(file);
          }
        });
  }
}
