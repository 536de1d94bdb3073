package io.deltasink.connect.delta.bench;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The soak benchmark: months of one table's life on this machine ({@link SoakRun}: 6 partitions, a
 * few records each, one Delta commit per round), with one row per window of versions: commit
 * latency, checkpoints, live files, {@code _delta_log}, heap and RSS ({@link SoakRow}). Not a test:
 * run through src/bench/soak.sh, which also documents the options.
 *
 * <p>Argument: commits (default 50,000). System properties: {@code soak.window} (commits per row,
 * default 5,000), {@code soak.records.per.partition} (default 20), {@code soak.compaction}
 * (true/false: the connector's {@value SoakRun#COMPACTION_CONFIG}; unset leaves the connector's
 * default), {@code soak.connector.<key>=<value>} (any connector setting), {@code soak.table} (an
 * empty or new directory for the table; default one under {@code soak.out}), {@code soak.keep}
 * (keep the table afterwards), {@code soak.out} (reports, default {@code target/soak}), {@code
 * soak.label} (written into the reports, for example the commit measured), {@code soak.min.free.gb}
 * (stop when the disk has less free space, default 10).
 */
public final class SoakBench {
  private static final String CONNECTOR_PREFIX = "soak.connector.";

  private SoakBench() {}

  public static void main(String[] args) throws IOException {
    int commits = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 50_000;
    int window = Integer.getInteger("soak.window", 5_000);
    int perPartition =
        Integer.getInteger("soak.records.per.partition", SoakRun.DEFAULT_RECORDS_PER_PARTITION);
    Map<String, String> settings = connectorSettings(System.getProperties());
    Path out = Path.of(System.getProperty("soak.out", "target/soak"));
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path table =
        Path.of(System.getProperty("soak.table", out.resolve("table-" + stamp).toString()))
            .toAbsolutePath();
    boolean keep = Boolean.getBoolean("soak.keep");
    long minFreeGb = Long.getLong("soak.min.free.gb", SoakRun.DEFAULT_MIN_FREE_BYTES >> 30);
    String label = System.getProperty("soak.label", "");
    if (Files.exists(table)) {
      try (Stream<Path> s = Files.list(table)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException(
              "soak.table " + table + " is not empty: a soak run starts a new table");
        }
      }
    }
    SoakRun run = new SoakRun(table, settings, perPartition, minFreeGb << 30);
    new DeltaSinkConfig(run.connectorConfig()); // a setting this code does not know fails here
    Files.createDirectories(out);
    String describe =
        String.format(
            Locale.ROOT,
            "%,d commits of %d partitions x %d records (one Delta version of %d files each), "
                + "window %,d; connector settings: %s%s",
            commits,
            SoakRun.PARTITIONS,
            perPartition,
            SoakRun.PARTITIONS,
            window,
            settings.isEmpty() ? "none beyond the run's own" : settings,
            label.isEmpty() ? "" : "; " + label);
    System.out.println("[soak] " + describe);
    System.out.println("[soak] table " + table + (keep ? " (kept)" : " (deleted at the end)"));
    // Written row by row: a run that dies (out of memory, interrupted) keeps what it measured.
    Path csv = out.resolve("soak-" + stamp + ".csv");
    Path md = out.resolve("soak-" + stamp + ".md");
    Files.writeString(csv, String.join(",", SoakRow.COLUMNS) + "\n");
    Files.writeString(md, "Soak run: " + describe + "\n\n" + SoakRow.markdownHeader());
    System.out.println(SoakRow.consoleHeader());
    long start = System.nanoTime();
    List<SoakRow> rows = new ArrayList<>();
    String stopped = null;
    try {
      run.run(
          commits,
          window,
          row -> {
            rows.add(row);
            System.out.println(row.console());
            append(csv, row.csv() + "\n");
            append(md, row.markdown() + "\n");
          });
    } catch (IllegalStateException e) {
      stopped = "[soak] " + e.getMessage();
      System.out.println(stopped);
      append(md, "\n" + stopped + "\n");
    } finally {
      if (!keep) {
        delete(table);
      }
    }
    if (!rows.isEmpty()) {
      String summary = summary(rows, (System.nanoTime() - start) / 1e9);
      System.out.println(summary);
      append(md, "\n" + summary + "\n");
    }
    System.out.println("[soak] rows written to " + csv + " and " + md);
    if (stopped != null) {
      System.exit(1);
    }
  }

  private static void append(Path file, String text) {
    try {
      Files.writeString(file, text, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code soak.compaction} as {@value SoakRun#COMPACTION_CONFIG}, then every {@code
   * soak.connector.<key>} as {@code <key>}.
   */
  static Map<String, String> connectorSettings(Properties props) {
    Map<String, String> out = new TreeMap<>();
    String compaction = props.getProperty("soak.compaction");
    if (compaction != null) {
      out.put(SoakRun.COMPACTION_CONFIG, compaction);
    }
    for (String key : props.stringPropertyNames()) {
      if (key.startsWith(CONNECTOR_PREFIX) && key.length() > CONNECTOR_PREFIX.length()) {
        out.put(key.substring(CONNECTOR_PREFIX.length()), props.getProperty(key));
      }
    }
    return out;
  }

  private static String summary(List<SoakRow> rows, double seconds) {
    SoakRow first = rows.get(0);
    SoakRow last = rows.get(rows.size() - 1);
    int commits = rows.stream().mapToInt(SoakRow::commits).sum();
    return String.format(
        Locale.ROOT,
        "[soak] summary: %,d commits in %.1f s (%.1f commits/s, measurements included); "
            + "commit p50 %.1f -> %.1f ms, p99 %.1f -> %.1f ms (first -> last window); "
            + "version %d: %,d live files, avg %.1f KiB; _delta_log %,d files, %.1f MB; "
            + "heap after GC %.1f MB; peak RSS %.1f MB",
        commits,
        seconds,
        commits / seconds,
        first.p50Ms(),
        last.p50Ms(),
        first.p99Ms(),
        last.p99Ms(),
        last.lastVersion(),
        last.liveFiles(),
        last.avgFileKb(),
        last.logFiles(),
        last.logBytes() / 1024.0 / 1024.0,
        last.heapAfterGcBytes() / 1024.0 / 1024.0,
        last.peakRssBytes() / 1024.0 / 1024.0);
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
