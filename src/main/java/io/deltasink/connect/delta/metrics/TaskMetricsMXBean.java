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

  /**
   * Partitions opened with data loss and gone on with ({@code delta.data.loss.policy=warn}):
   * records deleted from Kafka before the sink wrote them, or a recreated topic.
   */
  long getDataLossEvents();

  /**
   * Records those partitions lost (deleted before the sink wrote them; 0 for a recreated topic).
   */
  long getRecordsLost();

  /**
   * {@code delta.run.mode=available-now}: whether every partition of the task is in its table up to
   * the end offset it had when the task was given it; false in the continuous mode.
   */
  boolean isRunOnceDone();

  /** Records of the run not yet in the tables (by offsets); -1 in the continuous mode. */
  long getRunOnceRemainingRecords();

  /** Partitions paused because the memory budget had no room for another open file. */
  int getPartitionsPausedForMemory();
}
