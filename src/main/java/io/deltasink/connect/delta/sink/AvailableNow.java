package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.metrics.SinkMetrics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code delta.run.mode=available-now}: a scheduled drain, as Spark's {@code
 * trigger(availableNow=True)}. Each partition's end offset is taken when the task is given it (at
 * the consumer's isolation level: {@code read_committed} gives the last stable offset); the task
 * writes records below it and drops those at or past it (they come again in the next run, from the
 * table's offsets, which is where a task resumes); once every partition is in its table up to its
 * end the task is done: it pauses them, says so in an INFO line with the tables' versions and
 * offsets and in the task MBean ({@code RunOnceDone}), and idles until the connector is stopped
 * ({@code io.deltasink.connect.delta.cli.RunOnce}).
 *
 * <p>A partition whose last offsets before its end are not records the task is given (transaction
 * markers, aborted records, records deleted by retention) is checked with a consumer of the task's
 * own ({@link KafkaOffsets#noRecordsBetween}) once it is idle; when nothing is left, the table
 * records the end as the partition's offset with no row, as for a dead-lettered record. Offsets are
 * read with the task's own clients; when they cannot be read the partition's records are handed
 * back ({@link RetriableException}) until they can.
 */
final class AvailableNow {
  private static final Logger LOG = LoggerFactory.getLogger(AvailableNow.class);

  private final KafkaOffsets kafka;
  private final IsolationLevel isolation;
  private final ConsumerControl consumer;
  private final SinkMetrics.Task metrics;
  private final Map<TopicPartition, Long> ends = new HashMap<>();
  private final Set<TopicPartition> unknown = new HashSet<>();
  private final Set<TopicPartition> deliveredSinceCheck = new HashSet<>();
  private boolean done;

  AvailableNow(
      KafkaOffsets kafka,
      boolean readCommitted,
      ConsumerControl consumer,
      SinkMetrics.Task metrics) {
    this.kafka = kafka;
    this.isolation =
        readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
    this.consumer = consumer;
    this.metrics = metrics;
  }

  /**
   * Takes the end offsets of newly given partitions, and resumes them (Connect pauses again what
   * was paused before a rebalance, and a new run may go past the old end). When the offsets cannot
   * be read now, {@link #within} reads them before it lets a record of those partitions through.
   */
  void opened(Collection<TopicPartition> tps) {
    if (tps.isEmpty()) {
      return;
    }
    consumer.resume(tps);
    done = false;
    unknown.addAll(tps);
    try {
      readEnds();
    } catch (RetriableException e) {
      LOG.warn("{}; retried at the next records", e.getMessage());
    }
  }

  private void readEnds() {
    if (unknown.isEmpty()) {
      return;
    }
    try {
      ends.putAll(kafka.offsets(unknown, OffsetSpec.latest(), isolation));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new RetriableException(
          "Reading the end offsets of " + unknown + " for delta.run.mode=available-now: " + e, e);
    }
    LOG.info(
        "Run once (available-now): the run ends at offsets {}", new TreeMap<>(endsOf(unknown)));
    unknown.clear();
  }

  private Map<String, Long> endsOf(Collection<TopicPartition> tps) {
    Map<String, Long> out = new HashMap<>();
    tps.forEach(tp -> out.put(tp.toString(), ends.get(tp)));
    return out;
  }

  void closed(Collection<TopicPartition> tps) {
    ends.keySet().removeAll(tps);
    unknown.removeAll(tps);
    deliveredSinceCheck.removeAll(tps);
  }

  /**
   * The records of {@code batch} below their partition's end.
   *
   * @throws RetriableException when the end offsets of a newly given partition still cannot be
   *     read: Connect hands the batch over again
   */
  Collection<SinkRecord> within(Collection<SinkRecord> batch) {
    readEnds();
    List<SinkRecord> kept = null;
    int i = 0;
    for (SinkRecord r : batch) {
      TopicPartition tp = Records.originalPartition(r);
      deliveredSinceCheck.add(tp);
      Long end = ends.get(tp);
      if (end != null && r.originalKafkaOffset() >= end) {
        if (kept == null) {
          kept = new ArrayList<>(new ArrayList<>(batch).subList(0, i));
        }
      } else if (kept != null) {
        kept.add(r);
      }
      i++;
    }
    return kept == null ? batch : kept;
  }

  /**
   * Whether every partition was written or handled up to its end - 1 and the run's rows wait only
   * for their commit: the task then commits at once, not at the next flush.
   */
  boolean reachedEnds(Function<TopicPartition, Long> lastOffset) {
    if (done || !unknown.isEmpty() || ends.isEmpty()) {
      return false;
    }
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (lastOffset.apply(e.getKey()) < e.getValue() - 1) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether every partition's table offset reached its end; the first time, says so with {@code
   * versions} (table location to its last committed version). A partition that is behind, idle
   * since the last check and holds nothing uncommitted is read with the task's own consumer; when
   * no record is left before its end, {@code skipTo} records its end - 1 as handled.
   *
   * @param next each partition's committed offset + 1 in its table (absent: none committed)
   * @param idle whether a partition holds nothing uncommitted
   * @param skipTo records an offset of a partition as handled without a row; false when it cannot
   */
  boolean check(
      Map<TopicPartition, Long> next,
      Map<String, Long> versions,
      Function<TopicPartition, Boolean> idle,
      java.util.function.BiPredicate<TopicPartition, Long> skipTo) {
    if (!unknown.isEmpty()) {
      metrics.runOnce(false, -1);
      return false;
    }
    long remaining = 0;
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      TopicPartition tp = e.getKey();
      long at = next.getOrDefault(tp, 0L);
      long left = Math.max(0, e.getValue() - at);
      if (left > 0
          && !deliveredSinceCheck.contains(tp)
          && idle.apply(tp)
          && kafka.noRecordsBetween(tp, at, e.getValue(), isolation)
          && skipTo.test(tp, e.getValue() - 1)) {
        LOG.info(
            "Run once: {} holds no record from offset {} to its end {} (transaction markers,"
                + " aborted or deleted records); its offset is recorded at the next commit",
            tp,
            at,
            e.getValue());
        consumer.requestCommit();
      }
      remaining += left;
    }
    deliveredSinceCheck.clear();
    metrics.runOnce(remaining == 0, remaining);
    if (remaining == 0 && !done && !ends.isEmpty()) {
      done = true;
      consumer.pause(ends.keySet());
      consumer.requestCommit(); // the offsets RunOnce waits for
      LOG.info(
          "Run once (available-now) done: every partition is in its table up to its end offset {};"
              + " table versions {}. The task stays idle until the connector is stopped.",
          new TreeMap<>(endsOf(ends.keySet())),
          new TreeMap<>(versions));
    }
    return remaining == 0;
  }
}
