package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a record the sink cannot write, as Connect's {@code errors.tolerance} says
 * (KIP-298, KIP-610): with {@code none} its {@link DataException} fails the task; with {@code all}
 * it goes to the dead-letter queue through the {@link ErrantRecordReporter}, or, without a
 * dead-letter topic, is skipped with a WARN, as Connect does with its own conversion errors.
 * Reasons name topic, partition, offset and column, never the record's content.
 */
final class BadRecords {
  private static final Logger LOG = LoggerFactory.getLogger(BadRecords.class);

  private final boolean tolerate;
  private final long recordMaxBytes;
  private final ConsumerControl consumer;
  private final SinkMetrics.Task metrics;
  private final List<Future<Void>> reported = new ArrayList<>();

  /**
   * @param tolerate {@code errors.tolerance=all}
   * @param recordMaxBytes {@code delta.record.max.bytes}: a larger key or value is a bad record
   */
  BadRecords(
      boolean tolerate, long recordMaxBytes, ConsumerControl consumer, SinkMetrics.Task metrics) {
    this.tolerate = tolerate;
    this.recordMaxBytes = recordMaxBytes;
    this.consumer = consumer;
    this.metrics = metrics;
  }

  /**
   * @throws DataException when the record's key or value is larger than {@code
   *     delta.record.max.bytes}
   */
  void checkSize(SinkRecord r) {
    long key = size(r.key());
    long value = size(r.value());
    if (Math.max(key, value) > recordMaxBytes) {
      throw new DataException(
          "the record's "
              + (value >= key ? "value" : "key")
              + " has "
              + Math.max(key, value)
              + " bytes, more than "
              + DeltaSinkConfig.RECORD_MAX_BYTES_CONFIG
              + "="
              + recordMaxBytes);
    }
  }

  private long size(Object v) {
    if (v instanceof byte[] b) {
      return b.length;
    }
    if (v instanceof String s) {
      // A char is at most 3 UTF-8 bytes: count exactly only when that bound is over the limit.
      return (long) s.length() * 3 <= recordMaxBytes
          ? s.length()
          : s.getBytes(StandardCharsets.UTF_8).length;
    }
    return 0;
  }

  /**
   * Deals with a record of {@code tp} at {@code offset} that failed with {@code e}. Returns when it
   * is dealt with (reported or skipped): its offset then counts as done for its partition.
   *
   * @throws DataException the failure, located, with {@code errors.tolerance=none}
   */
  void handle(SinkRecord r, TopicPartition tp, long offset, DataException e) {
    String where = Records.describe(tp, offset);
    DataException located =
        e.getMessage() != null && e.getMessage().startsWith(where)
            ? e
            : new DataException(where + ": " + e.getMessage(), e);
    if (!tolerate) {
      throw located;
    }
    ErrantRecordReporter dlq = consumer.reporter();
    if (dlq != null) {
      LOG.warn(
          "Bad record sent to the error handler (errors.tolerance=all): {}", located.getMessage());
      reported.add(dlq.report(r, located));
    } else {
      LOG.warn(
          "Bad record skipped (errors.tolerance=all, no dead-letter topic configured): {}",
          located.getMessage());
    }
    metrics.deadLettered();
  }

  /**
   * Waits until every bad record reported so far is in the dead-letter queue: a bad record's offset
   * is recorded as done in the Delta {@code txn}, so it must be in the queue first.
   *
   * @throws ConnectException when writing to the dead-letter queue failed
   */
  void awaitReported() {
    for (Future<Void> f : reported) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RetriableException("interrupted while waiting for the dead-letter queue", e);
      } catch (ExecutionException e) {
        throw new ConnectException(
            "Writing a bad record to the dead-letter queue failed: " + e.getCause(), e.getCause());
      }
    }
    reported.clear();
  }
}
