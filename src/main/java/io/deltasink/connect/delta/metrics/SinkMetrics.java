package io.deltasink.connect.delta.metrics;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JMX MBeans of one sink task in the platform MBean server, domain {@value #DOMAIN}: one {@code
 * type=task}, one {@code type=table} per table it writes, one {@code type=partition} per Kafka
 * partition it owns. Values are set by the task's threads and read by JMX clients (jconsole, a JMX
 * exporter). Registration problems are logged, never fatal: metrics must not stop the data.
 *
 * <p>Commit counts and latency percentiles live in a Kafka {@link Metrics} registry of this task's
 * own, without reporters: the MXBeans read them, so the JMX names and attributes stay what they
 * were on every Connect version. docs/metrics.md says why these are not Connect's {@code
 * PluginMetrics} (KIP-877).
 */
public final class SinkMetrics implements AutoCloseable {
  public static final String DOMAIN = "io.deltasink.connect.delta";
  private static final Logger LOG = LoggerFactory.getLogger(SinkMetrics.class);

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final String prefix;
  private final Metrics registry = new Metrics(new MetricConfig(), List.of(), Time.SYSTEM);
  private final Task task = new Task(registry);
  private final Map<ObjectName, Object> registered = new LinkedHashMap<>();

  /**
   * @param connector the connector name
   * @param taskId the task's number within the connector
   */
  public SinkMetrics(String connector, String taskId) {
    this.prefix =
        DOMAIN + ":connector=" + ObjectName.quote(connector) + ",task=" + ObjectName.quote(taskId);
    register(name("task", ""), task);
  }

  public Task task() {
    return task;
  }

  /** The MBean of a table, registered on first use. */
  public Table table(String location) {
    Table t = new Table(registry, location);
    register(name("table", ",table=" + ObjectName.quote(location)), t);
    return t;
  }

  /** The MBean of a partition the task now owns; {@link #unregister(Partition)} when it goes. */
  public Partition partition(String topic, int partition, String table) {
    Partition p =
        new Partition(
            table,
            name("partition", ",topic=" + ObjectName.quote(topic) + ",partition=" + partition));
    register(p.name, p);
    return p;
  }

  public void unregister(Partition p) {
    unregister(p.name);
  }

  private ObjectName name(String type, String more) {
    try {
      return new ObjectName(prefix + ",type=" + type + more);
    } catch (JMException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private synchronized void register(ObjectName name, Object bean) {
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name); // a task of the same name restarted in this JVM
      }
      server.registerMBean(bean, name);
      registered.put(name, bean);
    } catch (JMException | RuntimeException e) {
      LOG.warn("Could not register the JMX MBean {}: {}", name, e.toString());
    }
  }

  private synchronized void unregister(ObjectName name) {
    if (registered.remove(name) != null) {
      try {
        server.unregisterMBean(name);
      } catch (JMException | RuntimeException e) {
        LOG.debug("Could not unregister the JMX MBean {}", name, e);
      }
    }
  }

  @Override
  public synchronized void close() {
    for (ObjectName n : new ArrayList<>(registered.keySet())) {
      unregister(n);
    }
    registry.close();
  }

  /** The task's counters (every table) and the buffered figures it publishes after each batch. */
  public static final class Task extends CommitStats implements TaskMetricsMXBean {
    private volatile long bufferedRecords;
    private volatile long bufferedBytes;
    private volatile long bufferedHeapBytes;
    private volatile long deadLettered;
    private volatile int paused;

    Task(Metrics registry) {
      super(registry, "task", Map.of());
    }

    public void buffered(long records, long bytes, long heapBytes, int pausedPartitions) {
      bufferedRecords = records;
      bufferedBytes = bytes;
      bufferedHeapBytes = heapBytes;
      paused = pausedPartitions;
    }

    /** A partition opened with data loss under {@code delta.data.loss.policy=warn}. */
    public synchronized void dataLoss(long records) {
      dataLossEvents++;
      recordsLost += records;
    }

    private volatile boolean runOnceDone;
    private volatile long runOnceRemaining = -1;

    /** {@code delta.run.mode=available-now}: whether the run is done, and what is left of it. */
    public void runOnce(boolean done, long remainingRecords) {
      runOnceDone = done;
      runOnceRemaining = remainingRecords;
    }

    @Override
    public boolean isRunOnceDone() {
      return runOnceDone;
    }

    @Override
    public long getRunOnceRemainingRecords() {
      return runOnceRemaining;
    }

    private volatile long dataLossEvents;
    private volatile long recordsLost;

    @Override
    public long getDataLossEvents() {
      return dataLossEvents;
    }

    @Override
    public long getRecordsLost() {
      return recordsLost;
    }

    public void deadLettered() {
      deadLettered++;
    }

    @Override
    public long getBufferedRecords() {
      return bufferedRecords;
    }

    @Override
    public long getBufferedBytes() {
      return bufferedBytes;
    }

    @Override
    public long getBufferedHeapBytes() {
      return bufferedHeapBytes;
    }

    @Override
    public long getRecordsSentToDeadLetterQueue() {
      return deadLettered;
    }

    @Override
    public int getPartitionsPausedForMemory() {
      return paused;
    }
  }

  /** One table's commits. */
  public final class Table extends CommitStats implements TableMetricsMXBean {
    private final String location;
    private volatile long version = -1;
    private volatile long bytesRewritten;
    private volatile long lastBytesRewritten;
    private volatile long rowsReplaced;

    Table(Metrics registry, String location) {
      super(registry, "table:" + location, Map.of("table", location));
      this.location = location;
    }

    /** A commit of this table at {@code tableVersion}; counts for the task too. */
    public void committed(
        long tableVersion, long rows, long fileBytes, long fileCount, long latencyMs) {
      if (tableVersion >= 0) {
        version = tableVersion;
      }
      committed(rows, fileBytes, fileCount, latencyMs);
      task.committed(rows, fileBytes, fileCount, latencyMs);
    }

    /**
     * An upsert commit rewrote {@code bytes} of the table's files (bytes read, as the commit log
     * line says) and replaced or deleted {@code rows} of its rows.
     */
    public synchronized void upserted(long bytes, long rows) {
      lastBytesRewritten = bytes;
      bytesRewritten += bytes;
      rowsReplaced += rows;
    }

    @Override
    public long getUpsertBytesRewritten() {
      return bytesRewritten;
    }

    @Override
    public long getUpsertLastCommitBytesRewritten() {
      return lastBytesRewritten;
    }

    @Override
    public long getUpsertRowsReplaced() {
      return rowsReplaced;
    }

    @Override
    public String getLocation() {
      return location;
    }

    @Override
    public long getLastCommittedVersion() {
      return version;
    }
  }

  /** One owned partition's committed offset and lag. */
  public static final class Partition implements PartitionMetricsMXBean {
    private final String table;
    private final ObjectName name;
    private volatile long committed = -1;
    private volatile long received = -1;

    Partition(String table, ObjectName name) {
      this.table = table;
      this.name = name;
    }

    /**
     * @param committedOffset last offset in Delta; @param receivedOffset last offset received (or
     *     committed)
     */
    public void offsets(long committedOffset, long receivedOffset) {
      committed = committedOffset;
      received = receivedOffset;
    }

    @Override
    public String getTable() {
      return table;
    }

    @Override
    public long getLastCommittedOffset() {
      return committed;
    }

    @Override
    public long getCommitLag() {
      return Math.max(0, received - committed);
    }
  }
}
