package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.convert.BronzeRecordConverter;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.delta.CommitOutcome;
import io.deltasink.connect.delta.delta.DeltaTable;
import io.deltasink.connect.delta.delta.PartitionCommit;
import io.deltasink.connect.delta.delta.TableState;
import io.deltasink.connect.delta.delta.TxnAppIds;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import io.deltasink.connect.delta.schema.ColumnType;
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
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
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
 * {@link #open} rewinds the consumer to just after it; {@link #put} skips every record at or below it
 * (and below what is already buffered, for batches Connect redelivers after a retriable error);
 * a commit ({@link #prepareCommit}, then its {@link Prepared}) adds files and the new version
 * atomically, and drops a partition that another owner advanced in the meantime (fencing) instead of
 * writing its rows twice.
 */
final class TableWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableWriter.class);

  private final DeltaTable table;
  private final Configuration conf;
  private final RecordConverter converter;
  private final WriterSettings settings;
  private final List<String> partitionColumns;
  private final String applicationId;
  private final ConsumerControl consumer;
  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private final TombstonePolicy tombstones;
  private final MemoryGate gate;
  private final SinkMetrics metrics;
  private final SinkMetrics.Table tableMetrics;
  private TableLayout layout;
  /** Rows written into Parquet files so far (a counter for the task's memory and flush decisions). */
  private long rowsWritten;

  TableWriter(DeltaTable table, Configuration conf, RecordConverter converter, WriterSettings settings,
      List<String> partitionColumns, String applicationId, ConsumerControl consumer, TombstonePolicy tombstones,
      MemoryGate gate, SinkMetrics metrics) {
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
  }

  String location() {
    return table.location();
  }

  /**
   * Takes ownership of partitions: reads their committed offsets from the log and rewinds the
   * consumer to the next one. Also checks, for an existing table, that this connector can write it.
   */
  void open(Collection<TopicPartition> tps) {
    if (layout == null) {
      table.state().ifPresent(this::useTable);
    }
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
      st.metrics = metrics.partition(e.getValue().topic(), e.getValue().partition(), table.location());
      st.metrics.offsets(st.committed, st.committed);
      partitions.put(e.getValue(), st);
      if (st.committed >= 0) {
        consumer.rewind(e.getValue(), st.committed + 1);
      }
      LOG.info("Opened {} for table {}: committed offset {}{}", e.getValue(), table.location(),
          st.committed, st.committed >= 0 ? ", resuming at " + (st.committed + 1) : ", resuming at the consumer group offset");
    }
  }

  /**
   * Buffers one record of partition {@code tp} at {@code offset} (its original Kafka coordinates).
   * A replay (at or below what is written, reported or committed) is skipped.
   *
   * @throws DataException when the record cannot be written (conversion errors name topic, partition,
   *     offset and field; the writer's, such as a partition value no directory can hold, name the column
   *     and leave the location to the caller); the caller reports it and then calls {@link #markHandled}
   * @return false when the record needs a new Parquet file and the task's memory budget has no room:
   *     nothing was written, the consumer is rewound to this offset, and the caller pauses the
   *     partition until the next commit frees memory
   * @throws RetriableException when writing the Parquet file failed: the partition's uncommitted files
   *     are dropped and the consumer rewound to its last committed offset
   */
  boolean put(SinkRecord record, TopicPartition tp, long offset) {
    PartitionState st = partitions.get(tp);
    if (st == null) {
      open(List.of(tp));
      st = partitions.get(tp);
    }
    if (st.discardAbove >= 0) {
      if (offset > st.discardAbove) {
        if (!consumer.rewindShown(tp)) {
          return true; // delivered before the rewind took effect; it comes again after it
        }
        // The rewind took effect and Kafka no longer has the offsets it asked for (retention,
        // compaction, or the consumer was reset while the partition waited): go on from here.
        LOG.warn("{}: a rewind asked Kafka for offset {} again, the first record it delivered is at offset {}; the "
            + "offsets between are no longer in Kafka (deleted by retention or compaction, or transaction markers) and "
            + "are not in {}", tp, st.discardAbove, offset, table.location());
      }
      st.discardAbove = -1;
    }
    if (offset <= st.lastOffset()) {
      return true;
    }
    Object[] row;
    try {
      if (record.value() == null && !bronze()) {
        if (tombstones == TombstonePolicy.IGNORE) {
          markHandled(tp, offset);
          return true;
        }
        if (tombstones == TombstonePolicy.FAIL) {
          throw new ConnectException(Records.describe(tp, offset) + ": tombstone (null value) and "
              + "delta.tombstone.policy=fail");
        }
        throw new DataException("tombstone (null value); delta.tombstone.policy=dlq sends tombstones to the dead-letter queue");
      }
      if (layout == null) {
        createLayout(record);
      }
      row = converter.toRow(record, layout.schema());
    } catch (DataException e) {
      throw new DataException(Records.describe(tp, offset) + ": " + e.getMessage(), e);
    }
    try {
      if (st.writer == null) {
        st.writer = new TopicPartitionWriter(conf, layout, settings, "part-" + tp.topic() + "-" + tp.partition(), gate);
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
      throw e; // the row cannot be stored (nothing was written): a bad record, which the caller locates
    } catch (IOException | RuntimeException e) {
      throw fail(st, "Writing a Parquet file for " + Records.describe(tp, offset) + " into " + table.location(), e);
    }
    return true;
  }

  long rowsWritten() {
    return rowsWritten;
  }

  /** Heap held by the open Parquet files of this table's partitions (bytes). */
  long memoryBytes() {
    return sumOverWriters(TopicPartitionWriter::memoryBytes);
  }

  private long sumOverWriters(ToLongFunction<TopicPartitionWriter> f) {
    long n = 0;
    for (PartitionState st : partitions.values()) {
      if (st.writer != null) {
        n += f.applyAsLong(st.writer);
      }
    }
    return n;
  }

  /**
   * Closes this table's open file holding the most heap when it holds at least {@code minBytes} of
   * rows; its rows stay pending until the next commit.
   *
   * @return the heap released (bytes), 0 when no file qualified
   * @throws RetriableException when closing the file failed (the partition is rewound, as in {@link #put})
   */
  long finishLargest(long minBytes) {
    PartitionState largest = null;
    long most = -1;
    for (PartitionState st : partitions.values()) {
      long m = st.writer == null ? 0 : st.writer.memoryBytes();
      if (m > most) {
        most = m;
        largest = st;
      }
    }
    if (largest == null || most == 0) {
      return 0;
    }
    try {
      return largest.writer.finishLargest(minBytes);
    } catch (IOException | RuntimeException e) {
      throw fail(largest, "Closing a Parquet file of " + largest.tp + " in " + table.location(), e);
    }
  }

  /** A record of {@code tp} was dealt with without a row (dead-letter queue, ignored tombstone). */
  void markHandled(TopicPartition tp, long offset) {
    PartitionState st = partitions.get(tp);
    if (st != null && offset > st.lastOffset()) {
      st.lastHandled = offset;
      st.handled(offset);
    }
  }

  /**
   * Drops everything the partition holds uncommitted and asks Connect to resume after its last
   * committed offset. Records delivered before that rewind shows are ignored: the first record
   * after the rewind is at {@code firstPending} (no record lies between the committed offset and
   * it), and anything above it is a redelivery that will come again.
   */
  /**
   * Drops the partition's uncommitted rows and rewinds it to its last committed offset.
   *
   * @param what what failed, for the message
   * @return the error to throw: Connect retries, and the partition's records come again
   */
  private RetriableException fail(PartitionState st, String what, Exception cause) {
    LOG.warn("{} failed; dropping the uncommitted rows of {} and resuming at offset {}", what, st.tp, st.committed + 1,
        cause);
    st.abortWriter();
    st.discardAbove = st.firstPending;
    st.resetPending();
    consumer.rewind(st.tp, st.committed + 1);
    return new RetriableException(what + " failed: " + cause.getMessage() + "; dropped the partition's uncommitted "
        + "rows and rewound it to offset " + (st.committed + 1), cause);
  }

  private boolean bronze() {
    return layout != null ? layout.schema().equals(BronzeRecordConverter.SCHEMA) : converter instanceof BronzeRecordConverter;
  }

  boolean hasPending() {
    for (PartitionState st : partitions.values()) {
      if (st.pending()) {
        return true;
      }
    }
    return false;
  }

  /** Whether any of {@code tps} holds rows not yet committed. */
  boolean hasPending(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      PartitionState st = partitions.get(tp);
      if (st != null && st.pending()) {
        return true;
      }
    }
    return false;
  }

  long bufferedRecords() {
    long n = 0;
    for (PartitionState st : partitions.values()) {
      n += st.bufferedRecords();
    }
    return n;
  }

  long bufferedBytes() {
    return sumOverWriters(TopicPartitionWriter::bytes);
  }

  /**
   * Closes the Parquet files of every buffered partition and collects them for one Delta version,
   * which {@link Prepared#commitToDelta} commits and {@link Prepared#apply} records. Task thread
   * only. A partition whose files cannot be closed is rewound; its {@link RetriableException} is
   * thrown by {@link Prepared#apply}, after the others are committed.
   */
  Prepared prepareCommit() {
    List<PartitionCommit> commits = new ArrayList<>();
    Map<String, PartitionState> byAppId = new HashMap<>();
    Map<String, Long> newVersions = new HashMap<>();
    RuntimeException failed = null;
    for (PartitionState st : partitions.values()) {
      if (!st.pending()) {
        continue;
      }
      List<WrittenFile> files;
      try {
        files = st.writer == null ? List.of() : st.writer.finishFiles();
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
    return new Prepared(layout == null ? List.of() : commits, byAppId, newVersions, failed);
  }

  /**
   * One table's prepared commit: {@link #commitToDelta} touches only the Delta table and may run on
   * any thread (several tables commit at once); {@link #apply} updates the task's state and runs on
   * the task thread.
   */
  final class Prepared {
    private final List<PartitionCommit> commits;
    private final Map<String, PartitionState> byAppId;
    private final Map<String, Long> newVersions;
    private final RuntimeException failed;
    private long commitMs;

    private Prepared(List<PartitionCommit> commits, Map<String, PartitionState> byAppId, Map<String, Long> newVersions,
        RuntimeException failed) {
      this.commits = commits;
      this.byAppId = byAppId;
      this.newVersions = newVersions;
      this.failed = failed;
    }

    /** Whether there are files or offsets to commit to Delta. */
    boolean needsDeltaCommit() {
      return !commits.isEmpty();
    }

    /** The table, for messages. */
    String location() {
      return table.location();
    }

    /**
     * The Delta commit (with its retries, see {@link DeltaTable#commit}); no task state is touched.
     *
     * @throws RetriableException when the commit did not go through: the buffers stay, and the next
     *     commit of this table includes them (the log decides what already landed); or a
     *     {@link ConnectException} as {@link DeltaTable#commit} throws it
     */
    CommitOutcome commitToDelta() {
      long started = System.nanoTime();
      CommitOutcome outcome = table.commit(layout.schema(), layout.partitionColumns(), commits);
      commitMs = (System.nanoTime() - started) / 1_000_000;
      return outcome;
    }

    /**
     * {@link #commitToDelta} threw: whether the commit landed is unknown until the log is read again,
     * so its files are never deleted meanwhile (the next commit of each partition, or its next
     * owner, reads the {@code txn} version and decides).
     */
    void outcomeUnknown() {
      for (PartitionCommit pc : commits) {
        PartitionState st = byAppId.get(pc.appId());
        List<String> paths = new ArrayList<>(pc.files().size());
        for (WrittenFile f : pc.files()) {
          paths.add(f.path());
        }
        st.inDoubt(pc.newVersion(), paths);
      }
    }

    /**
     * Records what the commit did (committed versions, fenced partitions, metrics); then throws the
     * failure of a partition whose files could not be closed, if any.
     *
     * @param outcome what {@link #commitToDelta} returned, or null when {@link #needsDeltaCommit} was false
     */
    void apply(CommitOutcome outcome) {
      RuntimeException rewrite = null;
      if (outcome != null) {
        record(outcome);
        for (String appId : outcome.missing()) {
          PartitionState st = byAppId.get(appId);
          rewrite = fail(st, "Committing " + st.tp + " to " + table.location(),
              new java.io.FileNotFoundException("a data file written for the commit is gone from storage"));
        }
      }
      if (failed != null) {
        throw failed;
      }
      if (rewrite != null) {
        throw rewrite;
      }
    }

    private void record(CommitOutcome outcome) {
      long rows = 0;
      long bytes = 0;
      long files = 0;
      for (PartitionCommit pc : commits) {
        if (outcome.committed().contains(pc.appId())) {
          for (WrittenFile f : pc.files()) {
            rows += f.records();
            bytes += f.sizeBytes();
            files++;
          }
        }
      }
      tableMetrics.committed(outcome.tableVersion(), rows, bytes, files, commitMs);
      for (String appId : outcome.committed()) {
        PartitionState st = byAppId.get(appId);
        st.committed = newVersions.get(appId);
        if (st.writer != null) {
          st.writer.committed();
        }
        st.resetPending();
        st.resolved();
      }
      for (Map.Entry<String, Long> e : outcome.fenced().entrySet()) {
        PartitionState st = byAppId.get(e.getKey());
        long found = e.getValue();
        if (found < st.committed) {
          throw new ConnectException("The txn version of " + st.appId + " in " + table.location() + " went back from "
              + st.committed + " to " + found + ": the table was replaced or its log rewritten. Stop the connector and "
              + "check the table before resuming.");
        }
        if (st.inDoubtVersions.contains(found)) {
          LOG.info("{}: an earlier commit attempt of this task whose outcome was unknown did land in {} (offsets up to "
              + "{}); resuming after it", st.tp, table.location(), found);
        } else {
          LOG.warn("{} was written to {} up to offset {} by another task while this one held rows up to {}; "
              + "dropping this task's copy and resuming after {}", st.tp, table.location(), found, st.lastOffset(), found);
        }
        st.abortWriter();
        st.resetPending();
        st.resolved();
        st.committed = found;
        consumer.rewind(st.tp, found + 1);
      }
    }
  }

  /** Offsets to commit to Kafka: next offset after the last one in the table, per owned partition. */
  void committedOffsets(Map<TopicPartition, Long> out) {
    for (PartitionState st : partitions.values()) {
      if (st.committed >= 0) {
        out.put(st.tp, st.committed + 1);
      }
    }
  }

  /** Gives up ownership of {@code tps}: their uncommitted files are deleted. */
  void close(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      PartitionState st = partitions.remove(tp);
      if (st != null) {
        release(st);
      }
    }
  }

  private void release(PartitionState st) {
    st.abortWriter();
    metrics.unregister(st.metrics);
  }

  /** Hands each owned partition's committed and last received offsets to its MBean. */
  void publishOffsets() {
    for (PartitionState st : partitions.values()) {
      st.metrics.offsets(st.committed, st.lastOffset());
    }
  }

  @Override
  public void close() {
    close(new ArrayList<>(partitions.keySet()));
    table.close();
  }

  private void useTable(TableState state) {
    if (!partitionColumns.isEmpty() && !partitionColumns.equals(state.partitionColumns())) {
      LOG.warn("Table {} is partitioned by {}; the configured partition columns {} only apply to new tables",
          table.location(), state.partitionColumns(), partitionColumns);
    }
    layout = new TableLayout(new Path(table.location()), state.schema(), state.partitionColumns());
  }

  private void createLayout(SinkRecord first) {
    Optional<TableState> state = table.state();
    if (state.isPresent()) {
      useTable(state.get());
      return;
    }
    ColumnType.Struct schema = converter.schemaFor(first).withNullableFieldsInCollections();
    List<String> partitionBy = partitionColumns.isEmpty() && schema.equals(BronzeRecordConverter.SCHEMA)
        ? List.of(BronzeRecordConverter.PARTITION_COLUMN) : partitionColumns;
    try {
      layout = new TableLayout(new Path(table.location()), schema, partitionBy);
    } catch (IllegalArgumentException e) {
      throw new ConnectException("Cannot create Delta table " + table.location() + ": " + e.getMessage(), e);
    }
  }
}
