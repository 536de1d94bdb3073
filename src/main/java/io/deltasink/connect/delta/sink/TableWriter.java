package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.convert.BronzeRecordConverter;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.delta.CommitOutcome;
import io.deltasink.connect.delta.delta.DeltaTable;
import io.deltasink.connect.delta.delta.PartitionCommit;
import io.deltasink.connect.delta.delta.TableState;
import io.deltasink.connect.delta.delta.TxnAppIds;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.writer.TableLayout;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WriterSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one task writes into one Delta table: the Kafka partitions routed to it, their
 * uncommitted files, and the last offset of each that the table holds.
 *
 * <p>Exactly once: the table's {@code txn} version for a partition is the last offset it holds.
 * {@link #open} rewinds the consumer to just after it; {@link #put} skips every record at or below it
 * (and below what is already buffered, for batches Connect redelivers after a retriable error);
 * {@link #commit} adds files and the new version atomically, and drops a partition that another
 * owner advanced in the meantime (fencing) instead of writing its rows twice.
 */
final class TableWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableWriter.class);

  private final DeltaTable table;
  private final Configuration conf;
  private final RecordConverter converter;
  private final WriterSettings settings;
  private final List<String> partitionColumns;
  private final String applicationId;
  private final SinkTaskContext context;
  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private TableLayout layout;

  private static final class PartitionState {
    final TopicPartition tp;
    final String appId;
    long committed = -1;
    TopicPartitionWriter writer;

    PartitionState(TopicPartition tp, String appId) {
      this.tp = tp;
      this.appId = appId;
    }

    long lastOffset() {
      return writer == null || writer.lastOffset() < 0 ? committed : writer.lastOffset();
    }

    long bufferedRecords() {
      return writer == null ? 0 : writer.records();
    }
  }

  TableWriter(DeltaTable table, Configuration conf, RecordConverter converter, WriterSettings settings,
      List<String> partitionColumns, String applicationId, SinkTaskContext context) {
    this.table = table;
    this.conf = conf;
    this.converter = converter;
    this.settings = settings;
    this.partitionColumns = List.copyOf(partitionColumns);
    this.applicationId = applicationId;
    this.context = context;
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
      if (old != null && old.writer != null) {
        old.writer.abort();
      }
      PartitionState st = new PartitionState(e.getValue(), e.getKey());
      st.committed = versions.get(e.getKey());
      partitions.put(e.getValue(), st);
      if (st.committed >= 0) {
        context.offset(e.getValue(), st.committed + 1);
      }
      LOG.info("Opened {} for table {}: committed offset {}{}", e.getValue(), table.location(),
          st.committed, st.committed >= 0 ? ", resuming at " + (st.committed + 1) : ", resuming at the consumer group offset");
    }
  }

  /**
   * Buffers one record of partition {@code tp} at {@code offset} (its original Kafka coordinates).
   *
   * @throws DataException naming topic, partition, offset and field when the record cannot be written
   */
  void put(SinkRecord record, TopicPartition tp, long offset) {
    PartitionState st = partitions.get(tp);
    if (st == null) {
      open(List.of(tp));
      st = partitions.get(tp);
    }
    if (offset <= st.lastOffset()) {
      return;
    }
    Object[] row;
    try {
      if (layout == null) {
        createLayout(record);
      }
      row = converter.toRow(record, layout.schema());
    } catch (DataException e) {
      throw new DataException(Records.describe(tp, offset) + ": " + e.getMessage(), e);
    }
    try {
      if (st.writer == null) {
        st.writer = new TopicPartitionWriter(conf, layout, settings, "part-" + tp.topic() + "-" + tp.partition());
      }
      st.writer.write(row, offset);
    } catch (IOException e) {
      throw new ConnectException("Writing a Parquet file for " + Records.describe(tp, offset) + " into "
          + table.location() + " failed: " + e.getMessage(), e);
    }
  }

  long bufferedRecords() {
    long n = 0;
    for (PartitionState st : partitions.values()) {
      n += st.bufferedRecords();
    }
    return n;
  }

  long bufferedBytes() {
    long n = 0;
    for (PartitionState st : partitions.values()) {
      if (st.writer != null) {
        n += st.writer.bytes();
      }
    }
    return n;
  }

  /**
   * Commits every buffered partition in one Delta version.
   *
   * @throws RetriableException when the commit did not go through; the buffers stay, and the
   *     next call commits them (the log decides what already landed)
   */
  void commit() {
    List<PartitionCommit> commits = new ArrayList<>();
    Map<String, PartitionState> byAppId = new HashMap<>();
    for (PartitionState st : partitions.values()) {
      if (st.bufferedRecords() == 0) {
        continue;
      }
      try {
        commits.add(new PartitionCommit(st.appId, st.committed, st.writer.lastOffset(), st.writer.finishFiles()));
      } catch (IOException e) {
        throw new RetriableException("Closing Parquet files of " + st.tp + " in " + table.location() + " failed: "
            + e.getMessage(), e);
      }
      byAppId.put(st.appId, st);
    }
    if (commits.isEmpty()) {
      return;
    }
    CommitOutcome outcome = table.commit(layout.schema(), layout.partitionColumns(), commits);
    for (String appId : outcome.committed()) {
      PartitionState st = byAppId.get(appId);
      st.committed = st.writer.lastOffset();
      st.writer.committed();
    }
    for (Map.Entry<String, Long> e : outcome.fenced().entrySet()) {
      PartitionState st = byAppId.get(e.getKey());
      long found = e.getValue();
      if (found < st.committed) {
        throw new ConnectException("The txn version of " + st.appId + " in " + table.location() + " went back from "
            + st.committed + " to " + found + ": the table was replaced or its log rewritten. Stop the connector and "
            + "check the table before resuming.");
      }
      LOG.warn("{} was written to {} up to offset {} by another task while this one held rows up to {}; "
          + "dropping this task's copy and resuming after {}", st.tp, table.location(), found, st.writer.lastOffset(), found);
      st.writer.abort();
      st.committed = found;
      context.offset(st.tp, found + 1);
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
      if (st != null && st.writer != null) {
        st.writer.abort();
      }
    }
  }

  boolean owns(TopicPartition tp) {
    return partitions.containsKey(tp);
  }

  boolean isEmpty() {
    return partitions.isEmpty();
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
