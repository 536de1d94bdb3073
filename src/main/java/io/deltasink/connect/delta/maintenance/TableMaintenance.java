package io.deltasink.connect.delta.maintenance;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.table.BackgroundThread;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.writer.FileCompactor;
import io.deltasink.connect.delta.writer.WriterSettings;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's table maintenance, off the commit path: after a table's commit, one background thread
 * compacts its small files ({@link Compaction}) and, at most once per {@link #ORPHAN_CHECK_MS},
 * deletes the data files no version references ({@link OrphanFiles}). A table with a run in flight
 * is skipped until its next commit, so work never piles up; a run holds {@link #memoryBytes} of the
 * task's memory budget ({@code delta.buffer.max.bytes}) and starts only when that fits. Failures
 * are logged and retried at a later commit: maintenance never fails the task.
 */
public final class TableMaintenance implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

  /** How often one table's directories are listed for orphan files (ms). */
  public static final long ORPHAN_CHECK_MS = TimeUnit.HOURS.toMillis(1);

  /**
   * How old an uncommitted data file must be before it is deleted as an orphan (ms): far beyond any
   * flush, commit and its retries, and beyond clock differences between workers.
   */
  public static final long ORPHAN_MIN_AGE_MS = TimeUnit.HOURS.toMillis(1);

  /**
   * What a table allows now.
   *
   * @param owners file name prefix ({@code part-<topic>-<partition>-}) of each partition the task
   *     owns: their small files may be compacted
   * @param settled prefixes of owned partitions that this task committed since it took them and
   *     that hold nothing uncommitted now: their orphan files may be deleted
   */
  public record Work(
      TableLog table,
      Configuration conf,
      WriterSettings settings,
      Map<String, TopicPartition> owners,
      Set<String> settled) {}

  /**
   * The maintenance of one task of a connector configured as {@code config}.
   *
   * @param clockMs wall-clock time (ms since the epoch): file ages are compared with storage's
   *     modification times
   */
  public static TableMaintenance forTask(
      DeltaSinkConfig config, String applicationId, LongSupplier filesBytes, LongSupplier clockMs) {
    return new TableMaintenance(
        "delta-maintenance-" + applicationId + "-" + config.taskId(),
        config.compactionEnabled(),
        config.compactionMinFiles(),
        config.compactionMaxBytesPerRun(),
        config.bufferMaxBytes(),
        filesBytes,
        clockMs);
  }

  /**
   * @param compaction whether to compact ({@code delta.compaction.enabled})
   * @param minFiles {@code delta.compaction.min.files}
   * @param maxBytesPerRun {@code delta.compaction.max.bytes.per.run} (bytes)
   * @param memoryBudget {@code delta.buffer.max.bytes}
   * @param memoryInUse heap the task's open files hold now (bytes)
   */
  public TableMaintenance(
      String threadName,
      boolean compaction,
      int minFiles,
      long maxBytesPerRun,
      long memoryBudget,
      LongSupplier memoryInUse,
      LongSupplier clockMs) {
    this.compaction = compaction;
    this.minFiles = minFiles;
    this.maxBytesPerRun = maxBytesPerRun;
    this.memoryBudget = memoryBudget;
    this.memoryInUse = memoryInUse;
    this.clockMs = clockMs;
    this.executor = BackgroundThread.create(threadName, 60);
  }

  private final boolean compaction;
  private final int minFiles;
  private final long maxBytesPerRun;
  private final long memoryBudget;
  private final LongSupplier memoryInUse;
  private final LongSupplier clockMs;
  private final ExecutorService executor;
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> lastOrphanCheck = new ConcurrentHashMap<>();
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicLong filesCompacted = new AtomicLong();
  private final AtomicLong orphansDeleted = new AtomicLong();

  /**
   * The row group a compaction buffers (bytes): the sink's own row group size, at most an eighth of
   * the budget.
   */
  private long rowGroupBytes(WriterSettings settings) {
    return Math.max(1 << 20, Math.min(settings.rowGroupBytes(), memoryBudget / 8));
  }

  /** Heap a run in flight holds (bytes): its output's row group and an input's, as reserved. */
  public long memoryBytes() {
    return reserved.get();
  }

  /** Small files replaced by compactions so far. */
  public long filesCompacted() {
    return filesCompacted.get();
  }

  /** Orphan data files deleted so far. */
  public long orphansDeleted() {
    return orphansDeleted.get();
  }

  /** Called on the task thread after {@code work.table()} committed: schedules a run. */
  public void afterCommit(Work work) {
    String location = work.table().location();
    long now = clockMs.getAsLong();
    boolean orphans =
        !work.settled().isEmpty()
            && now - lastOrphanCheck.getOrDefault(location, Long.MIN_VALUE / 2) >= ORPHAN_CHECK_MS;
    if (!compaction && !orphans) {
      return;
    }
    long reserve = compaction ? 2 * rowGroupBytes(work.settings()) : 0;
    if (memoryInUse.getAsLong() + reserved.get() + reserve > memoryBudget) {
      LOG.debug("No maintenance of {} now: the memory budget is in use", location);
      return;
    }
    if (!running.add(location)) {
      return;
    }
    if (orphans) {
      lastOrphanCheck.put(location, now);
    }
    reserved.addAndGet(reserve);
    try {
      executor.execute(() -> run(work, orphans, reserve, now));
    } catch (RejectedExecutionException e) {
      reserved.addAndGet(-reserve);
      running.remove(location);
    }
  }

  private void run(Work work, boolean orphans, long reserve, long now) {
    String location = work.table().location();
    try {
      if (compaction) {
        FileCompactor compactor =
            new FileCompactor(
                work.conf(), new Path(location), work.settings(), rowGroupBytes(work.settings()));
        Compaction.Result r =
            Compaction.run(
                work.table(),
                compactor,
                work.conf(),
                work.owners(),
                work.settings().targetFileBytes(),
                minFiles,
                maxBytesPerRun);
        filesCompacted.addAndGet(r.filesRemoved());
      }
      if (orphans) {
        orphansDeleted.addAndGet(
            OrphanFiles.clean(work.table(), work.conf(), work.settled(), ORPHAN_MIN_AGE_MS, now));
      }
    } catch (Exception e) {
      LOG.warn("Maintenance of {} failed; it runs again after a later commit", location, e);
    } finally {
      reserved.addAndGet(-reserve);
      running.remove(location);
    }
  }

  /** Stops taking work and waits up to 30 s for a run in flight. */
  @Override
  public void close() {
    if (!BackgroundThread.shutdown(executor, TimeUnit.SECONDS.toMillis(30))) {
      executor.shutdownNow();
    }
  }
}
