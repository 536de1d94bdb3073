package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.config.TombstonePolicy;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.maintenance.TableMaintenance;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.table.TxnAppIds;
import io.deltasink.connect.delta.writer.MemoryGate;
import io.deltasink.connect.delta.writer.TableLayout;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WriterSettings;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one task writes into one Delta table: the Kafka partitions routed to it, their
 * uncommitted files, and the last offset of each that the table holds.
 *
 * <p>Exactly once: the table's {@code txn} version for a partition is the last offset it holds.
 * {@link #open} rewinds the consumer to just after it; {@link #put} skips every record at or below
 * it (and below what is already buffered, for batches Connect redelivers after a retriable error);
 * a commit ({@link #prepareCommit}, then its {@link TableCommit}) adds files and the new version
 * atomically, and drops a partition that another owner advanced in the meantime (fencing) instead
 * of writing its rows twice.
 */
final class TableWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableWriter.class);

  private final TableLog table;
  private final Configuration conf;
  private final RecordConverter converter;
  private final WriterSettings settings;
  private final List<String> partitionColumns;
  private final String applicationId;
  private final ConsumerControl consumer;
  private final PartitionStates partitions = new PartitionStates();
  private final TombstonePolicy tombstones;
  private final MemoryGate gate;
  private final SinkMetrics metrics;
  private final SinkMetrics.Table tableMetrics;
  private final WriterLayout layouts;
  private final EvolutionMode evolution;
  private final UpsertWriter upserts; // null when the table is appended to

  /** Rows written (or kept, for an upsert) so far, for the task's memory and flush decisions. */
  private long rowsWritten;

  TableWriter(
      TableLog table,
      Configuration conf,
      RecordConverter converter,
      WriterSettings settings,
      List<String> partitionColumns,
      String applicationId,
      ConsumerControl consumer,
      TombstonePolicy tombstones,
      EvolutionMode evolution,
      io.deltasink.connect.delta.config.WriteMode writeMode,
      MemoryGate gate,
      SinkMetrics metrics) {
    this.tombstones = tombstones;
    this.gate = gate;
    this.metrics = metrics;
    this.tableMetrics = metrics.table(table.location());
    this.table = table;
    this.conf = conf;
    this.converter = converter;
    this.settings = settings;
    this.partitionColumns = List.copyOf(partitionColumns);
    this.applicationId = applicationId;
    this.consumer = consumer;
    this.layouts = new WriterLayout(table, converter, partitionColumns, evolution);
    this.evolution = evolution;
    this.upserts =
        writeMode.upsert() ? new UpsertWriter(writeMode, converter, conf, settings) : null;
  }

  String location() {
    return table.location();
  }

  /**
   * Takes ownership of partitions: reads their committed offsets from the log and rewinds the
   * consumer to the next one. Also checks, for an existing table, that this connector can write it.
   */
  void open(Collection<TopicPartition> tps) {
    layouts.open();
    Map<String, TopicPartition> byAppId = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      byAppId.put(TxnAppIds.of(applicationId, tp.topic(), tp.partition()), tp);
    }
    Map<String, Long> versions = table.committedVersions(byAppId.keySet());
    for (Map.Entry<String, TopicPartition> e : byAppId.entrySet()) {
      PartitionState old = partitions.remove(e.getValue());
      if (old != null) {
        release(old);
      }
      PartitionState st = new PartitionState(e.getValue(), e.getKey());
      st.committed = versions.get(e.getKey());
      st.keyed = upserts == null ? null : new KeyedRows();
      st.metrics =
          metrics.partition(e.getValue().topic(), e.getValue().partition(), table.location());
      st.metrics.offsets(st.committed, st.committed);
      partitions.put(st);
      if (st.committed >= 0) {
        consumer.rewind(e.getValue(), st.committed + 1);
      }
      LOG.info(
          "Opened {} for table {}: committed offset {}, resuming at {}",
          e.getValue(),
          table.location(),
          st.committed,
          st.committed >= 0 ? st.committed + 1 : "the consumer group offset");
    }
  }

  /**
   * Buffers one record of partition {@code tp} at {@code offset} (its original Kafka coordinates).
   * A replay (at or below what is written, reported or committed) is skipped.
   *
   * @throws DataException when the record cannot be written (conversion errors name topic,
   *     partition, offset and field; the writer's, such as a partition value no directory can hold,
   *     name the column and leave the location to the caller); the caller reports it and then calls
   *     {@link #markHandled}
   * @return false when the record needs a new Parquet file and the task's memory budget has no
   *     room: nothing was written, the consumer is rewound to this offset, and the caller pauses
   *     the partition until the next commit frees memory
   * @throws RetriableException when writing the Parquet file failed: the partition's uncommitted
   *     files are dropped and the consumer rewound to its last committed offset
   */
  boolean put(SinkRecord record, TopicPartition tp, long offset) {
    PartitionState st = partitions.get(tp);
    if (st == null) {
      open(List.of(tp));
      st = partitions.get(tp);
    }
    if (!st.accepts(offset, consumer.rewindShown(tp), table.location())) {
      return true;
    }
    Object[] row;
    TableLayout layout;
    try {
      if (record.value() == null && !layouts.bronze()) {
        if (upserts != null && upserts.deletesOnTombstone()) {
          upserts.delete(st, record, offset, layouts.current());
          markHandled(tp, offset);
          return true;
        }
        tombstones.check(Records.describe(tp, offset));
        markHandled(tp, offset); // delta.tombstone.policy=ignore: skipped, its offset is done
        return true;
      }
      layout = layouts.layoutFor(record);
      row = converter.toRow(record, layout.schema());
      if (upserts != null) {
        upserts.put(st, row, offset, layout);
        layouts.adopt(layout);
        st.handled(offset);
        rowsWritten++;
        return true;
      }
      layouts.adopt(layout); // only a record that converts changes the table's schema
    } catch (DataException e) {
      throw new DataException(Records.describe(tp, offset) + ": " + e.getMessage(), e);
    }
    try {
      if (st.writer == null) {
        st.writer =
            new TopicPartitionWriter(
                conf,
                layout,
                settings,
                TopicPartitionWriter.filePrefix(tp.topic(), tp.partition()),
                gate);
      } else if (st.writer.layout() != layout) {
        st.writer.relayout(layout); // its open files keep their schema and stay pending
      }
      if (!st.writer.write(row, offset)) {
        // No memory for another open file: this record and the rest of the partition come again
        // after the rewind, once a commit has released the open files.
        st.discardAbove = offset;
        consumer.rewind(tp, offset);
        return false;
      }
      st.handled(offset);
      rowsWritten++;
    } catch (DataException e) {
      throw e; // the row cannot be stored (nothing was written): a bad record, which the caller
      // locates
    } catch (IOException | RuntimeException e) {
      throw fail(
          st,
          "Writing a Parquet file for "
              + Records.describe(tp, offset)
              + " into "
              + table.location(),
          e);
    }
    return true;
  }

  long rowsWritten() {
    return rowsWritten;
  }

  /** Heap held by the open Parquet files of this table's partitions (bytes). */
  long memoryBytes() { // and an upsert's kept rows, which only a commit releases
    return partitions.sumOverWriters(TopicPartitionWriter::memoryBytes)
        + partitions.sumOverKeyed(KeyedRows::bytes);
  }

  /**
   * Closes this table's open file holding the most heap if it holds {@code minBytes} of rows (they
   * stay pending); returns the heap released (bytes, 0: none qualified). Throws as {@link #put}.
   */
  long finishLargest(long minBytes) {
    PartitionState largest = partitions.largestInMemory();
    if (largest == null) {
      return 0;
    }
    try {
      return largest.writer.finishLargest(minBytes);
    } catch (IOException | RuntimeException e) {
      throw fail(largest, "Closing a Parquet file of " + largest.tp + " in " + table.location(), e);
    }
  }

  /** A record of {@code tp} was handled without a row (dead-letter queue, ignored tombstone). */
  void markHandled(TopicPartition tp, long offset) {
    PartitionState st = partitions.get(tp);
    if (st != null && offset > st.lastOffset()) {
      st.lastHandled = offset;
      st.handled(offset);
    }
  }

  /** Drops {@code st}'s uncommitted rows, rewinds it; returns the error to throw. */
  private RetriableException fail(PartitionState st, String what, Exception cause) {
    RetriableException e = st.dropUncommitted(what, cause);
    consumer.rewind(st.tp, st.committed + 1);
    return e;
  }

  /** After a commit: the table's schema as the commit saw it, for the next files' layout. */
  void tableState(io.deltasink.connect.delta.table.TableState state) {
    layouts.committed(state);
  }

  boolean hasPending() {
    return partitions.anyPending();
  }

  /** Whether any of {@code tps} holds rows not yet committed. */
  boolean hasPending(Collection<TopicPartition> tps) {
    return partitions.anyPending(tps);
  }

  /** The last offset of {@code tp} written, handled or committed; -1 when not owned. */
  long lastOffset(TopicPartition tp) {
    PartitionState st = partitions.get(tp);
    return st == null ? -1 : st.lastOffset();
  }

  long bufferedRecords() { // an upsert's files are written from its kept rows at the commit
    return upserts != null
        ? partitions.sumOverKeyed(KeyedRows::size)
        : partitions.sumOverWriters(TopicPartitionWriter::records);
  }

  long bufferedBytes() {
    return upserts != null
        ? partitions.sumOverKeyed(KeyedRows::bytes)
        : partitions.sumOverWriters(TopicPartitionWriter::bytes);
  }

  /**
   * Closes the Parquet files of every buffered partition and collects them for one Delta version,
   * which {@link TableCommit#commitToDelta} commits and {@link TableCommit#apply} records. Task
   * thread only. A partition whose files cannot be closed is rewound; its {@link
   * RetriableException} is thrown by {@link TableCommit#apply}, after the others are committed.
   */
  TableCommit prepareCommit() {
    List<PartitionCommit> commits = new ArrayList<>();
    Map<String, PartitionState> byAppId = new HashMap<>();
    Map<String, Long> newVersions = new HashMap<>();
    RuntimeException failed = null;
    List<PartitionState> pending =
        partitions.all().stream().filter(PartitionState::pending).toList();
    if (upserts != null) {
      upserts.beforeCommit(pending, layouts.current());
    }
    for (PartitionState st : pending) {
      List<WrittenFile> files;
      try {
        files =
            upserts != null
                ? upserts.writeFiles(st)
                : st.writer == null ? List.of() : st.writer.finishFiles();
      } catch (IOException | RuntimeException e) {
        failed = fail(st, "Closing Parquet files of " + st.tp + " in " + table.location(), e);
        continue;
      }
      long newVersion = st.lastOffset();
      commits.add(new PartitionCommit(st.appId, st.committed, newVersion, files));
      byAppId.put(st.appId, st);
      newVersions.put(st.appId, newVersion);
    }
    // Only dead-lettered or ignored records so far and no table (no layout): nothing to record yet.
    TableLayout layout = layouts.current();
    return new TableCommit(
        this,
        table,
        layout,
        evolution,
        layout == null ? List.of() : commits,
        byAppId,
        newVersions,
        failed,
        upserts == null ? null : upserts.upsert(table.location(), byAppId.values()));
  }

  /**
   * Another writer moved {@code st}'s {@code txn} version to {@code found} (or an earlier attempt
   * of this task whose outcome was unknown landed): drops the partition's uncommitted rows, keeping
   * the files the log may reference, and resumes after {@code found}.
   *
   * @throws ConnectException when the version went back (see {@link PartitionState#fencedAt})
   */
  void fenced(PartitionState st, long found) {
    st.fencedAt(found, table.location());
    consumer.rewind(st.tp, found + 1);
  }

  /** A data file of {@code st} was gone from storage at commit time: its rows are written again. */
  RetriableException rewrite(PartitionState st) {
    return fail(
        st,
        "Committing " + st.tp + " to " + table.location(),
        new java.io.FileNotFoundException(
            "a data file written for the commit is gone from storage, or the table's schema"
                + " changed in a way the files do not fit"));
  }

  /** The table's MBean, for a commit's figures. */
  SinkMetrics.Table tableMetrics() {
    return tableMetrics;
  }

  /** Offsets to commit to Kafka: next offset after the last one in the table, per partition. */
  void committedOffsets(Map<TopicPartition, Long> out) {
    partitions.committedOffsets(out);
  }

  /** What background maintenance may do with this table now (task thread). */
  TableMaintenance.Work maintenanceWork() {
    return new TableMaintenance.Work(
        table, conf, settings, partitions.filePrefixes(false), partitions.settledPrefixes());
  }

  /** Gives up ownership of {@code tps}: their uncommitted files are deleted. */
  void close(Collection<TopicPartition> tps) {
    tps.stream().map(partitions::remove).filter(st -> st != null).forEach(this::release);
  }

  private void release(PartitionState st) {
    st.abortWriter();
    metrics.unregister(st.metrics);
  }

  /** Hands each owned partition's committed and last received offsets to its MBean. */
  void publishOffsets() {
    partitions.all().forEach(st -> st.metrics.offsets(st.committed, st.lastOffset()));
  }

  @Override
  public void close() {
    close(new ArrayList<>(partitions.partitions()));
    table.close();
  }
}
