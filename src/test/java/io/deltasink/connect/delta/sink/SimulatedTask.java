package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.testing.ConnectSimulator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.sink.SinkRecord;

/** A {@link SinkWriter} as the task {@link ConnectSimulator} drives. */
final class SimulatedTask {
  private SimulatedTask() {}

  /**
   * @param time advanced by {@code msPerPreCommit} before each preCommit, as Connect's offset
   *     commit interval passes
   * @param afterPut runs after every batch (to observe the writer)
   */
  static ConnectSimulator.Sink of(
      SinkWriter w, MockTime time, long msPerPreCommit, Runnable afterPut) {
    return new ConnectSimulator.Sink() {
      @Override
      public void open(List<TopicPartition> tps) {
        w.open(tps);
      }

      @Override
      public void put(List<SinkRecord> batch) {
        w.put(batch);
        afterPut.run();
      }

      @Override
      public Map<TopicPartition, OffsetAndMetadata> preCommit() {
        time.sleep(msPerPreCommit);
        return w.preCommit(Map.of());
      }

      @Override
      public void close() {
        w.close();
      }
    };
  }
}
