package io.deltasink.connect.delta.bench;

import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/**
 * What a soak run reads about the table and the process, always outside the timed calls: the latest
 * snapshot's live files (through Delta Kernel, a reader independent of the Standalone library the
 * connector writes with), the {@code _delta_log} directory, {@code _last_checkpoint}, the heap
 * after a collection and the process's resident memory ({@code /proc/self/status}).
 */
final class SoakProbe {
  private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*(\\d+)");

  /** {@code <version>.checkpoint.parquet}, or one part of a multi-part or V2 checkpoint. */
  private static final Pattern CHECKPOINT = Pattern.compile("(\\d{20})\\.checkpoint\\..*parquet");

  private final Path table;
  private final Path log;
  private final Engine engine = DefaultEngine.create(new Configuration());

  SoakProbe(Path table) {
    this.table = table;
    this.log = table.resolve("_delta_log");
  }

  /** The latest snapshot: its version, and its data files' count and total size (bytes). */
  record Live(long version, long files, long bytes) {}

  /**
   * {@code _delta_log}: every file in it, their size (bytes), how many are checkpoint files, and
   * the versions that have a checkpoint.
   */
  record LogDir(long files, long bytes, int checkpointFiles, Set<Long> checkpointVersions) {}

  /**
   * The version {@code _last_checkpoint} names, -1 while there is none: one small read, cheap
   * enough after every commit. Delta writers rewrite it after each checkpoint.
   */
  long lastCheckpointVersion() {
    try {
      Matcher m = VERSION.matcher(Files.readString(log.resolve("_last_checkpoint")));
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (NoSuchFileException e) {
      return -1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The newest version whose commit file exists, looking forward from {@code known} (-1: none yet):
   * one status call per new version and one more, cheap enough after every commit.
   */
  long latestVersion(long known) {
    long v = known;
    while (Files.exists(commitFile(v + 1))) {
      v++;
    }
    return v;
  }

  /**
   * How long checkpoint {@code version} took to write (microseconds): from its version's commit
   * file to {@code _last_checkpoint}, by their modification times (a few milliseconds of file
   * system time resolution). A writer checkpoints after the commit, inside it or on another thread,
   * and rewrites {@code _last_checkpoint} last. -1 when the commit file is gone (log cleanup).
   */
  long checkpointWriteMicros(long version) {
    try {
      long committed = mtimeMicros(commitFile(version));
      return mtimeMicros(log.resolve("_last_checkpoint")) - committed;
    } catch (NoSuchFileException e) {
      return -1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path commitFile(long version) {
    return log.resolve(String.format(Locale.ROOT, "%020d.json", version));
  }

  private static long mtimeMicros(Path p) throws IOException {
    return Files.getLastModifiedTime(p).to(TimeUnit.MICROSECONDS);
  }

  /** Replays the log up to its latest version, as a reader planning a full scan does. */
  Live live() {
    Snapshot snapshot = Table.forPath(engine, table.toUri().toString()).getLatestSnapshot(engine);
    long files = 0;
    long bytes = 0;
    try (CloseableIterator<FilteredColumnarBatch> batches =
        snapshot.getScanBuilder().build().getScanFiles(engine)) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> rows = batches.next().getRows()) {
          while (rows.hasNext()) {
            bytes += InternalScanFileUtils.getAddFileStatus(rows.next()).getSize();
            files++;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Live(snapshot.getVersion(), files, bytes);
  }

  LogDir logDir() {
    long files = 0;
    long bytes = 0;
    int checkpoints = 0;
    Set<Long> versions = new TreeSet<>();
    try (Stream<Path> s = Files.list(log)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        try {
          bytes += Files.size(p);
        } catch (NoSuchFileException e) {
          continue; // a temporary file renamed away meanwhile
        }
        files++;
        String name = p.getFileName().toString();
        Matcher m = CHECKPOINT.matcher(name);
        if (m.matches()) {
          checkpoints++;
          versions.add(Long.parseLong(m.group(1)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LogDir(files, bytes, checkpoints, versions);
  }

  /** Heap used (bytes) right after a full collection. */
  static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * {@code VmRSS} and {@code VmHWM} of this process (bytes), from {@code /proc/self/status}; -1
   * each where that file does not exist (not Linux).
   */
  static long[] residentBytes() {
    long[] out = {-1, -1};
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        int i = line.startsWith("VmRSS:") ? 0 : line.startsWith("VmHWM:") ? 1 : -1;
        if (i >= 0) {
          // "VmHWM:	  123456 kB"
          out[i] = Long.parseLong(List.of(line.split("\\s+")).get(1)) * 1024;
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
