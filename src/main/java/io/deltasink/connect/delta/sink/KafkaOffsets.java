package io.deltasink.connect.delta.sink;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The task's own view of its partitions' offsets in Kafka: one {@link Admin} client and one
 * group-less consumer per task, created at their first use from the connector's settings ({@code
 * io.deltasink.connect.delta.config.KafkaClientConfigs}), closed with the task. The {@code RunOnce}
 * command uses it too, to see past transaction markers.
 */
public final class KafkaOffsets implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, Object> adminConfig;
  private Admin admin;
  private org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> reader;

  /**
   * @param adminConfig the admin client settings, empty when no Kafka address is known
   */
  public KafkaOffsets(Map<String, Object> adminConfig) {
    this.adminConfig = adminConfig;
  }

  /** Whether a Kafka address is known. */
  boolean available() {
    return !adminConfig.isEmpty();
  }

  /**
   * The offsets {@code spec} names for {@code tps} ({@link OffsetSpec#earliest()}, {@link
   * OffsetSpec#latest()}), at {@code isolation}; waits at most 30 s.
   */
  Map<TopicPartition, Long> offsets(
      Collection<TopicPartition> tps, OffsetSpec spec, IsolationLevel isolation)
      throws ExecutionException, TimeoutException, InterruptedException {
    if (admin == null) {
      admin = Admin.create(adminConfig);
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    tps.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin
        .listOffsets(request, new ListOffsetsOptions(isolation))
        .all()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  /**
   * Whether {@code tp} holds no record a consumer at {@code isolation} would deliver from offset
   * {@code from} up to {@code end}: only transaction markers, aborted records, or records deleted
   * since. Read with a consumer of no group (nothing is committed), for at most 5 s.
   */
  public boolean noRecordsBetween(
      TopicPartition tp, long from, long end, IsolationLevel isolation) {
    if (reader == null) {
      Map<String, Object> c = new HashMap<>(adminConfig);
      c.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
      c.put(
          "value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
      c.put("enable.auto.commit", false);
      c.put("auto.offset.reset", "earliest");
      c.put("isolation.level", isolation.toString().toLowerCase(java.util.Locale.ROOT));
      c.put("max.poll.records", 1);
      reader = new org.apache.kafka.clients.consumer.KafkaConsumer<>(c);
    }
    reader.assign(java.util.List.of(tp));
    reader.seek(tp, from);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      for (var r : reader.poll(Duration.ofMillis(200)).records(tp)) {
        if (r.offset() < end) {
          return false;
        }
      }
      if (reader.position(tp) >= end) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    if (reader != null) {
      reader.close(Duration.ofSeconds(5));
    }
  }
}
