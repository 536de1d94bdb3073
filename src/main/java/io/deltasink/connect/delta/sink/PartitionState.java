package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.metrics.SinkMetrics;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link TableWriter} knows of one Kafka partition it owns: the last offset the table holds
 * (its {@code txn} version), what was handled since, and the partition's open Parquet files.
 */
final class PartitionState {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionState.class);

  final TopicPartition tp;
  final String appId;

  /** Last offset the table holds (its txn version), -1 for none. */
  long committed = -1;

  /** Last offset handled without a row since the commit: sent to the DLQ or ignored. */
  long lastHandled = -1;

  /** First offset handled (written or not) since the commit, -1 for none. */
  long firstPending = -1;

  /**
   * After a rewind (a failed write, or no memory for a new file): ignore records above this offset
   * until the rewind shows.
   */
  long discardAbove = -1;

  TopicPartitionWriter writer;
  SinkMetrics.Partition metrics;

  /** The uncommitted records by key of an upserted table, null for an append. */
  KeyedRows keyed;

  /**
   * Files of commit attempts whose outcome is unknown (paths relative to the table root): the log
   * may reference them, so they are never deleted; cleared once the log shows where the partition
   * stands.
   */
  final Set<String> inDoubtFiles = new HashSet<>();

  /** The {@code txn} versions those attempts tried to record. */
  final Set<Long> inDoubtVersions = new HashSet<>();

  PartitionState(TopicPartition tp, String appId) {
    this.tp = tp;
    this.appId = appId;
  }

  /**
   * Whether the record at {@code offset} is new to this partition: not a replay (at or below what
   * is written, reported or committed), and not delivered before the partition's last rewind took
   * effect.
   *
   * @param rewindShown whether this batch comes from the position of the last rewind ({@link
   *     ConsumerControl#rewindShown})
   * @param location the table, for the log line
   */
  boolean accepts(long offset, boolean rewindShown, String location) {
    if (discardAbove >= 0) {
      if (offset > discardAbove) {
        if (!rewindShown) {
          return false; // delivered before the rewind took effect; it comes again after it
        }
        // The rewind took effect and Kafka no longer has the offsets it asked for (retention,
        // compaction, or the consumer was reset while the partition waited): go on from here.
        LOG.warn(
            "{}: a rewind asked Kafka for offset {} again, the first record it delivered is at offset {}; the "
                + "offsets between are no longer in Kafka (deleted by retention or compaction, or transaction markers) and "
                + "are not in {}",
            tp,
            discardAbove,
            offset,
            location);
      }
      discardAbove = -1;
    }
    return offset > lastOffset();
  }

  /** Last offset written, reported or committed: anything at or below it is a replay. */
  long lastOffset() {
    long w = writer == null ? -1 : writer.lastOffset();
    long k = keyed == null ? -1 : keyed.lastOffset();
    return Math.max(Math.max(committed, k), Math.max(w, lastHandled));
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

  /**
   * Drops every uncommitted row; deletes its files except those a commit of unknown outcome may
   * reference.
   */
  void abortWriter() {
    if (writer != null) {
      writer.abort(inDoubtFiles);
    }
    if (keyed != null) {
      keyed.clear();
    }
  }

  /** A commit attempt of these files, recording {@code version}, has an unknown outcome. */
  void inDoubt(long version, Collection<String> files) {
    inDoubtVersions.add(version);
    inDoubtFiles.addAll(files);
  }

  /** The log has shown where the partition stands: no attempt is in doubt any more. */
  void resolved() {
    inDoubtVersions.clear();
    inDoubtFiles.clear();
  }

  /** Whether this task committed the partition since it took it (every earlier owner is fenced). */
  boolean committedHere;

  /** The table now holds this partition's rows up to {@code version}. */
  void committedAt(long version) {
    committed = version;
    committedHere = true;
    if (writer != null) {
      writer.committed();
    }
    if (keyed != null) {
      keyed.clear();
    }
    resetPending();
    resolved();
  }

  /**
   * The log holds {@code found} as this partition's {@code txn} version, not what this task
   * expected: another writer moved it, or an earlier attempt of this task whose outcome was unknown
   * landed. Drops the uncommitted rows, keeping the files the log may reference.
   *
   * @param location the table, for the log line
   * @throws org.apache.kafka.connect.errors.ConnectException when the version went back: the table
   *     was replaced or its log rewritten
   */
  void fencedAt(long found, String location) {
    if (found < committed) {
      throw new org.apache.kafka.connect.errors.ConnectException(
          "The txn version of "
              + appId
              + " in "
              + location
              + " went back from "
              + committed
              + " to "
              + found
              + ": the table was replaced or its log rewritten. Stop the connector and "
              + "check the table before resuming.");
    }
    if (inDoubtVersions.contains(found)) {
      LOG.info(
          "{}: an earlier commit attempt of this task whose outcome was unknown did land in {}"
              + " (offsets up to {}); resuming after it",
          tp,
          location,
          found);
    } else {
      LOG.warn(
          "{} was written to {} up to offset {} by another task while this one held rows up to"
              + " {}; dropping this task's copy and resuming after {}",
          tp,
          location,
          found,
          lastOffset(),
          found);
    }
    abortWriter();
    resetPending();
    resolved();
    committed = found;
  }

  /**
   * Drops the uncommitted rows after {@code what} failed (keeping files a commit of unknown outcome
   * may reference), and ignores records delivered before the rewind to {@code committed + 1}, which
   * the caller asks for, takes effect.
   *
   * @return the error to throw: Connect retries, and the partition's records come again
   */
  org.apache.kafka.connect.errors.RetriableException dropUncommitted(String what, Exception cause) {
    LOG.warn(
        "{} failed; dropping the uncommitted rows of {} and resuming at offset {}",
        what,
        tp,
        committed + 1,
        cause);
    abortWriter();
    discardAbove = firstPending;
    resetPending();
    return new org.apache.kafka.connect.errors.RetriableException(
        what
            + " failed: "
            + cause.getMessage()
            + "; dropped the partition's uncommitted rows and rewound it to offset "
            + (committed + 1),
        cause);
  }

  void resetPending() {
    lastHandled = -1;
    firstPending = -1;
  }
}
