package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.metrics.SinkMetrics;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-loss detection when a task opens partitions (Spark's {@code failOnDataLoss}, {@code
 * delta.data.loss.policy}): the records after a table's committed offset must still be in Kafka.
 * Two ways they are not, read from the partition's earliest and end offsets through the task's own
 * admin client ({@link KafkaOffsets}):
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
final class DataLossCheck {
  private static final Logger LOG = LoggerFactory.getLogger(DataLossCheck.class);
  private final boolean warn;
  private final KafkaOffsets kafka;
  private final SinkMetrics.Task metrics;
  private final ConsumerControl consumer;

  DataLossCheck(
      boolean warn, KafkaOffsets kafka, ConsumerControl consumer, SinkMetrics.Task metrics) {
    this.warn = warn;
    this.consumer = consumer;
    this.kafka = kafka;
    this.metrics = metrics;
    if (!kafka.available()) {
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
    if (!kafka.available() || next.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> earliest;
    Map<TopicPartition, Long> end;
    try {
      earliest =
          kafka.offsets(next.keySet(), OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED);
      end = kafka.offsets(next.keySet(), OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn(
          "Could not read the earliest and end offsets of {} to check for data loss: {}",
          next.keySet(),
          e.getCause() != null ? e.getCause().getMessage() : e.toString());
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
        lost = Math.max(0, Math.min(last, committed + 1) - first); // skipped as replays
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
        String marker =
            lost == 1
                ? " (on a topic of transactional producers a single offset after the table's last"
                    + " record may be a transaction marker that retention deleted with it, not a"
                    + " record)"
                : "";
        what =
            "Kafka's earliest offset is "
                + first
                + ": the "
                + lost
                + " records from offset "
                + (committed + 1)
                + " to "
                + (first - 1)
                + " were deleted (retention) before the sink wrote them"
                + marker
                + ". To accept the loss and go on from offset "
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
      if (first > committed + 1) {
        consumer.rewind(tp, first); // not left to the consumer's auto.offset.reset
      }
    }
  }
}
