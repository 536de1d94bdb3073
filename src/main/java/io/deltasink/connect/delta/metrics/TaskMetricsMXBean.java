package io.deltasink.connect.delta.metrics;

/**
 * One sink task, as JMX {@code io.deltasink.connect.delta:type=task,connector=<name>,task=<id>}.
 * Counters cover every table the task writes.
 */
public interface TaskMetricsMXBean extends CommitStatsView {
  /** Records written to Parquet files and not committed yet. */
  long getBufferedRecords();

  /** Bytes of uncommitted Parquet data, on storage or still in memory (estimate). */
  long getBufferedBytes();

  /**
   * Heap held by open Parquet files (estimate), the figure {@code delta.buffer.max.bytes} bounds.
   */
  long getBufferedHeapBytes();

  /** Records handed to the dead-letter queue ({@code errors.tolerance=all}). */
  long getRecordsSentToDeadLetterQueue();

  /** Partitions paused because the memory budget had no room for another open file. */
  int getPartitionsPausedForMemory();
}
