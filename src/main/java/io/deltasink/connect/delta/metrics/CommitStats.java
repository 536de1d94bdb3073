package io.deltasink.connect.delta.metrics;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Percentile;
import org.apache.kafka.common.metrics.stats.Percentiles;
import org.apache.kafka.common.metrics.stats.Percentiles.BucketSizing;

/**
 * Commit counters and commit latency percentiles of a task or of one table, kept in Kafka's metrics
 * library ({@code org.apache.kafka.common.metrics}): cumulative sums and a count, and a {@link
 * Percentiles} histogram. Thread-safe: the commits of several tables run on the task's commit
 * threads and JMX clients read on theirs; a {@link Sensor} records, and its metrics are read, under
 * the sensor's lock.
 *
 * <p>Latency percentiles come from a histogram of {@value #LATENCY_BUCKETS} buckets over 0 to
 * {@value #LATENCY_MAX_MS} ms whose widths grow linearly ({@link BucketSizing#LINEAR}): a figure is
 * the lower bound of its bucket, less than 3 ms below the true value up to 20 ms, 6% below at 100
 * ms and 2% from 1 s; a longer commit counts as just under {@value #LATENCY_MAX_MS} ms (the last
 * buckets). The window is counted in commits, never in time, so the figures describe the recent
 * commits however long ago they ran: {@value #SAMPLES} samples of {@value #COMMITS_PER_SAMPLE}
 * commits, plus the one being filled on Kafka 3.8+ clients, cover the last 769 to 1,024 commits
 * (513 to 768 on a worker with older clients).
 */
public class CommitStats implements CommitStatsView {
  /** The metric group of these metrics in their {@link Metrics} registry. */
  static final String GROUP = "delta-sink-commits";

  static final int LATENCY_MAX_MS = 300_000;
  static final int LATENCY_BUCKETS = 2_000;
  static final int SAMPLES = 3;
  static final int COMMITS_PER_SAMPLE = 256;

  /** A sensor with the one metric read back from it. */
  private record Counter(Sensor sensor, KafkaMetric total) {
    static Counter of(
        Metrics registry,
        String sensor,
        String name,
        String description,
        Map<String, String> tags) {
      Sensor s = registry.sensor(sensor);
      MetricName n = registry.metricName(name, GROUP, description, tags);
      s.add(n, new CumulativeSum());
      return new Counter(s, registry.metric(n));
    }
  }

  private final Counter rows;
  private final Counter bytes;
  private final Counter files;
  private final Sensor commits;
  private final KafkaMetric commitCount;
  private final KafkaMetric latencyP50;
  private final KafkaMetric latencyP99;

  /**
   * @param registry where the sensors live; {@link Metrics#close() closing} it ends them
   * @param scope names these sensors in the registry, unique per instance ("task",
   *     "table:<location>")
   * @param tags tags of the metric names (the table's location), empty for the task
   */
  protected CommitStats(Metrics registry, String scope, Map<String, String> tags) {
    rows =
        Counter.of(
            registry,
            scope + ".rows",
            "records-written-total",
            "Rows in committed Delta versions",
            tags);
    bytes =
        Counter.of(
            registry,
            scope + ".bytes",
            "bytes-written-total",
            "Bytes of committed Parquet files",
            tags);
    files =
        Counter.of(
            registry, scope + ".files", "files-written-total", "Committed Parquet files", tags);
    // A sample completes after COMMITS_PER_SAMPLE commits and never by age: the largest time window
    // whose multiple by the sample count (Kafka's expiry age) cannot overflow.
    MetricConfig window =
        new MetricConfig()
            .samples(SAMPLES)
            .eventWindow(COMMITS_PER_SAMPLE)
            .timeWindow(Long.MAX_VALUE / (SAMPLES + 1), TimeUnit.MILLISECONDS);
    commits = registry.sensor(scope + ".commits", window);
    MetricName count = registry.metricName("commit-total", GROUP, "Delta commits", tags);
    MetricName p50 =
        registry.metricName("commit-latency-p50-ms", GROUP, "Median commit duration (ms)", tags);
    MetricName p99 =
        registry.metricName(
            "commit-latency-p99-ms", GROUP, "99th percentile commit duration (ms)", tags);
    commits.add(count, new CumulativeCount());
    commits.add(
        new Percentiles(
            LATENCY_BUCKETS * Float.BYTES,
            LATENCY_MAX_MS,
            BucketSizing.LINEAR,
            new Percentile(p50, 50),
            new Percentile(p99, 99)));
    commitCount = registry.metric(count);
    latencyP50 = registry.metric(p50);
    latencyP99 = registry.metric(p99);
  }

  /** One Delta commit: its rows, bytes and files, and how long it took (ms). */
  public void committed(long rowsCommitted, long fileBytes, long fileCount, long latencyMs) {
    rows.sensor.record(rowsCommitted);
    bytes.sensor.record(fileBytes);
    files.sensor.record(fileCount);
    commits.record(latencyMs);
  }

  @Override
  public long getRecordsWritten() {
    return value(rows.total);
  }

  @Override
  public long getBytesWritten() {
    return value(bytes.total);
  }

  @Override
  public long getFilesWritten() {
    return value(files.total);
  }

  @Override
  public long getCommits() {
    return value(commitCount);
  }

  @Override
  public long getCommitLatencyP50Ms() {
    return latency(latencyP50);
  }

  @Override
  public long getCommitLatencyP99Ms() {
    return latency(latencyP99);
  }

  private static long value(KafkaMetric m) {
    return Math.round((Double) m.metricValue());
  }

  /** Kafka reports NaN before the first commit; these attributes have always said -1. */
  private static long latency(KafkaMetric m) {
    double v = (Double) m.metricValue();
    return Double.isNaN(v) ? -1 : Math.round(Math.min(v, LATENCY_MAX_MS));
  }
}
