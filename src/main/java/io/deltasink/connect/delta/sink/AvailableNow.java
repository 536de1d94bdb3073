package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.metrics.SinkMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code delta.run.mode=available-now}: a scheduled drain, as Spark's {@code
 * trigger(availableNow=True)}. Each partition's end offset is taken when the task is given it; the
 * task writes records below it and no further (a record at or past it is left for the next run, and
 * the partition is paused), and once the table's committed offset of every partition reached its
 * end the task is done: it says so in an INFO line with the tables' versions and offsets and in the
 * task MBean ({@code RunOnceDone}), and stays idle until the connector is stopped ({@code
 * src/main/.../cli/RunOnce}). The end offsets are read with the task's own admin client, at the
 * consumer's isolation level ({@code read_committed}: the last stable offset).
 *
 * <p>A partition whose last records before its end are transaction markers or aborted records never
 * gets a committed offset at its end - 1; the run then ends when the connector is stopped by time
 * (docs/run-once.md).
 */
final class AvailableNow implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AvailableNow.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, Object> adminConfig;
  private final IsolationLevel isolation;
  private final ConsumerControl consumer;
  private final SinkMetrics.Task metrics;
  private final Map<TopicPartition, Long> ends = new HashMap<>();
  private Admin admin;
  private boolean done;

  AvailableNow(
      Map<String, Object> adminConfig,
      boolean readCommitted,
      ConsumerControl consumer,
      SinkMetrics.Task metrics) {
    this.adminConfig = adminConfig;
    this.isolation =
        readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
    this.consumer = consumer;
    this.metrics = metrics;
  }

  /**
   * Takes the end offsets of newly given partitions.
   *
   * @throws RetriableException when they cannot be read (the task retries the open)
   */
  void opened(Collection<TopicPartition> tps) {
    if (tps.isEmpty()) {
      return;
    }
    if (admin == null) {
      admin = Admin.create(adminConfig);
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    tps.forEach(tp -> request.put(tp, OffsetSpec.latest()));
    try {
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> info =
          admin
              .listOffsets(request, new ListOffsetsOptions(isolation))
              .all()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      info.forEach((tp, i) -> ends.put(tp, i.offset()));
    } catch (ExecutionException | TimeoutException e) {
      throw new RetriableException(
          "Reading the end offsets of " + tps + " for delta.run.mode=available-now: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableException("interrupted reading end offsets", e);
    }
    done = false;
    LOG.info("Run once (available-now): the run ends at offsets {}", new TreeMap<>(endsOf(tps)));
  }

  private Map<String, Long> endsOf(Collection<TopicPartition> tps) {
    Map<String, Long> out = new HashMap<>();
    tps.forEach(tp -> out.put(tp.toString(), ends.get(tp)));
    return out;
  }

  void closed(Collection<TopicPartition> tps) {
    ends.keySet().removeAll(tps);
  }

  /**
   * The records of {@code batch} below their partition's end; a partition with a record at or past
   * its end is paused (the records come again in the next run, from the table's offsets).
   */
  Collection<SinkRecord> within(Collection<SinkRecord> batch) {
    List<SinkRecord> kept = new ArrayList<>(batch.size());
    List<TopicPartition> reached = new ArrayList<>();
    for (SinkRecord r : batch) {
      TopicPartition tp = Records.originalPartition(r);
      Long end = ends.get(tp);
      if (end != null && r.originalKafkaOffset() >= end) {
        if (!reached.contains(tp)) {
          reached.add(tp);
        }
      } else {
        kept.add(r);
      }
    }
    if (reached.isEmpty()) {
      return batch;
    }
    consumer.pause(reached);
    return kept;
  }

  /**
   * Whether every partition's table offset reached its end; the first time, says so with {@code
   * versions} (table location to its last committed version).
   *
   * @param next each partition's committed offset + 1 in its table (absent: none committed)
   */
  boolean check(Map<TopicPartition, Long> next, Map<String, Long> versions) {
    long remaining = 0;
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      long at = next.getOrDefault(e.getKey(), 0L);
      remaining += Math.max(0, e.getValue() - at);
    }
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

  @Override
  public void close() {
    if (admin != null) {
      admin.close(TIMEOUT);
    }
  }
}
