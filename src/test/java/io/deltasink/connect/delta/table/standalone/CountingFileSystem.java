package io.deltasink.connect.delta.table.standalone;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local file system ({@code fs.file.impl}) counting what a writer does to the {@code
 * _delta_log} on the thread that called {@link #reset} (the test's), never the checkpoint writer's:
 * listings and opened files. Creating a checkpoint file can be held back until {@link
 * #CHECKPOINT_GATE} opens (at most {@value #MAX_HOLD_S} s).
 */
public class CountingFileSystem extends RawLocalFileSystem {
  static final long MAX_HOLD_S = 20;
  static final AtomicInteger LOG_LISTINGS = new AtomicInteger();
  static final AtomicInteger LOG_OPENS = new AtomicInteger();
  static volatile CountDownLatch CHECKPOINT_GATE = new CountDownLatch(0);

  /** The thread whose calls count (the test's, which makes the commits); null: every thread. */
  static volatile Thread counted;

  static void reset() {
    counted = Thread.currentThread();
    LOG_LISTINGS.set(0);
    LOG_OPENS.set(0);
    CHECKPOINT_GATE = new CountDownLatch(0);
  }

  /** Whether {@code p} is in the log, on a thread other than the checkpoint writer's. */
  private static boolean inLog(Path p) {
    if (Thread.currentThread().getName().startsWith("delta-checkpoint")
        || (counted != null && Thread.currentThread() != counted)) {
      return false;
    }
    return p.getName().equals("_delta_log")
        || (p.getParent() != null && p.getParent().getName().equals("_delta_log"));
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    if (inLog(f)) {
      LOG_LISTINGS.incrementAndGet();
    }
    return super.listStatus(f);
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    if (inLog(f)) {
      LOG_OPENS.incrementAndGet();
    }
    return super.open(f, bufferSize);
  }

  @Override
  protected OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission)
      throws IOException {
    if (f.getName().contains(".checkpoint.parquet")) {
      try {
        CHECKPOINT_GATE.await(MAX_HOLD_S, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    return super.createOutputStreamWithMode(f, append, permission);
  }
}
