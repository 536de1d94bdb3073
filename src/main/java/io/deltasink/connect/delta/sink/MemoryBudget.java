package io.deltasink.connect.delta.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's memory budget ({@code delta.buffer.max.bytes}, bytes of heap): what its open Parquet
 * files and a table maintenance run in flight (a compaction's row groups) may hold. A new file
 * opens only when it fits (or when none is open, so that every partition can progress); a partition
 * refused a file is paused until the next commit, which closes every open file, resumes it. When
 * open files outgrow the budget, the largest are closed early; their rows stay pending until the
 * next commit. Pauses and resumes are logged at INFO, at most once per {@value #LOG_EVERY_MS} ms
 * each, with the budget's figures.
 */
final class MemoryBudget {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryBudget.class);

  /** A file holding less than this beyond an empty one is not worth closing early (bytes). */
  private static final long MIN_EARLY_CLOSE_BYTES = 1024 * 1024;

  /** Pause and resume lines are logged at INFO at most this often (ms); DEBUG in between. */
  static final long LOG_EVERY_MS = 60_000L;

  private final long budget;
  private final ConsumerControl consumer;
  private final Time time;
  private final Supplier<Collection<TableWriter>> tables;
  private final Set<TopicPartition> paused = new LinkedHashSet<>();

  /**
   * Partitions given up while paused. Connect remembers the pause: after an eager rebalance hands
   * them back it pauses them again, so they are resumed when they are opened.
   */
  private final Set<TopicPartition> closedWhilePaused = new HashSet<>();

  private long lastPauseLogMs = -LOG_EVERY_MS;
  private long lastResumeLogMs = -LOG_EVERY_MS;

  /** Partitions paused since the last INFO line about pauses. */
  private int pausedSinceLog;

  /** {@link #usedBytes()} as {@link #relieve()} last measured it. */
  private long lastUsedBytes;

  /** Heap held outside the open files: a table maintenance run in flight (bytes). */
  private final java.util.function.LongSupplier background;

  MemoryBudget(
      long budget,
      ConsumerControl consumer,
      Time time,
      Supplier<Collection<TableWriter>> tables,
      java.util.function.LongSupplier background) {
    this.background = background;
    this.budget = budget;
    this.consumer = consumer;
    this.time = time;
    this.tables = tables;
  }

  /** Heap held by the task's open Parquet files and a maintenance run in flight (bytes). */
  long usedBytes() {
    return filesBytes() + background.getAsLong();
  }

  /** Heap held by the task's open Parquet files (bytes). */
  long filesBytes() {
    long n = 0;
    for (TableWriter t : tables.get()) {
      n += t.memoryBytes();
    }
    return n;
  }

  /**
   * Whether a new file holding {@code bytes} fits; see {@link
   * io.deltasink.connect.delta.writer.MemoryGate}.
   */
  boolean mayOpen(long bytes) {
    long used = usedBytes();
    return used == 0 || used + bytes <= budget;
  }

  /** {@code tp} was refused a file (and rewound): pause it until the next commit. */
  void deferred(TopicPartition tp) {
    if (paused.add(tp)) {
      consumer.pause(List.of(tp));
      pausedSinceLog++;
      long now = time.milliseconds();
      if (now - lastPauseLogMs >= LOG_EVERY_MS) {
        LOG.info(
            "Paused {} partition(s) for memory, {} paused now (latest {}): the task's open Parquet files hold {} "
                + "bytes of {}={}; they resume at the next commit. Raise the budget (and the worker's heap) or lower "
                + "delta.flush.records if this repeats",
            pausedSinceLog,
            paused.size(),
            tp,
            usedBytes(),
            io.deltasink.connect.delta.config.DeltaSinkConfig.BUFFER_MAX_BYTES_CONFIG,
            budget);
        lastPauseLogMs = now;
        pausedSinceLog = 0;
      } else {
        LOG.debug("Paused {} for memory ({} paused)", tp, paused.size());
      }
    }
  }

  /** Whether partitions wait for memory. */
  boolean waiting() {
    return !paused.isEmpty();
  }

  int pausedCount() {
    return paused.size();
  }

  /** A commit closed every open file: the partitions that waited may go on. */
  void committed() {
    if (!paused.isEmpty()) {
      long now = time.milliseconds();
      if (now - lastResumeLogMs >= LOG_EVERY_MS) {
        LOG.info(
            "Resuming {} partition(s) paused for memory after a commit; open Parquet files now hold {} bytes of {}",
            paused.size(),
            usedBytes(),
            budget);
        lastResumeLogMs = now;
      } else {
        LOG.debug("Resuming {} partitions paused for memory", paused.size());
      }
      consumer.resume(paused);
      paused.clear();
    }
  }

  /** The task is giving up {@code tps} (before {@link ConsumerControl#revoked}). */
  void forget(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      if (paused.remove(tp)) {
        closedWhilePaused.add(tp);
      }
    }
  }

  /**
   * The task was given {@code tps} (after {@link ConsumerControl#assigned}): undo a pause Connect
   * re-applied.
   */
  void opened(Collection<TopicPartition> tps) {
    if (closedWhilePaused.isEmpty()) {
      return;
    }
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : tps) {
      if (closedWhilePaused.remove(tp)) {
        resume.add(tp);
      }
    }
    if (!resume.isEmpty()) {
      LOG.info(
          "Resuming {} partition(s) that were paused for memory when they were last given up: {}",
          resume.size(),
          resume);
      consumer.resume(resume);
    }
  }

  /**
   * Brings the open files back under the budget by closing the largest ones early.
   *
   * @return false when that is not enough and the caller must commit
   */
  boolean relieve() {
    long used;
    while ((used = usedBytes()) > budget) {
      List<TableWriter> byUse = new ArrayList<>(tables.get());
      byUse.sort(Comparator.comparingLong(TableWriter::memoryBytes).reversed());
      long freed = 0;
      for (TableWriter t : byUse) {
        freed = t.finishLargest(MIN_EARLY_CLOSE_BYTES);
        if (freed > 0) {
          break;
        }
      }
      if (freed == 0) {
        return false;
      }
    }
    lastUsedBytes = used;
    return true;
  }

  /**
   * The heap {@link #relieve()} measured when it last returned true (bytes): saves walking the
   * files again.
   */
  long lastUsedBytes() {
    return lastUsedBytes;
  }
}
