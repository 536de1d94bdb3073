package io.deltasink.connect.delta.table.standalone;

import io.delta.standalone.DeltaLog;
import io.deltasink.connect.delta.table.Checkpointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the next versions of a table's log from a {@link LogTail} that it keeps current, so that a
 * commit reads only the commit files that appeared since the last one (PROTOCOL.md, "Delta Log
 * Entries"). A {@link Step} decides what to write on the current tail; when another writer took the
 * version, the step decides again on the tail that now holds the winning commits, which is how
 * Delta's optimistic concurrency resolves conflicts. Not thread-safe: its owner locks.
 */
final class LogWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

  /**
   * A tail that has not read the log for this long (or for half the table's {@code
   * delta.logRetentionDuration}, when that is shorter) loads the whole state again instead of
   * reading the commits it missed: expired log cleanup deletes commit files at least that old
   * (Delta's cleanup cutoff is {@code now - retention} rounded down to midnight), so a commit file
   * newer than the last look is still there, and a missing one means the table is at the tail's
   * version.
   */
  static final long RELOAD_AFTER_IDLE_NS = TimeUnit.MINUTES.toNanos(10);

  /** Versions lost to other writers in a row before an attempt gives up. */
  private static final int MAX_RACES = 1_000;

  private final String location;
  private final LogFiles files;
  private final LogTail tail;
  private final Checkpointer checkpointer;

  /** When the tail last read the log ({@link System#nanoTime}); 0: load it whole next time. */
  private long syncedAtNs;

  /** One commit: what to write on a given state of the table, and what it means once it landed. */
  interface Step<T> {
    /** The commit file's lines on {@code tail}, or null when nothing needs writing. */
    List<String> decide(LogTail tail);

    /** The result once the lines landed as {@code version}. */
    T landed(long version);

    /** The result when {@link #decide} found nothing to write. */
    T unchanged();

    /** The result when the table has no version yet: nothing was decided or written. */
    T noTable();
  }

  /**
   * @param smallFileBytes files below this size are tracked for compaction (0: none)
   */
  LogWriter(String location, DeltaLog log, Configuration conf, long smallFileBytes) {
    this.location = location;
    this.files = new LogFiles(log, conf);
    this.tail = new LogTail(smallFileBytes, files::relative);
    this.checkpointer = new Checkpointer(location, files::checkpoint);
  }

  /**
   * The tail, brought up to date: the commit files after its version one by one, or the whole state
   * when it never loaded or sat idle past {@link #RELOAD_AFTER_IDLE_NS}.
   *
   * @throws io.deltasink.connect.delta.table.NewerProtocolException when the table's protocol needs
   *     a newer writer
   * @throws RetriableException when storage fails
   */
  LogTail sync() {
    long now = System.nanoTime();
    long reloadAfter =
        Math.min(RELOAD_AFTER_IDLE_NS, TimeUnit.MILLISECONDS.toNanos(tail.logRetentionMs() / 2));
    if (syncedAtNs == 0 || now - syncedAtNs > reloadAfter) {
      StandaloneErrors.guard(
          location,
          () -> {
            files.loadInto(tail);
            return null;
          });
    } else {
      while (StandaloneErrors.guard(location, this::readNext)) {
        // one commit file per round
      }
    }
    syncedAtNs = now;
    if (!tail.protocolSupported()) {
      throw new io.deltasink.connect.delta.table.NewerProtocolException(
          "Delta table "
              + location
              + " needs a newer Delta protocol than Delta Standalone writes "
              + "(reader version 1, writer version 2); the table has "
              + tail.protocol());
    }
    return tail;
  }

  /**
   * Makes the tail track every live data file from now on ({@link LogTail#trackAllFiles}), loading
   * the whole state once.
   */
  void trackAllFiles() {
    if (tail.trackAllFiles()) {
      reload();
    }
  }

  /** Makes the next {@link #sync} load the whole state (after a commit not written here). */
  void reload() {
    syncedAtNs = 0;
  }

  private boolean readNext() {
    try {
      return files.readInto(tail, tail.version() + 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Commits the next version as {@code step} decides, deciding again after each version another
   * writer took.
   *
   * @throws ConcurrentModificationException after {@link #MAX_RACES} versions lost in a row
   * @throws RetriableException when storage fails; a failed write may have landed
   */
  <T> T commitNext(Step<T> step) {
    for (int race = 0; ; race++) {
      if (sync().version() < 0) {
        return step.noTable();
      }
      List<String> lines = step.decide(tail);
      if (lines == null) {
        return step.unchanged();
      }
      long version = tail.version() + 1;
      try {
        files.write(version, lines);
      } catch (FileAlreadyExistsException e) {
        if (race >= MAX_RACES) {
          throw new ConcurrentModificationException(
              "lost the race for the next version of " + location + " " + race + " times");
        }
        LOG.debug("Delta version {} of {} was taken by another writer", version, location);
        continue;
      } catch (IOException e) {
        throw new RetriableException(
            "Storage error writing Delta version "
                + version
                + " of "
                + location
                + " (it may have landed): "
                + e.getMessage(),
            e);
      }
      tail.apply(version, lines.iterator());
      checkpointer.afterCommit(version, tail.property(CHECKPOINT_INTERVAL, "10"));
      return step.landed(version);
    }
  }

  private static final String CHECKPOINT_INTERVAL =
      io.deltasink.connect.delta.table.TableProperties.CHECKPOINT_INTERVAL;

  /**
   * Whether commit file {@code version} exists and adds {@code path}.
   *
   * @throws RetriableException when it cannot be read
   */
  boolean holdsAdd(long version, String path) {
    return StandaloneErrors.guard(
        location,
        () -> {
          try {
            return files.holdsAdd(version, path);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** See {@link io.deltasink.connect.delta.table.TableLog#referenced}. */
  java.util.Set<String> referenced(java.util.Set<String> paths) {
    return StandaloneErrors.guard(location, () -> files.referenced(paths));
  }

  @Override
  public void close() {
    checkpointer.close();
  }
}
