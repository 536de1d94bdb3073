package io.deltasink.connect.delta.bench;

import java.util.List;
import java.util.Locale;

/**
 * One window of a soak run ({@link SoakRun}): a range of table versions and what the table and the
 * process looked like at its end. Latencies are wall milliseconds of the {@code preCommit} call
 * that made each commit; table figures are read after the window's last commit, outside the timed
 * calls.
 *
 * @param firstVersion first table version written in the window
 * @param lastVersion the table's version at the end of the window (read from the log; above {@code
 *     firstVersion + commits - 1} when something else, such as compaction, also committed)
 * @param commits rounds in the window, one {@code preCommit} commit each
 * @param p50Ms median commit latency (ms)
 * @param p99Ms 99th percentile commit latency (ms, nearest rank)
 * @param maxMs slowest commit (ms)
 * @param checkpointFiles checkpoint files ({@code <version>.checkpoint*.parquet}) that appeared in
 *     {@code _delta_log} during the window
 * @param checkpointWriteP50Ms median time to write a checkpoint (ms), over the checkpoints that
 *     landed in the window ({@link SoakProbe#checkpointWriteMicros}: from the version's commit file
 *     to {@code _last_checkpoint}, whether the writer checkpoints inside the commit or on another
 *     thread); 0 without any
 * @param checkpointWriteMaxMs the slowest of them (ms), 0 without any
 * @param checkpointWriteTotalMs their sum (ms): time spent writing checkpoints in the window
 * @param checkpointCommits commits whose version has a checkpoint file at the window's end
 * @param checkpointCommitP50Ms median latency of those commits (ms), 0 without any: above the
 *     others' when the checkpoint is written inside the commit
 * @param checkpointCommitMaxMs the slowest of those commits (ms), 0 without any
 * @param liveFiles data files in the latest snapshot (what a reader scans)
 * @param liveBytes their total size (bytes)
 * @param logFiles files in {@code _delta_log}
 * @param logBytes their total size (bytes)
 * @param heapAfterGcBytes heap used right after {@code System.gc()} (the process: the task and this
 *     harness, which holds the sample messages, about 3 MB)
 * @param rssBytes resident memory of the process at the end of the window ({@code VmRSS})
 * @param peakRssBytes peak resident memory of the process so far ({@code VmHWM})
 * @param wallSeconds the window's rounds (put, preCommit, the per-round checks), without the
 *     measurements at its end
 */
public record SoakRow(
    long firstVersion,
    long lastVersion,
    int commits,
    double p50Ms,
    double p99Ms,
    double maxMs,
    int checkpointFiles,
    double checkpointWriteP50Ms,
    double checkpointWriteMaxMs,
    long checkpointWriteTotalMs,
    int checkpointCommits,
    double checkpointCommitP50Ms,
    double checkpointCommitMaxMs,
    long liveFiles,
    long liveBytes,
    long logFiles,
    long logBytes,
    long heapAfterGcBytes,
    long rssBytes,
    long peakRssBytes,
    double wallSeconds) {

  private static final double MB = 1024.0 * 1024.0;

  /** Average size of a live data file (KiB), 0 without any. */
  public double avgFileKb() {
    return liveFiles == 0 ? 0 : liveBytes / 1024.0 / liveFiles;
  }

  /** Column names, in the order of {@link #csv()}. */
  public static final List<String> COLUMNS =
      List.of(
          "versions",
          "commits",
          "p50_ms",
          "p99_ms",
          "max_ms",
          "ckpt_files",
          "ckpt_write_p50_ms",
          "ckpt_write_max_ms",
          "ckpt_write_total_ms",
          "ckpt_commits",
          "ckpt_commit_p50_ms",
          "ckpt_commit_max_ms",
          "live_files",
          "avg_file_kb",
          "log_files",
          "log_mb",
          "heap_after_gc_mb",
          "rss_mb",
          "peak_rss_mb",
          "wall_s");

  private List<String> cells() {
    return List.of(
        firstVersion + "-" + lastVersion,
        Integer.toString(commits),
        f1(p50Ms),
        f1(p99Ms),
        f1(maxMs),
        Integer.toString(checkpointFiles),
        f1(checkpointWriteP50Ms),
        f1(checkpointWriteMaxMs),
        Long.toString(checkpointWriteTotalMs),
        Integer.toString(checkpointCommits),
        f1(checkpointCommitP50Ms),
        f1(checkpointCommitMaxMs),
        Long.toString(liveFiles),
        f1(avgFileKb()),
        Long.toString(logFiles),
        f1(logBytes / MB),
        f1(heapAfterGcBytes / MB),
        f1(rssBytes / MB),
        f1(peakRssBytes / MB),
        f1(wallSeconds));
  }

  /** One CSV line (no quoting needed: no cell holds a comma). */
  public String csv() {
    return String.join(",", cells());
  }

  /** One markdown table line. */
  public String markdown() {
    return "| " + String.join(" | ", cells()) + " |";
  }

  /** The markdown table's header and separator lines. */
  public static String markdownHeader() {
    return "| " + String.join(" | ", COLUMNS) + " |\n|" + "---|".repeat(COLUMNS.size()) + "\n";
  }

  /** A fixed-width console line; {@link #consoleHeader()} names its columns. */
  public String console() {
    StringBuilder out = new StringBuilder();
    List<String> cells = cells();
    for (int i = 0; i < cells.size(); i++) {
      out.append(
          String.format(Locale.ROOT, i == 0 ? "%-13s" : " %" + width(i) + "s", cells.get(i)));
    }
    return out.toString();
  }

  /** The header line of {@link #console()}. */
  public static String consoleHeader() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < COLUMNS.size(); i++) {
      out.append(
          String.format(Locale.ROOT, i == 0 ? "%-13s" : " %" + width(i) + "s", COLUMNS.get(i)));
    }
    return out.toString();
  }

  private static int width(int column) {
    return Math.max(7, COLUMNS.get(column).length());
  }

  private static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
