package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.config.TableRoutes;
import io.deltasink.connect.delta.config.TableSpec;
import io.deltasink.connect.delta.convert.AutoRecordConverter;
import io.deltasink.connect.delta.convert.BronzeRecordConverter;
import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.mapping.KustoJsonConverter;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;
import io.deltasink.connect.delta.convert.StructRecordConverter;
import io.deltasink.connect.delta.delta.CommitNotLandedException;
import io.deltasink.connect.delta.delta.CommitOutcome;
import io.deltasink.connect.delta.delta.DeltaTable;
import io.deltasink.connect.delta.delta.StandaloneDeltaTable;
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
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one sink task: routes records to their table, decides when to flush (records,
 * bytes or time since the first uncommitted record; the first reached wins), commits each table
 * once per flush, and reports only offsets whose rows a committed Delta version holds.
 */
public final class SinkWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkWriter.class);

  /** Opens the Delta table at a location; replaced in tests. */
  @FunctionalInterface
  public interface TableOpener {
    DeltaTable open(String location, String tableName);
  }

  private final DeltaSinkConfig config;
  private final Time time;
  private final Configuration hadoopConf;
  private final String applicationId;
  private final TableOpener opener;
  private final TableRoutes routes;
  private final Map<String, TableWriter> tables = new LinkedHashMap<>();
  private final Map<TopicPartition, TableWriter> byPartition = new HashMap<>();
  private final Map<TopicPartition, Long> unroutedDone = new HashMap<>();
  private final List<Future<Void>> reported = new ArrayList<>();
  private final ConsumerControl consumer;
  private long firstBufferedMs = -1;
  /**
   * {@link #put} threw something other than a {@link RetriableException}: the task fails, and close()
   * commits nothing, neither the failed batch's first records nor open files an {@link Error} may have
   * left half written.
   */
  private boolean broken;
  /** {@code delta.record.max.bytes}, read once: it is checked for every record. */
  private final long recordMaxBytes;
  private final MemoryBudget memory;
  private final SinkMetrics metrics;
  /** Delta commits of different tables that run at once, per task. */
  static final int MAX_COMMIT_THREADS = 8;
  private ExecutorService commitPool;

  public SinkWriter(DeltaSinkConfig config, String connectorName, SinkTaskContext context, Time time) {
    this(config, connectorName, context, time, null);
  }

  // visible for testing
  SinkWriter(DeltaSinkConfig config, String connectorName, SinkTaskContext context, Time time, TableOpener opener) {
    this.config = config;
    this.consumer = new ConsumerControl(context);
    this.time = time;
    this.hadoopConf = HadoopConf.build(config.hadoopOverrides());
    this.applicationId = config.applicationId(connectorName);
    this.recordMaxBytes = config.recordMaxBytes();
    this.memory = new MemoryBudget(config.bufferMaxBytes(), consumer, time, tables::values);
    this.metrics = new SinkMetrics(connectorName, config.taskId());
    this.routes = config.routes();
    String engineInfo = "kafka-connect-delta/" + Version.get() + " connector/" + connectorName;
    this.opener = opener != null ? opener
        : (location, name) -> new StandaloneDeltaTable(location, hadoopConf, name, engineInfo,
            config.commitAttempts(), config.commitBackoffMs(), time::sleep);
  }

  /**
   * See {@link org.apache.kafka.connect.sink.SinkTask#open}. A table whose log cannot be read now
   * (a transient storage error) does not fail the rebalance, which would fail the task for good:
   * its partitions are opened at their first record instead, where a storage error is retried.
   */
  public void open(Collection<TopicPartition> tps) {
    consumer.assigned(tps);
    memory.opened(tps);
    Map<TableWriter, List<TopicPartition>> grouped = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      TableWriter table;
      try {
        table = tableFor(tp.topic());
      } catch (DataException e) {
        // Its records fail one by one in put(), where errors.tolerance and the DLQ apply.
        LOG.warn("{}: {}", tp, e.getMessage());
        continue;
      } catch (RetriableException e) {
        LOG.warn("Could not read the table of {}; it is opened at its first record: {}", tp, e.getMessage());
        continue;
      }
      grouped.computeIfAbsent(table, k -> new ArrayList<>()).add(tp);
    }
    for (Map.Entry<TableWriter, List<TopicPartition>> e : grouped.entrySet()) {
      try {
        e.getKey().open(e.getValue());
      } catch (RetriableException ex) {
        LOG.warn("Could not read table {} to open {}; they are opened at their first record: {}", e.getKey().location(),
            e.getValue(), ex.getMessage());
        continue;
      }
      for (TopicPartition tp : e.getValue()) {
        byPartition.put(tp, e.getKey());
      }
    }
  }

  /**
   * See {@link org.apache.kafka.connect.sink.SinkTask#put}. A record that cannot be written goes to
   * the {@link ErrantRecordReporter} when {@code errors.tolerance=all} (and counts as done for its
   * partition), otherwise its {@link DataException} fails the task before anything of the batch is
   * committed.
   */
  public void put(Collection<SinkRecord> records) {
    consumer.delivery();
    try {
      write(records);
    } catch (RetriableException e) {
      consumer.redeliveryNext();
      throw e;  // Connect hands the batch over again; the task goes on
    } catch (RuntimeException | Error e) {
      broken = true;  // the task fails: close() must not commit part of the failed batch
      throw e;
    }
  }

  private void write(Collection<SinkRecord> records) {
    long rowsBefore = rowsWritten();
    TopicPartition tp = null;
    for (SinkRecord r : records) {
      // Connect hands over runs of one partition: keep its TopicPartition instead of one per record.
      if (tp == null || tp.partition() != r.originalKafkaPartition() || !tp.topic().equals(r.originalTopic())) {
        tp = Records.originalPartition(r);
      }
      long offset = r.originalKafkaOffset();
      TableWriter table = byPartition.get(tp);
      try {
        checkSize(r);
        if (table == null) {
          Long done = unroutedDone.get(tp);
          if (done != null && offset < done) {
            continue;
          }
          table = tableFor(tp.topic());
          table.open(List.of(tp));  // routed at its first record, or open() could not read the table
          byPartition.put(tp, table);
        }
        if (!table.put(r, tp, offset)) {
          memory.deferred(tp);
        }
      } catch (DataException e) {
        badRecord(r, tp, offset, table, e);
      }
    }
    if (firstBufferedMs < 0 && hasPending()) {
      firstBufferedMs = time.milliseconds();
    }
    // Once per batch each: they walk every owned partition.
    long buffered = bufferedRecords();
    long bufferedBytes = bufferedBytes();
    boolean idleCommit = records.isEmpty() && idleCommitAllowed();
    if (idleCommit || flushDue(buffered, bufferedBytes) || memory.waiting() && rowsWritten() == rowsBefore
        || !memory.relieve()) {
      // Also when paused partitions wait for memory and the others brought nothing to write, or when
      // closing files early cannot bring the open ones under the budget.
      flush();
    } else {
      publishMetrics(buffered, bufferedBytes, memory.lastUsedBytes());  // relieve() has just measured it
      requestCall();
    }
  }

  /** Whether an empty poll commits what the task holds ({@code delta.flush.idle.ms}). */
  private boolean idleCommitAllowed() {
    return firstBufferedMs >= 0 && config.flushIdleMs() > 0;
  }

  /**
   * Asks Connect to call {@link #put} again by the time {@code delta.flush.interval.ms} has passed
   * since the first uncommitted record, or after {@code delta.flush.idle.ms} when idle commits are on,
   * even if no record arrives: {@link SinkTaskContext#timeout} caps
   * the consumer's next poll, after which {@code WorkerSinkTask} calls {@code put} (with an empty
   * batch when the poll brought nothing). Without it a quiet topic's last rows would wait for the
   * worker's next offset commit ({@code offset.flush.interval.ms}, 60 s by default).
   */
  private void requestCall() {
    if (firstBufferedMs >= 0) {
      long wait = Math.max(1, firstBufferedMs + config.flushIntervalMs() - time.milliseconds());
      consumer.timeout(idleCommitAllowed() ? Math.min(wait, config.flushIdleMs()) : wait);
    }
  }

  /** Hands the buffered figures and per-partition offsets to the JMX MBeans (once per batch). */
  private void publishMetrics(long buffered, long bufferedBytes, long heapBytes) {
    for (TableWriter t : tables.values()) {
      t.publishOffsets();
    }
    metrics.task().buffered(buffered, bufferedBytes, heapBytes, memory.pausedCount());
  }

  private long sumOverTables(ToLongFunction<TableWriter> f) {
    long n = 0;
    for (TableWriter t : tables.values()) {
      n += f.applyAsLong(t);
    }
    return n;
  }

  private long rowsWritten() {
    return sumOverTables(TableWriter::rowsWritten);
  }

  /** Uncommitted Parquet bytes of every table. */
  private long bufferedBytes() {
    return sumOverTables(TableWriter::bufferedBytes);
  }

  /** Heap held by this task's open Parquet files (bytes), the figure {@code delta.buffer.max.bytes} bounds. */
  long memoryBytes() {
    return memory.usedBytes();
  }

  private void checkSize(SinkRecord r) {
    long key = size(r.key());
    long value = size(r.value());
    if (Math.max(key, value) > recordMaxBytes) {
      throw new DataException("the record's " + (value >= key ? "value" : "key") + " has " + Math.max(key, value)
          + " bytes, more than " + DeltaSinkConfig.RECORD_MAX_BYTES_CONFIG + "=" + recordMaxBytes);
    }
  }

  private long size(Object v) {
    if (v instanceof byte[] b) {
      return b.length;
    }
    if (v instanceof String s) {
      // A char is at most 3 UTF-8 bytes: count exactly only when that bound is over the limit.
      return (long) s.length() * 3 <= recordMaxBytes ? s.length() : s.getBytes(StandardCharsets.UTF_8).length;
    }
    return 0;
  }

  private void badRecord(SinkRecord r, TopicPartition tp, long offset, TableWriter table, DataException e) {
    String where = Records.describe(tp, offset);
    DataException located = e.getMessage() != null && e.getMessage().startsWith(where) ? e
        : new DataException(where + ": " + e.getMessage(), e);
    if (!config.toleratesErrors()) {
      throw located;
    }
    ErrantRecordReporter dlq = consumer.reporter();
    if (dlq != null) {
      LOG.warn("Bad record sent to the error handler (errors.tolerance=all): {}", located.getMessage());
      reported.add(dlq.report(r, located));
    } else {
      // As Connect does for its own conversion errors with errors.tolerance=all and no dead-letter topic.
      LOG.warn("Bad record skipped (errors.tolerance=all, no dead-letter topic configured): {}", located.getMessage());
    }
    metrics.task().deadLettered();
    if (table != null) {
      table.markHandled(tp, offset);
    } else {
      unroutedDone.merge(tp, offset + 1, Math::max);
    }
  }

  /** Waits until every bad record reported so far is in the dead-letter queue. */
  private void awaitReported() {
    for (Future<Void> f : reported) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RetriableException("interrupted while waiting for the dead-letter queue", e);
      } catch (ExecutionException e) {
        throw new ConnectException("Writing a bad record to the dead-letter queue failed: " + e.getCause(), e.getCause());
      }
    }
    reported.clear();
  }

  private boolean hasPending() {
    for (TableWriter t : tables.values()) {
      if (t.hasPending()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Offsets for Connect to commit to Kafka: for each owned partition, the offset after the last
   * one a committed Delta version holds. Flushes first when the flush interval has passed.
   */
  public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> current) {
    if (flushDue(bufferedRecords(), bufferedBytes())) {
      try {
        flush();
      } catch (RetriableException e) {
        // The rows stay buffered and the next put() or preCommit() retries; report what is durable.
        LOG.warn("Delta commit failed, will retry: {}", e.getMessage());
      }
    }
    awaitReported();
    Map<TopicPartition, Long> committed = new HashMap<>(unroutedDone);
    for (TableWriter t : tables.values()) {
      t.committedOffsets(committed);
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
      out.put(e.getKey(), new OffsetAndMetadata(e.getValue()));
    }
    return out;
  }

  long bufferedRecords() {
    return sumOverTables(TableWriter::bufferedRecords);
  }

  /**
   * @param buffered the records the task holds, {@link #bufferedRecords()}
   * @param bufferedBytes its uncommitted Parquet bytes, {@link #bufferedBytes()}
   */
  private boolean flushDue(long buffered, long bufferedBytes) {
    if (firstBufferedMs < 0 && hasPending()) {
      firstBufferedMs = time.milliseconds();
    }
    if (firstBufferedMs < 0) {
      return false;
    }
    if (time.milliseconds() - firstBufferedMs >= config.flushIntervalMs()) {
      return true;
    }
    return buffered >= config.flushRecords() || bufferedBytes >= config.flushBytes();
  }

  /** Commits every table that has buffered rows; one Delta commit per table. */
  public void flush() {
    long start = time.milliseconds();
    long records = bufferedRecords();
    // A bad record's offset is recorded as done in the Delta txn: it must be in the DLQ first.
    awaitReported();
    try {
      commitTables(tables.values());
    } catch (RetriableException e) {
      consumer.timeout(config.commitBackoffMs());
      throw e;
    } finally {
      firstBufferedMs = hasPending() ? time.milliseconds() : -1;
    }
    memory.committed();
    publishMetrics(bufferedRecords(), bufferedBytes(), memory.usedBytes());
    LOG.debug("Flushed {} records to {} tables in {} ms", records, tables.size(), time.milliseconds() - start);
  }

  /**
   * See {@link org.apache.kafka.connect.sink.SinkTask#close}: first commits the tables that hold
   * rows of these partitions, so that a rebalance or a stop hands over the work done instead of
   * having the next owner read it again; then gives the partitions up. When that commit fails the
   * rows are dropped (the next owner resumes after the table's txn version, so nothing is lost).
   * No commit once {@link #put} has failed the task (anything but a {@link RetriableException}):
   * nothing of the failed batch is committed, and an {@link Error} may have left files half written.
   */
  public void close(Collection<TopicPartition> tps) {
    Map<TableWriter, List<TopicPartition>> grouped = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      TableWriter t = byPartition.remove(tp);
      if (t != null) {
        grouped.computeIfAbsent(t, k -> new ArrayList<>()).add(tp);
      }
    }
    // From here on nothing is asked of Connect for these partitions (a rewind or pause of a partition
    // the consumer is handing back fails the task).
    memory.forget(tps);
    consumer.revoked(tps);
    if (!grouped.isEmpty() && !broken) {
      commitBeforeClose(grouped);
    }
    grouped.forEach(TableWriter::close);
    tps.forEach(unroutedDone::remove);
    if (!hasPending()) {
      firstBufferedMs = -1;
    }
  }

  private void commitBeforeClose(Map<TableWriter, List<TopicPartition>> closing) {
    long start = time.milliseconds();
    long records = 0;
    try {
      awaitReported();
      List<TableWriter> writers = new ArrayList<>();
      for (Map.Entry<TableWriter, List<TopicPartition>> e : closing.entrySet()) {
        TableWriter t = e.getKey();
        if (t.hasPending(e.getValue())) {
          records += t.bufferedRecords();
          writers.add(t);
        }
      }
      commitTables(writers);
    } catch (RuntimeException e) {
      LOG.warn("Committing the rows of {} before giving them up failed; their next owner reads them again: {}",
          closing.values(), e.getMessage());
      return;
    }
    // Partitions paused for memory resume at the next flush, which commits every table.
    if (records > 0) {
      LOG.info("Committed {} buffered records before closing {} in {} ms", records, closing.values(),
          time.milliseconds() - start);
    }
  }

  /**
   * One Delta commit per table. With several tables to commit, their Delta commits (the log reads
   * and writes, the slow part on remote storage) run at once on the task's commit threads, at most
   * {@value #MAX_COMMIT_THREADS}; closing the Parquet files and recording each outcome stay on the
   * task thread. Every table's outcome is recorded before anything is thrown: then an {@link Error}
   * first, a fatal exception next, a {@link RetriableException} last.
   */
  private void commitTables(Collection<TableWriter> writers) {
    List<TableWriter.Prepared> prepared = new ArrayList<>();
    for (TableWriter t : writers) {
      prepared.add(t.prepareCommit());
    }
    Map<TableWriter.Prepared, Future<CommitOutcome>> running = new HashMap<>();
    if (prepared.stream().filter(TableWriter.Prepared::needsDeltaCommit).count() > 1) {
      for (TableWriter.Prepared p : prepared) {
        if (p.needsDeltaCommit()) {
          running.put(p, commitPool().submit(p::commitToDelta));
        }
      }
    }
    Throwable first = null;
    for (TableWriter.Prepared p : prepared) {
      try {
        CommitOutcome outcome;
        try {
          Future<CommitOutcome> f = running.get(p);
          outcome = f != null ? await(f, p) : p.needsDeltaCommit() ? p.commitToDelta() : null;
        } catch (RuntimeException | Error e) {
          if (!(e instanceof CommitNotLandedException)) {
            p.outcomeUnknown();
          }
          throw e;
        }
        p.apply(outcome);
      } catch (RuntimeException | Error e) {
        if (first == null || severity(e) > severity(first)) {
          first = e;
        }
      }
    }
    if (first instanceof Error e) {
      throw e;
    }
    if (first != null) {
      throw (RuntimeException) first;
    }
  }

  private static int severity(Throwable t) {
    return t instanceof Error ? 2 : t instanceof RetriableException ? 0 : 1;
  }

  /**
   * Waits for a commit running on a commit thread. An interrupt does not end the wait: a commit
   * left running could land after this task gave up its files, so the wait ends with the commit
   * (bounded by {@code delta.commit.max.attempts}) and the interrupt is restored afterwards.
   */
  private static CommitOutcome await(Future<CommitOutcome> f, TableWriter.Prepared p) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new ConnectException("Delta commit of " + p.location() + " failed: " + e.getCause(), e.getCause());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The task's commit threads: made on first use, in the task's class loader, gone after 60 s idle. */
  private ExecutorService commitPool() {
    if (commitPool == null) {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      AtomicInteger n = new AtomicInteger();
      String prefix = "delta-commit-" + applicationId + "-" + config.taskId() + "-";
      ThreadPoolExecutor pool = new ThreadPoolExecutor(MAX_COMMIT_THREADS, MAX_COMMIT_THREADS, 60, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(loader);
            return t;
          });
      pool.allowCoreThreadTimeOut(true);
      commitPool = pool;
    }
    return commitPool;
  }

  @Override
  public void close() {
    if (commitPool != null) {
      commitPool.shutdown();
    }
    for (TableWriter t : tables.values()) {
      Utils.closeQuietly(t, "table writer for " + t.location());
    }
    tables.clear();
    byPartition.clear();
    metrics.close();
    HadoopConf.close(hadoopConf);
  }

  /**
   * The writer of the table {@code topic} routes to.
   *
   * @throws DataException when the topic has no route (or its name cannot be a table name)
   */
  private TableWriter tableFor(String topic) {
    TableSpec spec;
    try {
      spec = routes.route(topic);
    } catch (IllegalArgumentException e) {
      throw new DataException(e.getMessage(), e);
    }
    return tables.computeIfAbsent(spec.location(), loc -> new TableWriter(opener.open(loc, spec.name()), hadoopConf,
        converter(spec), config.writerSettings(), spec.partitionColumns(), applicationId, consumer, config.tombstonePolicy(),
        memory::mayOpen, metrics));
  }

  private RecordConverter converter(TableSpec spec) {
    KafkaColumns kafka = config.kafkaColumns();
    return switch (spec.format()) {
      case STRUCT -> new StructRecordConverter(kafka);
      case JSON -> new KustoJsonConverter(spec.mapping(), kafka, config.jsonMaxNestingDepth());
      case BRONZE -> new BronzeRecordConverter(Clock.systemUTC());
      case AUTO -> spec.mapping() != null ? new KustoJsonConverter(spec.mapping(), kafka, config.jsonMaxNestingDepth())
          : new AutoRecordConverter(new StructRecordConverter(kafka), new BronzeRecordConverter(Clock.systemUTC()));
    };
  }
}
