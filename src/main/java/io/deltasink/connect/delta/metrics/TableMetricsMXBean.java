package io.deltasink.connect.delta.metrics;

/**
 * One Delta table of one task, as JMX {@code
 * io.deltasink.connect.delta:type=table,connector=<name>,task=<id>,table=<quoted location>}.
 */
public interface TableMetricsMXBean extends CommitStatsView {
  String getLocation();

  /** The table version of this task's last commit, -1 before any. */
  long getLastCommittedVersion();

  /**
   * Bytes of the table's files that upsert commits rewrote (the files read and written again
   * without the batch's keys), since the task started; 0 for an appended table.
   */
  long getUpsertBytesRewritten();

  /** Those bytes of the last upsert commit. */
  long getUpsertLastCommitBytesRewritten();

  /** Rows of the table that upsert commits replaced or deleted, since the task started. */
  long getUpsertRowsReplaced();
}
