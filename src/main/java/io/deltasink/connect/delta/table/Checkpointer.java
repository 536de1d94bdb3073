package io.deltasink.connect.delta.table;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a table's checkpoints off the commit path (PROTOCOL.md, "Checkpoints"): the writer of
 * version {@code v} checkpoints it when {@code v} is a multiple of {@code delta.checkpointInterval}
 * (the rule Delta writers follow, so each checkpoint has one writer), on a background thread that
 * exists only while it works. A checkpoint still being written when the next one is due makes the
 * sink skip the next one: checkpoints are an optimisation for readers, any version may have one,
 * and a slow one must not pile up work. A failed checkpoint is logged and left to the next one.
 */
public final class Checkpointer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

  private final String location;
  private final java.util.function.LongConsumer writer;
  private final ExecutorService executor;
  private final AtomicBoolean busy = new AtomicBoolean();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  /**
   * @param writer writes the checkpoint of a version (on the background thread); a RuntimeException
   *     it throws is logged and the checkpoint left to the next interval
   */
  public Checkpointer(String location, java.util.function.LongConsumer writer) {
    this.location = location;
    this.writer = writer;
    this.executor = BackgroundThread.create("delta-checkpoint", 30);
  }

  /**
   * Called after this writer committed {@code version}.
   *
   * @param interval the table's {@code delta.checkpointInterval} as the table stores it (text;
   *     Delta's default 10 when not a positive number)
   */
  public void afterCommit(long version, String interval) {
    long every = parseInterval(interval);
    if (version <= 0 || version % every != 0) {
      return;
    }
    if (!busy.compareAndSet(false, true)) {
      skipped.incrementAndGet();
      LOG.info(
          "Skipping the checkpoint of version {} of {}: the previous one is still being written",
          version,
          location);
      return;
    }
    try {
      executor.execute(() -> write(version));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      busy.set(false);
    }
  }

  private void write(long version) {
    long start = System.nanoTime();
    try {
      writer.accept(version);
      written.incrementAndGet();
      LOG.info(
          "Wrote the checkpoint of version {} of {} in {} ms",
          version,
          location,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (RuntimeException e) {
      LOG.warn(
          "The checkpoint of version {} of {} failed; the next one is due in an interval: {}",
          version,
          location,
          e.toString());
    } finally {
      busy.set(false);
    }
  }

  public static long parseInterval(String interval) {
    try {
      long v = Long.parseLong(interval.trim());
      return v > 0 ? v : 10;
    } catch (NumberFormatException | NullPointerException e) {
      return 10;
    }
  }

  /** Checkpoints written (for tests and metrics). */
  public long written() {
    return written.get();
  }

  /** Checkpoints skipped because the previous one was still being written. */
  public long skipped() {
    return skipped.get();
  }

  /**
   * Stops taking work and waits up to {@link #CLOSE_WAIT_MS} for a checkpoint being written, so
   * that none runs on after its table's file system closed.
   */
  @Override
  public void close() {
    if (!BackgroundThread.shutdown(executor, CLOSE_WAIT_MS)) {
      LOG.info("A checkpoint of {} is still being written as the table closes", location);
    }
  }

  private static final long CLOSE_WAIT_MS = 10_000;
}
