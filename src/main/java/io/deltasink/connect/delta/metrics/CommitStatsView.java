package io.deltasink.connect.delta.metrics;

/**
 * What the sink committed to Delta: counts since the task started, and recent commit latency. The
 * attributes the task and table MXBeans share (not an MXBean itself: a bean implements one).
 */
public interface CommitStatsView {
  /** Rows in committed Delta versions. */
  long getRecordsWritten();

  /** Bytes of the Parquet files in committed Delta versions. */
  long getBytesWritten();

  /** Parquet files in committed Delta versions. */
  long getFilesWritten();

  /** Delta commits (one per table per flush). */
  long getCommits();

  /**
   * Median duration of the recent commits (the last 769 to 1,024), in ms, from the first attempt to
   * the outcome; approximate (a histogram bucket's lower bound, see {@link CommitStats}); -1 before
   * any.
   */
  long getCommitLatencyP50Ms();

  /** 99th percentile of the same (ms); -1 before any. */
  long getCommitLatencyP99Ms();
}
