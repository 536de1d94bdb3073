package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * What the task checks of its partitions against Kafka itself, with its own admin client: data loss
 * when a table's partitions are opened ({@link DataLossCheck}), and in {@code
 * delta.run.mode=available-now} the end offsets a run stops at ({@link AvailableNow}).
 */
final class PartitionGates implements AutoCloseable {
  private final KafkaOffsets kafka;
  private final DataLossCheck dataLoss;
  private final AvailableNow runOnce; // null in the continuous mode

  PartitionGates(DeltaSinkConfig config, ConsumerControl consumer, SinkMetrics.Task metrics) {
    kafka = new KafkaOffsets(config.adminConfig());
    dataLoss = new DataLossCheck(config.warnOnDataLoss(), kafka, consumer, metrics);
    runOnce =
        config.availableNow()
            ? new AvailableNow(kafka, config.readCommitted(), consumer, metrics)
            : null;
  }

  /**
   * The task was given {@code tps}: for a run, takes their end offsets.
   *
   * @throws org.apache.kafka.connect.errors.RetriableException when they cannot be read
   */
  void assigned(Collection<TopicPartition> tps) {
    if (runOnce != null) {
      runOnce.opened(tps);
    }
  }

  /**
   * A table's partitions were opened: checks them for data loss.
   *
   * @throws org.apache.kafka.connect.errors.ConnectException on data loss with {@code fail}
   */
  void opened(TableWriter table, Collection<TopicPartition> tps) {
    Map<TopicPartition, Long> next = new HashMap<>();
    table.committedOffsets(next);
    next.keySet().retainAll(tps);
    dataLoss.check(table.location(), next);
  }

  /** The records of {@code batch} the task may write now ({@link AvailableNow#within}). */
  Collection<SinkRecord> within(Collection<SinkRecord> batch) {
    return runOnce == null || batch.isEmpty() ? batch : runOnce.within(batch);
  }

  /**
   * After a commit, or a poll that brought nothing: whether a run is done ({@link
   * AvailableNow#check}).
   *
   * @param byPartition the table of each partition the task writes
   * @param unrouted the next offset of partitions without a table (their records dead-lettered)
   */
  void committed(Map<TopicPartition, TableWriter> byPartition, Map<TopicPartition, Long> unrouted) {
    if (runOnce == null) {
      return;
    }
    Map<TopicPartition, Long> next = new HashMap<>(unrouted);
    Map<String, Long> versions = new HashMap<>();
    for (TableWriter t : new java.util.HashSet<>(byPartition.values())) {
      t.committedOffsets(next);
      versions.put(t.location(), t.tableMetrics().getLastCommittedVersion());
    }
    runOnce.check(
        next,
        versions,
        tp -> {
          TableWriter t = byPartition.get(tp);
          return t != null && !t.hasPending(java.util.List.of(tp));
        },
        (tp, offset) -> {
          TableWriter t = byPartition.get(tp);
          t.markHandled(tp, offset);
          return true;
        });
  }

  /** Whether a run's records are all written or handled ({@link AvailableNow#reachedEnds}). */
  boolean reachedEnds(Map<TopicPartition, TableWriter> byPartition) {
    return runOnce != null
        && runOnce.reachedEnds(
            tp -> byPartition.containsKey(tp) ? byPartition.get(tp).lastOffset(tp) : -1L);
  }

  void closed(Collection<TopicPartition> tps) {
    if (runOnce != null) {
      runOnce.closed(tps);
    }
  }

  @Override
  public void close() {
    kafka.close();
  }
}
