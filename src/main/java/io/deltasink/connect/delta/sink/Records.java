package io.deltasink.connect.delta.sink;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/** Where a record came from, in the words error messages use. */
final class Records {
  private Records() {}

  /** The record's original partition (before any SMT renamed the topic). */
  static TopicPartition originalPartition(SinkRecord r) {
    return new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
  }

  static String describe(TopicPartition tp, long offset) {
    return "topic '" + tp.topic() + "' partition " + tp.partition() + " offset " + offset;
  }
}
