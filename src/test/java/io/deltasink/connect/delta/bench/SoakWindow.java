package io.deltasink.connect.delta.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * The commits of one window of a soak run ({@link SoakRun}), made into a {@link SoakRow} by {@link
 * #measure} at its end.
 */
final class SoakWindow {
  private final long[] nanos;
  private final long[] fromVersion;
  private final long[] toVersion;
  private final List<Long> checkpointWriteMicros = new ArrayList<>();
  private final long firstVersion;
  private final int checkpointFilesBefore;
  private final long startNanos = System.nanoTime();
  private int n;

  /**
   * @param size commits in the window
   * @param firstVersion the first table version the window writes
   * @param checkpointFilesBefore checkpoint files in {@code _delta_log} when it begins
   */
  SoakWindow(int size, long firstVersion, int checkpointFilesBefore) {
    this.nanos = new long[size];
    this.fromVersion = new long[size];
    this.toVersion = new long[size];
    this.firstVersion = firstVersion;
    this.checkpointFilesBefore = checkpointFilesBefore;
  }

  /** One commit call of {@code ns} that wrote the versions {@code from} to {@code to}. */
  void commit(long ns, long from, long to) {
    nanos[n] = ns;
    fromVersion[n] = from;
    toVersion[n] = to;
    n++;
  }

  /** A checkpoint landed during the window, written in {@code micros}. */
  void checkpointWritten(long micros) {
    checkpointWriteMicros.add(micros);
  }

  boolean full() {
    return n == nanos.length;
  }

  /** Reads the table and the process ({@link SoakProbe}) and makes the window's row. */
  SoakRow measure(SoakProbe probe) {
    double wallSeconds = (System.nanoTime() - startNanos) / 1e9;
    SoakProbe.LogDir log = probe.logDir();
    SoakProbe.Live live = probe.live();
    long heap = SoakProbe.heapAfterGc();
    long[] rss = SoakProbe.residentBytes();
    long[] all = Arrays.copyOf(nanos, n);
    long[] ckpt = checkpointCommits(log.checkpointVersions());
    long[] writes = checkpointWriteMicros.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(all);
    Arrays.sort(ckpt);
    Arrays.sort(writes);
    return new SoakRow(
        firstVersion,
        live.version(),
        n,
        ms(percentile(all, 0.5)),
        ms(percentile(all, 0.99)),
        ms(all[n - 1]),
        log.checkpointFiles() - checkpointFilesBefore,
        writes.length == 0 ? 0 : percentile(writes, 0.5) / 1e3,
        writes.length == 0 ? 0 : writes[writes.length - 1] / 1e3,
        Math.round(Arrays.stream(writes).sum() / 1e3),
        ckpt.length,
        ckpt.length == 0 ? 0 : ms(percentile(ckpt, 0.5)),
        ckpt.length == 0 ? 0 : ms(ckpt[ckpt.length - 1]),
        live.files(),
        live.bytes(),
        log.files(),
        log.bytes(),
        heap,
        rss[0],
        rss[1],
        wallSeconds);
  }

  /** Checkpoint files in {@code _delta_log} after the window. */
  int checkpointFilesAfter(SoakRow row) {
    return checkpointFilesBefore + row.checkpointFiles();
  }

  /** Latencies of the commits that wrote a version in {@code checkpointed}. */
  private long[] checkpointCommits(Set<Long> checkpointed) {
    return IntStream.range(0, n)
        .filter(
            i ->
                LongStream.rangeClosed(fromVersion[i], toVersion[i])
                    .anyMatch(checkpointed::contains))
        .mapToLong(i -> nanos[i])
        .toArray();
  }

  /** Nearest rank: the smallest value with at least {@code q} of the sorted values at or below. */
  static long percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
