package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.metrics.SinkMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-loss detection when a task opens partitions (Spark's {@code failOnDataLoss}, {@code
 * delta.data.loss.policy}): the records after a table's committed offset must still be in Kafka.
 * Two ways they are not, read from the partition's earliest and end offsets through the task's own
 * {@link Admin} ({@code io.deltasink.connect.delta.config.KafkaClientConfigs}):
 *
 * <ul>
 *   <li>the earliest offset is above the committed offset + 1: retention or compaction deleted
 *       records the table never got;
 *   <li>the end offset is at or below the committed offset: the topic was deleted and recreated (or
 *       truncated), so the offsets the table holds name other records.
 * </ul>
 *
 * <p>{@code fail} throws from {@code open()}, which fails the task with the message; {@code warn}
 * logs it, counts the records lost in the task MBean and goes on (from the earliest offset, where
 * the consumer resumes; after a recreated topic, records at or below the committed offset stay
 * skipped as replays until a new {@code delta.app.id}). Without a Kafka address the check is off,
 * which the task logs once.
 */
final class DataLossCheck implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataLossCheck.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final boolean warn;
  private final Map<String, Object> adminConfig;
  private final SinkMetrics.Task metrics;
  private Admin admin;

  /**
   * @param adminConfig the task's admin client settings, empty when no Kafka address is known
   */
  DataLossCheck(boolean warn, Map<String, Object> adminConfig, SinkMetrics.Task metrics) {
    this.warn = warn;
    this.adminConfig = adminConfig;
    this.metrics = metrics;
    if (adminConfig.isEmpty()) {
      LOG.info(
          "Data-loss detection (delta.data.loss.policy) is off: no Kafka address to read the"
              + " partitions' earliest and end offsets from; set delta.kafka.bootstrap.servers to the"
              + " worker's bootstrap.servers to turn it on");
    }
  }

  /**
   * Checks the partitions a table holds offsets of.
   *
   * @param next each partition's committed offset + 1 in {@code location}
   * @throws ConnectException with {@code fail}, naming topic, partition, the committed offset, the
   *     offset Kafka has, and what to do
   */
  void check(String location, Map<TopicPartition, Long> next) {
    if (adminConfig.isEmpty() || next.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> earliest;
    Map<TopicPartition, Long> end;
    try {
      earliest = offsets(next, OffsetSpec.earliest());
      end = offsets(next, OffsetSpec.latest());
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn(
          "Could not read the earliest and end offsets of {} to check for data loss: {}",
          next.keySet(),
          e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    for (Map.Entry<TopicPartition, Long> e : next.entrySet()) {
      TopicPartition tp = e.getKey();
      long committed = e.getValue() - 1;
      Long first = earliest.get(tp);
      Long last = end.get(tp);
      if (first == null || last == null) {
        continue;
      }
      String what = null;
      long lost = 0;
      if (last <= committed) {
        what =
            "Kafka's end offset is "
                + last
                + ", at or below the table's committed offset "
                + committed
                + ": the topic was deleted and recreated, or truncated, and its offsets now name other"
                + " records. To write the new topic from its start, give the connector a new"
                + " delta.app.id (the table's rows stay); with delta.data.loss.policy=warn the task goes"
                + " on, skipping the records at or below offset "
                + committed;
      } else if (first > committed + 1) {
        lost = first - committed - 1;
        what =
            "Kafka's earliest offset is "
                + first
                + ": the "
                + lost
                + " records from offset "
                + (committed + 1)
                + " to "
                + (first - 1)
                + " were deleted (retention or compaction) before the sink wrote them. To accept the"
                + " loss and go on from offset "
                + first
                + ", set delta.data.loss.policy=warn; to keep them, produce them again first";
      }
      if (what == null) {
        continue;
      }
      String message =
          "Data loss on topic '"
              + tp.topic()
              + "' partition "
              + tp.partition()
              + ": Delta table "
              + location
              + " holds offsets up to "
              + committed
              + " (its txn version) and "
              + what
              + ".";
      if (!warn) {
        throw new ConnectException(message);
      }
      LOG.warn("{} Going on (delta.data.loss.policy=warn).", message);
      metrics.dataLoss(lost);
    }
  }

  private Map<TopicPartition, Long> offsets(Map<TopicPartition, Long> tps, OffsetSpec spec)
      throws ExecutionException, TimeoutException, InterruptedException {
    if (admin == null) {
      admin = Admin.create(adminConfig);
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    tps.keySet().forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> info =
        admin.listOffsets(request).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, Long> out = new HashMap<>();
    info.forEach((tp, i) -> out.put(tp, i.offset()));
    return out;
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }
}
