package io.deltasink.connect.delta.testing;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkTaskContext;

/** Records what a task asks of Connect: rewinds, pauses, resumes. */
public final class FakeSinkTaskContext implements SinkTaskContext {
  public final Map<TopicPartition, Long> offsets = new HashMap<>();
  public final Set<TopicPartition> assignment = new HashSet<>();
  public final Set<TopicPartition> paused = new HashSet<>();
  public ErrantRecordReporter reporter;

  /** How many partitions were paused over time (pause calls, per partition). */
  public int pauses;

  @Override
  public Map<String, String> configs() {
    return Map.of();
  }

  @Override
  public void offset(Map<TopicPartition, Long> offsets) {
    this.offsets.putAll(offsets);
  }

  @Override
  public void offset(TopicPartition tp, long offset) {
    offsets.put(tp, offset);
  }

  /** The last {@link #timeout} asked for (ms), -1 before any. */
  public long timeoutMs = -1;

  @Override
  public void timeout(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Set<TopicPartition> assignment() {
    return assignment;
  }

  @Override
  public void pause(TopicPartition... partitions) {
    paused.addAll(Set.of(partitions));
    pauses += partitions.length;
  }

  @Override
  public void resume(TopicPartition... partitions) {
    Set.of(partitions).forEach(paused::remove);
  }

  @Override
  public void requestCommit() {}

  @Override
  public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
    return null;
  }

  @Override
  public ErrantRecordReporter errantRecordReporter() {
    return reporter;
  }
}
