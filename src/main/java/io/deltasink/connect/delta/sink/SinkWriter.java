package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.maintenance.TableMaintenance;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import io.deltasink.connect.delta.table.backend.DeltaTables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one sink task. Records flow one way: each is routed to its table's {@link
 * TableWriter} (which converts it and writes it into the partition's Parquet files), the {@link
 * FlushPolicy} says when to commit, the {@link Committer} makes one Delta commit per table, and
 * {@link #preCommit} reports only offsets whose rows a committed Delta version holds. Bad records
 * go to {@link BadRecords}; the consumer is steered only through {@link ConsumerControl}; the heap
 * of open files is bounded by {@link MemoryBudget}.
 */
public final class SinkWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkWriter.class);

  /** Opens the Delta table at a location; replaced in tests. */
  @FunctionalInterface
  public interface TableOpener extends TableWriters.TableOpener {}

  private final Time time;
  private final long commitBackoffMs;
  private final Configuration hadoopConf;
  private final ConsumerControl consumer;
  private final MemoryBudget memory;
  private final SinkMetrics metrics;
  private final PartitionGates gates;
  private final TableWriters tables;
  private final FlushPolicy flushPolicy;
  private final BadRecords badRecords;
  private final Committer committer;
  private final TableMaintenance maintenance;
  private final Map<TopicPartition, TableWriter> byPartition = new HashMap<>();

  /** Per partition with no table: the offset after the last bad record dealt with. */
  private final Map<TopicPartition, Long> unroutedDone = new HashMap<>();

  /**
   * {@link #put} threw something other than a {@link RetriableException}: the task fails, and
   * close() commits nothing, neither the failed batch's first records nor open files an {@link
   * Error} may have left half written.
   */
  private boolean broken;

  public SinkWriter(
      DeltaSinkConfig config, String connectorName, SinkTaskContext context, Time time) {
    this(config, connectorName, context, time, null);
  }

  // visible for testing
  SinkWriter(
      DeltaSinkConfig config,
      String connectorName,
      SinkTaskContext context,
      Time time,
      TableOpener opener) {
    this.time = time;
    this.commitBackoffMs = config.commitBackoffMs();
    this.consumer = new ConsumerControl(context);
    this.hadoopConf = HadoopConf.build(config.hadoopOverrides());
    this.metrics = new SinkMetrics(connectorName, config.taskId());
    this.gates = new PartitionGates(config, consumer, metrics.task());
    String applicationId = config.applicationId(connectorName);
    String engineInfo = "kafka-connect-delta/" + Version.get() + " connector/" + connectorName;
    DeltaTables deltaTables = new DeltaTables(config, hadoopConf, engineInfo, time::sleep);
    TableWriters.TableOpener open = opener != null ? opener : deltaTables::open;
    // The budget measures the tables' open files; the tables ask the budget before opening one.
    this.memory =
        new MemoryBudget(
            config.bufferMaxBytes(), consumer, time, this::tableWriters, this::maintenanceBytes);
    this.tables =
        new TableWriters(
            config, hadoopConf, applicationId, open, consumer, memory::mayOpen, metrics);
    this.flushPolicy =
        new FlushPolicy(
            config.flushRecords(),
            config.flushBytes(),
            config.flushIntervalMs(),
            config.flushIdleMs());
    this.badRecords =
        new BadRecords(config.toleratesErrors(), config.recordMaxBytes(), consumer, metrics.task());
    this.committer = new Committer("delta-commit-" + applicationId + "-" + config.taskId() + "-");
    this.maintenance =
        TableMaintenance.forTask(
            config, applicationId, memory::filesBytes, System::currentTimeMillis);
  }

  /**
   * See {@link org.apache.kafka.connect.sink.SinkTask#open}. A table whose log cannot be read now
   * (a transient storage error) does not fail the rebalance, which would fail the task for good:
   * its partitions are opened at their first record instead, where a storage error is retried.
   */
  public void open(Collection<TopicPartition> tps) {
    consumer.assigned(tps);
    memory.opened(tps);
    gates.assigned(tps);
    Map<TableWriter, List<TopicPartition>> grouped = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      try {
        grouped.computeIfAbsent(tables.forTopic(tp.topic()), k -> new ArrayList<>()).add(tp);
      } catch (DataException e) {
        // Its records fail one by one in put(), where errors.tolerance and the DLQ apply.
        LOG.warn("{}: {}", tp, e.getMessage());
      } catch (RetriableException e) {
        LOG.warn(
            "Could not read the table of {}; it is opened at its first record: {}",
            tp,
            e.getMessage());
      }
    }
    for (Map.Entry<TableWriter, List<TopicPartition>> e : grouped.entrySet()) {
      try {
        e.getKey().open(e.getValue());
      } catch (RetriableException ex) {
        LOG.warn(
            "Could not read table {} to open {}; they are opened at their first record: {}",
            e.getKey().location(),
            e.getValue(),
            ex.getMessage());
        continue;
      }
      for (TopicPartition tp : e.getValue()) {
        byPartition.put(tp, e.getKey());
      }
      gates.opened(e.getKey(), e.getValue());
    }
    gates.committed(byPartition, unroutedDone); // a run may have nothing to read
  }

  /**
   * See {@link org.apache.kafka.connect.sink.SinkTask#put}. A record that cannot be written goes to
   * {@link BadRecords} (the dead-letter queue with {@code errors.tolerance=all}, and its offset
   * counts as done), otherwise its {@link DataException} fails the task before anything of the
   * batch is committed.
   */
  public void put(Collection<SinkRecord> records) {
    consumer.delivery();
    try {
      write(gates.within(records));
    } catch (RetriableException e) {
      consumer.redeliveryNext();
      throw e; // Connect hands the batch over again; the task goes on
    } catch (RuntimeException | Error e) {
      broken = true; // the task fails: close() must not commit part of the failed batch
      throw e;
    }
  }

  private void write(Collection<SinkRecord> records) {
    long rowsBefore = tables.sum(TableWriter::rowsWritten);
    TopicPartition tp = null;
    for (SinkRecord r : records) {
      // Connect hands over runs of one partition: keep its TopicPartition instead of one per
      // record.
      if (tp == null
          || tp.partition() != r.originalKafkaPartition()
          || !tp.topic().equals(r.originalTopic())) {
        tp = Records.originalPartition(r);
      }
      long offset = r.originalKafkaOffset();
      TableWriter table = byPartition.get(tp);
      try {
        badRecords.checkSize(r);
        if (table == null) {
          Long done = unroutedDone.get(tp);
          if (done != null && offset < done) {
            continue;
          }
          table = tables.forTopic(tp.topic());
          table.open(List.of(tp)); // routed at its first record, or open() could not read the table
          byPartition.put(tp, table);
        }
        if (!table.put(r, tp, offset)) {
          memory.deferred(tp);
        }
      } catch (DataException e) {
        badRecords.handle(r, tp, offset, e);
        if (table != null) {
          table.markHandled(tp, offset);
        } else {
          unroutedDone.merge(tp, offset + 1, Math::max);
        }
      }
    }
    if (records.isEmpty()) {
      gates.committed(byPartition, unroutedDone); // a run's partitions may be idle at their end
    }
    long now = time.milliseconds();
    flushPolicy.holding(tables.anyPending(), now);
    // Once per batch each: they walk every owned partition.
    long buffered = bufferedRecords();
    long bufferedBytes = tables.sum(TableWriter::bufferedBytes);
    if (flushPolicy.idle(records.isEmpty())
        || flushPolicy.due(buffered, bufferedBytes, now)
        || memory.waiting() && tables.sum(TableWriter::rowsWritten) == rowsBefore
        || !memory.relieve()
        || gates.reachedEnds(byPartition)) {
      // Also when paused partitions wait for memory and the others brought nothing to write, or
      // when
      // closing files early cannot bring the open ones under the budget.
      flush();
    } else {
      publishMetrics(
          buffered, bufferedBytes, memory.lastUsedBytes()); // relieve() has just measured it
      // SinkTaskContext.timeout caps the consumer's next poll, after which WorkerSinkTask calls
      // put()
      // (with an empty batch when the poll brought nothing): without it a quiet topic's last rows
      // would
      // wait for the worker's next offset commit (offset.flush.interval.ms, 60 s by default).
      long wait = flushPolicy.nextCallInMs(now);
      if (wait > 0) {
        consumer.timeout(wait);
      }
    }
  }

  private Collection<TableWriter> tableWriters() {
    return tables.all();
  }

  /** Hands the buffered figures and per-partition offsets to the JMX MBeans (once per batch). */
  private void publishMetrics(long buffered, long bufferedBytes, long heapBytes) {
    for (TableWriter t : tables.all()) {
      t.publishOffsets();
    }
    metrics.task().buffered(buffered, bufferedBytes, heapBytes, memory.pausedCount());
  }

  /**
   * Heap held by this task's open Parquet files (bytes), the figure {@code delta.buffer.max.bytes}
   * bounds.
   */
  long memoryBytes() {
    return memory.usedBytes();
  }

  long bufferedRecords() {
    return tables.sum(TableWriter::bufferedRecords);
  }

  /**
   * Offsets for Connect to commit to Kafka: for each owned partition, the offset after the last one
   * a committed Delta version holds. Flushes first when a flush is due.
   */
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> current) {
    long now = time.milliseconds();
    flushPolicy.holding(tables.anyPending(), now);
    if (flushPolicy.due(bufferedRecords(), tables.sum(TableWriter::bufferedBytes), now)) {
      try {
        flush();
      } catch (RetriableException e) {
        // The rows stay buffered and the next put() or preCommit() retries; report what is durable.
        LOG.warn("Delta commit failed, will retry: {}", e.getMessage());
      }
    }
    badRecords.awaitReported();
    Map<TopicPartition, Long> committed = new HashMap<>(unroutedDone);
    for (TableWriter t : tables.all()) {
      t.committedOffsets(committed);
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
      out.put(e.getKey(), new OffsetAndMetadata(e.getValue()));
    }
    return out;
  }

  private long maintenanceBytes() {
    return maintenance == null ? 0 : maintenance.memoryBytes();
  }

  /** Commits every table that has buffered rows; one Delta commit per table. */
  public void flush() {
    long start = time.milliseconds();
    long records = bufferedRecords();
    // A bad record's offset is recorded as done in the Delta txn: it must be in the DLQ first.
    badRecords.awaitReported();
    try {
      commit(tables.all());
    } catch (RetriableException e) {
      consumer.timeout(commitBackoffMs);
      throw e;
    } finally {
      flushPolicy.committed(tables.anyPending(), time.milliseconds());
    }
    memory.committed();
    gates.committed(byPartition, unroutedDone);
    tables.all().forEach(t -> maintenance.afterCommit(t.maintenanceWork()));
    publishMetrics(bufferedRecords(), tables.sum(TableWriter::bufferedBytes), memory.usedBytes());
    LOG.debug(
        "Flushed {} records to {} tables in {} ms",
        records,
        tables.size(),
        time.milliseconds() - start);
  }

  /** Closes each table's Parquet files on this thread, then commits them ({@link Committer}). */
  private void commit(Collection<TableWriter> writers) {
    List<TableCommit> prepared = new ArrayList<>(writers.size());
    for (TableWriter t : writers) {
      prepared.add(t.prepareCommit());
    }
    committer.commit(prepared);
  }

  /**
   * See {@link org.apache.kafka.connect.sink.SinkTask#close}: first commits the tables that hold
   * rows of these partitions, so that a rebalance or a stop hands over the work done instead of
   * having the next owner read it again; then gives the partitions up. When that commit fails the
   * rows are dropped (the next owner resumes after the table's txn version, so nothing is lost). No
   * commit once {@link #put} has failed the task (anything but a {@link RetriableException}):
   * nothing of the failed batch is committed, and an {@link Error} may have left files half
   * written.
   */
  public void close(Collection<TopicPartition> tps) {
    Map<TableWriter, List<TopicPartition>> grouped = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      TableWriter t = byPartition.remove(tp);
      if (t != null) {
        grouped.computeIfAbsent(t, k -> new ArrayList<>()).add(tp);
      }
    }
    // From here on nothing is asked of Connect for these partitions (a rewind or pause of a
    // partition
    // the consumer is handing back fails the task).
    memory.forget(tps);
    consumer.revoked(tps);
    gates.closed(tps);
    if (!grouped.isEmpty() && !broken) {
      commitBeforeClose(grouped);
    }
    grouped.forEach(TableWriter::close);
    tps.forEach(unroutedDone::remove);
    if (!tables.anyPending()) {
      flushPolicy.committed(false, time.milliseconds());
    }
  }

  private void commitBeforeClose(Map<TableWriter, List<TopicPartition>> closing) {
    long start = time.milliseconds();
    long records = 0;
    try {
      badRecords.awaitReported();
      List<TableWriter> writers = new ArrayList<>();
      for (Map.Entry<TableWriter, List<TopicPartition>> e : closing.entrySet()) {
        TableWriter t = e.getKey();
        if (t.hasPending(e.getValue())) {
          records += t.bufferedRecords();
          writers.add(t);
        }
      }
      commit(writers);
    } catch (RuntimeException e) {
      LOG.warn(
          "Committing the rows of {} before giving them up failed; their next owner reads them again: {}",
          closing.values(),
          e.getMessage());
      return;
    }
    // Partitions paused for memory resume at the next flush, which commits every table.
    if (records > 0) {
      LOG.info(
          "Committed {} buffered records before closing {} in {} ms",
          records,
          closing.values(),
          time.milliseconds() - start);
    }
  }

  @Override
  public void close() {
    committer.close();
    maintenance.close();
    tables.close();
    gates.close();
    byPartition.clear();
    metrics.close();
    HadoopConf.close(hadoopConf);
  }
}
