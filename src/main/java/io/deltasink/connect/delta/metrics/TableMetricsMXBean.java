package io.deltasink.connect.delta.metrics;

/**
 * One Delta table of one task, as JMX {@code
 * io.deltasink.connect.delta:type=table,connector=<name>,task=<id>,table=<quoted location>}.
 */
public interface TableMetricsMXBean extends CommitStatsView {
  String getLocation();

  /** The table version of this task's last commit, -1 before any. */
  long getLastCommittedVersion();
}
