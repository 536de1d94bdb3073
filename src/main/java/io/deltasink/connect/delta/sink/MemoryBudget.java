package io.deltasink.connect.delta.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's memory budget ({@code delta.buffer.max.bytes}, bytes of heap): what its open Parquet files
 * may hold. A new file opens only when it fits (or when none is open, so that every partition can
 * progress); a partition refused a file is paused through {@link SinkTaskContext#pause} until the next
 * commit, which closes every open file, resumes it. When open files outgrow the budget, the largest are
 * closed early; their rows stay pending until the next commit.
 */
final class MemoryBudget {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryBudget.class);
  /** A file holding less than this beyond an empty one is not worth closing early (bytes). */
  private static final long MIN_EARLY_CLOSE_BYTES = 1024 * 1024;

  private final long budget;
  private final SinkTaskContext context;
  private final Supplier<Collection<TableWriter>> tables;
  private final Set<TopicPartition> paused = new LinkedHashSet<>();
  /** {@link #usedBytes()} as {@link #relieve()} last measured it. */
  private long lastUsedBytes;

  MemoryBudget(long budget, SinkTaskContext context, Supplier<Collection<TableWriter>> tables) {
    this.budget = budget;
    this.context = context;
    this.tables = tables;
  }

  /** Heap held by the task's open Parquet files (bytes). */
  long usedBytes() {
    long n = 0;
    for (TableWriter t : tables.get()) {
      n += t.memoryBytes();
    }
    return n;
  }

  /** Whether a new file holding {@code bytes} fits; see {@link io.deltasink.connect.delta.writer.MemoryGate}. */
  boolean mayOpen(long bytes) {
    long used = usedBytes();
    return used == 0 || used + bytes <= budget;
  }

  /** {@code tp} was refused a file (and rewound): pause it until the next commit. */
  void deferred(TopicPartition tp) {
    if (paused.add(tp)) {
      context.pause(tp);
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
      LOG.debug("Resuming {} partitions paused for memory", paused.size());
      context.resume(paused.toArray(new TopicPartition[0]));
      paused.clear();
    }
  }

  /** The task no longer owns {@code tps}. */
  void forget(Collection<TopicPartition> tps) {
    paused.removeAll(tps);
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

  /** The heap {@link #relieve()} measured when it last returned true (bytes): saves walking the files again. */
  long lastUsedBytes() {
    return lastUsedBytes;
  }
}
