package io.deltasink.connect.delta.it;

import io.deltasink.connect.delta.DeltaSinkConnector;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import io.deltasink.connect.delta.testing.KernelReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.management.AttributeNotFoundException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.ConnectorConfig;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * A real KRaft broker and real distributed Connect workers in this JVM (Kafka's own test harness).
 */
public final class ConnectCluster implements AutoCloseable {
  public final EmbeddedConnectCluster connect;

  public ConnectCluster(String name, int workers) {
    this(name, workers, Map.of());
  }

  /**
   * @param overrides worker properties replacing this harness's defaults
   */
  public ConnectCluster(String name, int workers, Map<String, String> overrides) {
    Map<String, String> workerProps = new HashMap<>();
    workerProps.put(WorkerConfig.OFFSET_COMMIT_INTERVAL_MS_CONFIG, "1000");
    workerProps.put(DistributedConfig.SCHEDULED_REBALANCE_MAX_DELAY_MS_CONFIG, "2000");
    workerProps.put(WorkerConfig.CONNECTOR_CLIENT_POLICY_CLASS_CONFIG, "All");
    workerProps.putAll(overrides);
    // One broker: transactional producers need a transaction log it can replicate alone.
    java.util.Properties brokerProps = new java.util.Properties();
    brokerProps.put("transaction.state.log.replication.factor", "1");
    brokerProps.put("transaction.state.log.min.isr", "1");
    connect =
        (EmbeddedConnectCluster)
            new EmbeddedConnectCluster.Builder()
                .name(name)
                .numWorkers(workers)
                .numBrokers(1)
                .brokerProps(brokerProps)
                .workerProps(workerProps)
                .build();
    connect.start();
  }

  /** Creates a topic and waits until every partition has a leader (see TESTING.md). */
  public void createTopic(String topic, int partitions) throws InterruptedException {
    connect.kafka().createTopic(topic, partitions);
    waitFor(
        Duration.ofSeconds(30),
        "leaders for " + topic,
        () -> {
          Optional<TopicDescription> d = connect.kafka().describeTopics(topic).get(topic);
          return d.isPresent()
              && d.get().partitions().size() == partitions
              && d.get().partitions().stream().allMatch(p -> p.leader() != null);
        });
  }

  public KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return connect.kafka().createProducer(props);
  }

  /**
   * JSON with the schema envelope, as JsonConverter (schemas.enable=true) reads it into a Struct.
   */
  public static byte[] temperatureJson(long seq, String city) {
    String schema =
        "{\"type\":\"struct\",\"name\":\"temperature\",\"optional\":false,\"fields\":["
            + "{\"field\":\"city\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"seq\",\"type\":\"int64\",\"optional\":false},"
            + "{\"field\":\"temperature\",\"type\":\"double\",\"optional\":true},"
            + "{\"field\":\"observed\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1,\"optional\":false}]}";
    String payload =
        "{\"city\":\""
            + city
            + "\",\"seq\":"
            + seq
            + ",\"temperature\":"
            + ((seq % 400) / 10.0)
            + ",\"observed\":"
            + (1_672_531_200_000L + seq * 3_600_000L)
            + "}";
    return ("{\"schema\":" + schema + ",\"payload\":" + payload + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Produces {@code count} temperature records round-robin over partitions, seq starting at {@code
   * firstSeq}.
   */
  public void produce(String topic, int partitions, long firstSeq, int count) {
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      for (long s = firstSeq; s < firstSeq + count; s++) {
        p.send(
            new ProducerRecord<>(
                topic, (int) (s % partitions), null, temperatureJson(s, "city-" + (s % 6))));
      }
      p.flush();
    }
  }

  /**
   * Starts a thread that produces temperature records {@code 0, 1, ...} round-robin over {@code
   * partitions} while {@code more} says so and fewer than {@code count} were sent; after each
   * {@code batch} records it flushes, tells {@code sent} how many are in Kafka, and pauses {@code
   * pauseMs} to spread the data over time (a pace, not a wait). It flushes and reports once more at
   * the end.
   */
  public Thread startPacedProducer(
      String topic,
      int partitions,
      long count,
      int batch,
      long pauseMs,
      java.util.function.BooleanSupplier more,
      java.util.function.LongConsumer sent) {
    Thread t =
        new Thread(
            () -> {
              long s = 0;
              try (KafkaProducer<byte[], byte[]> p = producer()) {
                for (; s < count && more.getAsBoolean(); s++) {
                  p.send(
                      new ProducerRecord<>(
                          topic, (int) (s % partitions), null, temperatureJson(s, "c" + (s % 6))));
                  if (s % batch == batch - 1) {
                    p.flush();
                    sent.accept(s + 1);
                    Thread.sleep(pauseMs);
                  }
                }
                p.flush();
                sent.accept(s);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    t.start();
    return t;
  }

  /** A struct-input connector config writing {@code topics} into {@code location}. */
  public static Map<String, String> sinkConfig(String topics, String location, int tasks) {
    Map<String, String> c = new HashMap<>();
    c.put(ConnectorConfig.CONNECTOR_CLASS_CONFIG, DeltaSinkConnector.class.getName());
    c.put(ConnectorConfig.TASKS_MAX_CONFIG, Integer.toString(tasks));
    c.put(SinkConnector.TOPICS_CONFIG, topics);
    c.put(ConnectorConfig.KEY_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
    c.put(
        ConnectorConfig.VALUE_CONVERTER_CLASS_CONFIG,
        "org.apache.kafka.connect.json.JsonConverter");
    c.put("value.converter.schemas.enable", "true");
    c.put("delta.table.location", location);
    c.put("delta.flush.interval.ms", "1000");
    c.put("delta.kafka.columns", "topic,partition,offset");
    return c;
  }

  public long endOffset(TopicPartition tp) throws Exception {
    return connect.kafka().endOffset(tp);
  }

  /** Each partition's end offset (partition number to offset), in one request. */
  public Map<Integer, Long> endOffsets(String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<Integer, Long> out = new TreeMap<>();
    try (Admin admin = connect.kafka().createAdminClient()) {
      admin
          .listOffsets(latest)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
    }
    return out;
  }

  /** Waits until every partition's txn version in the table is its end offset - 1. */
  public void awaitCommitted(
      String location, String appId, String topic, int partitions, Duration timeout)
      throws Exception {
    awaitCommitted(
        location, new org.apache.hadoop.conf.Configuration(), appId, topic, partitions, timeout);
  }

  /** {@link #awaitCommitted} reading the table through the file systems of {@code conf}. */
  public void awaitCommitted(
      String location,
      org.apache.hadoop.conf.Configuration conf,
      String appId,
      String topic,
      int partitions,
      Duration timeout)
      throws Exception {
    Map<Integer, Long> ends = endOffsets(topic, partitions);
    waitFor(
        timeout,
        "table " + location + " to hold every offset of " + topic,
        () -> {
          try {
            KernelReader reader = new KernelReader(location, conf);
            for (int p = 0; p < partitions; p++) {
              if (reader.txnVersion(appId + "/" + topic + "/" + p) != ends.get(p) - 1) {
                return false;
              }
            }
            return true;
          } catch (RuntimeException e) {
            return false;
          }
        });
  }

  /**
   * The last offset of each partition the table holds: its {@code txn} version for {@code
   * <appId>/<topic>/<partition>}, -1 for none (or no table yet).
   */
  public static Map<Integer, Long> committedOffsets(
      String location, String appId, String topic, int partitions) {
    Map<Integer, Long> out = new TreeMap<>();
    KernelReader reader = new KernelReader(location);
    for (int p = 0; p < partitions; p++) {
      long version;
      try {
        version = reader.txnVersion(appId + "/" + topic + "/" + p);
      } catch (RuntimeException e) {
        version = -1; // no table yet
      }
      out.put(p, version);
    }
    return out;
  }

  /**
   * A numeric attribute of every MBean in this JVM (the embedded workers' tasks and consumers
   * register theirs here) whose name matches {@code pattern}, such as {@code
   * kafka.connect:type=sink-task-metrics,connector=c,*}; MBeans without a value yet are left out.
   */
  public static Map<ObjectName, Double> jmx(String pattern, String attribute) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Map<ObjectName, Double> out = new HashMap<>();
    try {
      for (ObjectName name : server.queryNames(new ObjectName(pattern), null)) {
        try {
          Object value = server.getAttribute(name, attribute);
          if (value instanceof Number n && !Double.isNaN(n.doubleValue())) {
            out.put(name, n.doubleValue());
          } else if (value instanceof Boolean b) {
            out.put(name, b ? 1.0 : 0.0);
          }
        } catch (InstanceNotFoundException | AttributeNotFoundException e) {
          // unregistered meanwhile, or an MBean of the same pattern without this attribute
        }
      }
    } catch (JMException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /**
   * An attribute of a sink task's own MBean ({@link SinkMetrics}, type=task), -1 while none is
   * registered.
   */
  public static long sinkTaskMetric(String connector, int task, String attribute) {
    return jmx(
            SinkMetrics.DOMAIN
                + ":connector="
                + ObjectName.quote(connector)
                + ",task="
                + ObjectName.quote(Integer.toString(task))
                + ",type=task",
            attribute)
        .values()
        .stream()
        .mapToLong(Double::longValue)
        .findFirst()
        .orElse(-1);
  }

  public static void waitFor(Duration timeout, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
  }

  public static List<Map<String, Object>> rows(String location) {
    return new KernelReader(location).rows();
  }

  @Override
  public void close() {
    connect.stop();
  }
}
