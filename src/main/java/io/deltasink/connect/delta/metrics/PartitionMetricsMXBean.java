package io.deltasink.connect.delta.metrics;

/**
 * One Kafka partition a task owns, as JMX {@code
 * io.deltasink.connect.delta:type=partition,connector=<name>,task=<id>,topic=<topic>,partition=<n>}.
 */
public interface PartitionMetricsMXBean {
  /** The Delta table the partition is written to. */
  String getTable();

  /** The last offset the table holds for this partition (its txn version), -1 for none. */
  long getLastCommittedOffset();

  /**
   * Offsets received but not yet in a committed Delta version (last received minus last committed).
   */
  long getCommitLag();
}
