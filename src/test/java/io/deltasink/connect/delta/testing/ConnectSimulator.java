package io.deltasink.connect.delta.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Delivers records to a sink the way WorkerSinkTask does, deterministically: rewinds asked through
 * {@code context.offset} are applied before the next delivery, paused partitions get no records, a
 * batch that failed with a {@link RetriableException} is delivered again unchanged, and {@code
 * preCommit} offsets are what the consumer group keeps (where a restarted task resumes when the
 * sink does not rewind).
 */
public final class ConnectSimulator {
  /** The calls a task gets; implemented by a SinkWriter adapter in the tests. */
  public interface Sink {
    void open(List<TopicPartition> tps);

    void put(List<SinkRecord> batch);

    Map<TopicPartition, OffsetAndMetadata> preCommit();

    void close();
  }

  private final Map<TopicPartition, List<SinkRecord>> log;
  private final Map<TopicPartition, Long> groupOffsets = new HashMap<>();
  public int retriableErrors;

  public ConnectSimulator(Map<TopicPartition, List<SinkRecord>> log) {
    this.log = log;
  }

  /**
   * Runs a task from the group offsets until the task reports every record committed, or {@code
   * maxDeliveries} batches were delivered (then it returns false: a crash can be simulated by
   * calling this again with a new task).
   */
  public boolean run(
      Supplier<Sink> newTask,
      FakeSinkTaskContext context,
      int batchPerPartition,
      int maxDeliveries) {
    Sink task = newTask.get();
    List<TopicPartition> tps = new ArrayList<>(log.keySet());
    context.offsets.clear();
    task.open(tps);
    Map<TopicPartition, Long> position = new HashMap<>();
    for (TopicPartition tp : tps) {
      position.put(tp, groupOffsets.getOrDefault(tp, 0L));
    }
    List<SinkRecord> batch = null;
    for (int delivery = 0; delivery < maxDeliveries; delivery++) {
      position.putAll(context.offsets);
      context.offsets.clear();
      if (batch == null) {
        batch = new ArrayList<>();
        for (TopicPartition tp : tps) {
          if (context.paused.contains(tp)) {
            continue; // a paused partition gets nothing, as from a paused consumer
          }
          List<SinkRecord> records = log.get(tp);
          long from = position.get(tp);
          for (SinkRecord r : records) {
            if (r.kafkaOffset() >= from
                && batch.stream().filter(b -> b.kafkaPartition() == tp.partition()).count()
                    < batchPerPartition) {
              batch.add(r);
              position.put(tp, r.kafkaOffset() + 1);
            }
          }
        }
      }
      try {
        task.put(batch);
        batch = null;
      } catch (RetriableException e) {
        retriableErrors++;
        continue;
      }
      if (delivery % 3 == 2 || allDelivered(position)) {
        try {
          task.preCommit().forEach((tp, o) -> groupOffsets.put(tp, o.offset()));
        } catch (RetriableException e) {
          retriableErrors++;
        }
      }
      if (allCommitted()) {
        task.close();
        return true;
      }
    }
    return false;
  }

  private boolean allDelivered(Map<TopicPartition, Long> position) {
    return log.entrySet().stream().allMatch(e -> position.get(e.getKey()) >= end(e.getKey()));
  }

  private boolean allCommitted() {
    return log.keySet().stream().allMatch(tp -> groupOffsets.getOrDefault(tp, 0L) >= end(tp));
  }

  private long end(TopicPartition tp) {
    List<SinkRecord> r = log.get(tp);
    return r.isEmpty() ? 0 : r.get(r.size() - 1).kafkaOffset() + 1;
  }
}
