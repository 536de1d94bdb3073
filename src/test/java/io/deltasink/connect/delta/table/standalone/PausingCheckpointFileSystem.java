package io.deltasink.connect.delta.table.standalone;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local file system ({@code fs.file.impl}) with the race of issue #12 case 19 made certain: a
 * file created under a checkpoint's final name ({@code <version>.checkpoint.parquet}) is written in
 * two halves, and after the first half the writer waits until another writer has opened and closed
 * the file (or {@value #MAX_PAUSE_S} s passed). Files written elsewhere and renamed onto that name,
 * as Delta does when its log store says partial writes are visible, are not paused.
 */
public class PausingCheckpointFileSystem extends RawLocalFileSystem {
  static final long MAX_PAUSE_S = 2;
  private static final Pattern CHECKPOINT = Pattern.compile("\\d{20}\\.checkpoint\\.parquet");

  /** Reads of a checkpoint that was half written at the time. */
  static final AtomicInteger TORN_READS = new AtomicInteger();

  /** Checkpoints being written in halves: closed reads each one waits for. */
  private static final Map<String, CountDownLatch> PAUSED = new ConcurrentHashMap<>();

  private static String key(Path p) {
    return p.toUri().getPath();
  }

  @Override
  protected OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission)
      throws IOException {
    OutputStream out = super.createOutputStreamWithMode(f, append, permission);
    if (!CHECKPOINT.matcher(f.getName()).matches()) {
      return out;
    }
    return new FilterOutputStream(out) {
      private boolean paused;

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (paused || len < 2) {
          out.write(b, off, len);
          return;
        }
        paused = true;
        CountDownLatch read = new CountDownLatch(1);
        PAUSED.put(key(f), read);
        out.write(b, off, len / 2);
        out.flush();
        try {
          read.await(MAX_PAUSE_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while pausing a checkpoint write");
        } finally {
          PAUSED.remove(key(f));
        }
        out.write(b, off + len / 2, len - len / 2);
      }
    };
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    FSDataInputStream in = super.open(f, bufferSize);
    CountDownLatch writer = PAUSED.get(key(f));
    if (writer == null) {
      return in;
    }
    TORN_READS.incrementAndGet();
    return new FSDataInputStream(in) {
      @Override
      public void close() throws IOException {
        super.close();
        writer.countDown();
      }
    };
  }
}
