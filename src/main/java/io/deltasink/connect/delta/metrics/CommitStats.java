package io.deltasink.connect.delta.metrics;

import java.util.Arrays;

/**
 * Commit counters and a reservoir of the last 1,024 commit latencies. Written by the task thread,
 * read by JMX threads.
 */
public class CommitStats implements CommitStatsView {
  private static final int LATENCIES = 1024;
  private volatile long records;
  private volatile long bytes;
  private volatile long files;
  private volatile long commits;
  private final long[] latencies = new long[LATENCIES];

  /** One Delta commit: its rows, bytes and files, and how long it took (ms). */
  public void committed(long rows, long fileBytes, long fileCount, long latencyMs) {
    records += rows;
    bytes += fileBytes;
    files += fileCount;
    synchronized (latencies) {
      latencies[(int) (commits % LATENCIES)] = latencyMs;
      commits++;
    }
  }

  @Override
  public long getRecordsWritten() {
    return records;
  }

  @Override
  public long getBytesWritten() {
    return bytes;
  }

  @Override
  public long getFilesWritten() {
    return files;
  }

  @Override
  public long getCommits() {
    return commits;
  }

  @Override
  public long getCommitLatencyP50Ms() {
    return percentile(0.50);
  }

  @Override
  public long getCommitLatencyP99Ms() {
    return percentile(0.99);
  }

  private long percentile(double p) {
    long[] sorted;
    synchronized (latencies) {
      int n = (int) Math.min(commits, LATENCIES);
      if (n == 0) {
        return -1;
      }
      sorted = Arrays.copyOf(latencies, n);
    }
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }
}
