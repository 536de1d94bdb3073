package io.deltasink.connect.delta.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commit counters and latency percentiles as the MXBeans expose them, kept in Kafka's metrics
 * library.
 */
class CommitStatsTest {
  private final Metrics registry = new Metrics(new MetricConfig(), List.of(), Time.SYSTEM);
  private final CommitStats stats = new CommitStats(registry, "table:t", Map.of("table", "t"));

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void beforeAnyCommitCountsAreZeroAndLatenciesMinusOne() {
    assertThat(stats.getCommits()).isZero();
    assertThat(stats.getRecordsWritten()).isZero();
    assertThat(stats.getCommitLatencyP50Ms()).isEqualTo(-1);
    assertThat(stats.getCommitLatencyP99Ms()).isEqualTo(-1);
  }

  @Test
  void countsAddUpAndPercentilesComeFromTheHistogram() {
    for (int ms = 1; ms <= 1_000; ms++) {
      stats.committed(10, 1_000, 2, ms);
    }
    assertThat(stats.getCommits()).isEqualTo(1_000);
    assertThat(stats.getRecordsWritten()).isEqualTo(10_000);
    assertThat(stats.getBytesWritten()).isEqualTo(1_000_000);
    assertThat(stats.getFilesWritten()).isEqualTo(2_000);
    // Exact: 500 and 990; a bucket's lower bound is at most about 2% below from 500 ms on.
    assertThat(stats.getCommitLatencyP50Ms()).isBetween(490L, 500L);
    assertThat(stats.getCommitLatencyP99Ms()).isBetween(970L, 990L);
  }

  @Test
  void aSingleShortCommitIsReportedWithinItsBucket() {
    stats.committed(1, 1, 1, 100);
    assertThat(stats.getCommitLatencyP50Ms()).isBetween(94L, 100L);
    assertThat(stats.getCommitLatencyP99Ms()).isBetween(94L, 100L);
  }

  @Test
  void theWindowHoldsTheLatestCommitsAndLongOnesArePinnedToTheMaximum() {
    for (int i = 0; i < 1_024; i++) {
      stats.committed(1, 1, 1, 3_600_000);
    }
    // Pinned to the histogram's maximum: the lower bound of one of its last buckets.
    long pinned = stats.getCommitLatencyP50Ms();
    assertThat(pinned)
        .isBetween(CommitStats.LATENCY_MAX_MS - 600L, (long) CommitStats.LATENCY_MAX_MS);
    for (int i = 0; i < 512; i++) {
      stats.committed(1, 1, 1, 50);
    }
    assertThat(stats.getCommitLatencyP99Ms())
        .as("512 fast commits do not fill the window")
        .isEqualTo(pinned);
    for (int i = 0; i < 512; i++) {
      stats.committed(1, 1, 1, 50);
    }
    assertThat(stats.getCommitLatencyP99Ms())
        .as("1,024 fast commits replace every slow one")
        .isBetween(45L, 50L);
    assertThat(stats.getCommits()).isEqualTo(2_048);
  }

  @Test
  void commitsOfSeveralTablesOnCommitThreadsAreAllCounted() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  stats.committed(1, 3, 1, 10);
                }
              });
      w.start();
      workers.add(w);
    }
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    assertThat(stats.getCommits()).isEqualTo((long) threads * perThread);
    assertThat(stats.getRecordsWritten()).isEqualTo((long) threads * perThread);
    assertThat(stats.getBytesWritten()).isEqualTo(3L * threads * perThread);
  }
}
