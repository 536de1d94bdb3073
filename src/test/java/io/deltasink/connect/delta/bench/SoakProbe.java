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

  private final Path table;
  private final Path log;
  private final Engine engine = DefaultEngine.create(new Configuration());

  SoakProbe(Path table) {
    this.table = table;
    this.log = table.resolve("_delta_log");
  }

  /** The latest snapshot: its version, and its data files' count and total size (bytes). */
  record Live(long version, long files, long bytes) {}

  /** {@code _delta_log}: every file in it, their size (bytes), and how many are checkpoints. */
  record LogDir(long files, long bytes, int checkpointFiles) {}

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
    try (Stream<Path> s = Files.list(log)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        try {
          bytes += Files.size(p);
        } catch (NoSuchFileException e) {
          continue; // a temporary file renamed away meanwhile
        }
        files++;
        String name = p.getFileName().toString();
        if (name.contains(".checkpoint") && name.endsWith(".parquet")) {
          checkpoints++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LogDir(files, bytes, checkpoints);
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
