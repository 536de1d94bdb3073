package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.metrics.SinkMetrics;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import org.apache.kafka.common.TopicPartition;

/**
 * What a {@link TableWriter} knows of one Kafka partition it owns: the last offset the table holds
 * (its {@code txn} version), what was handled since, and the partition's open Parquet files.
 */
final class PartitionState {
  final TopicPartition tp;
  final String appId;
  /** Last offset the table holds (its txn version), -1 for none. */
  long committed = -1;
  /** Last offset handled without a row since the commit: sent to the DLQ or ignored. */
  long lastHandled = -1;
  /** First offset handled (written or not) since the commit, -1 for none. */
  long firstPending = -1;
  /** After a rewind (a failed write, or no memory for a new file): ignore records above this offset until the rewind shows. */
  long discardAbove = -1;
  TopicPartitionWriter writer;
  SinkMetrics.Partition metrics;

  PartitionState(TopicPartition tp, String appId) {
    this.tp = tp;
    this.appId = appId;
  }

  /** Last offset written, reported or committed: anything at or below it is a replay. */
  long lastOffset() {
    long w = writer == null ? -1 : writer.lastOffset();
    return Math.max(committed, Math.max(w, lastHandled));
  }

  boolean pending() {
    return lastOffset() > committed;
  }

  long bufferedRecords() {
    return writer == null ? 0 : writer.records();
  }

  void handled(long offset) {
    if (firstPending < 0) {
      firstPending = offset;
    }
  }

  void resetPending() {
    lastHandled = -1;
    firstPending = -1;
  }
}
