package io.deltasink.connect.delta.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code faulty://}, failing chosen operations on demand:
 * creating or writing data files, listing (the Delta log), renaming (commits through a rename-based
 * log store, as on ABFS) and reading a file's status. Counters say how many times each fails next;
 * {@link #random} makes every operation fail with a probability instead.
 */
public class FaultyFileSystem extends RawLocalFileSystem {
  public static final AtomicInteger CREATE_FAILURES = new AtomicInteger();
  public static final AtomicInteger WRITE_FAILURES = new AtomicInteger();
  public static final AtomicInteger LIST_FAILURES = new AtomicInteger();
  public static final AtomicInteger RENAME_FAILURES = new AtomicInteger();
  public static final AtomicInteger STATUS_FAILURES = new AtomicInteger();

  /** Opening a file of the {@code _delta_log} to read it (a commit file, a checkpoint). */
  public static final AtomicInteger LOG_READ_FAILURES = new AtomicInteger();

  /**
   * After the next successful rename (a commit published, as by Delta's AzureLogStore), this many
   * listings and this many reads of the log fail.
   */
  public static final AtomicInteger LOG_FAILURES_AFTER_RENAME = new AtomicInteger();

  public static final AtomicInteger INJECTED = new AtomicInteger();
  private static volatile Random random;
  private static volatile double probability;

  /** Fail every operation with {@code p}, reproducibly from {@code seed}; p = 0 turns it off. */
  public static synchronized void random(long seed, double p) {
    random = new Random(seed);
    probability = p;
  }

  public static void reset() {
    CREATE_FAILURES.set(0);
    WRITE_FAILURES.set(0);
    LIST_FAILURES.set(0);
    RENAME_FAILURES.set(0);
    STATUS_FAILURES.set(0);
    LOG_READ_FAILURES.set(0);
    LOG_FAILURES_AFTER_RENAME.set(0);
    INJECTED.set(0);
    random(0, 0);
  }

  private static synchronized boolean randomFault() {
    return probability > 0 && random.nextDouble() < probability;
  }

  private static void maybeFail(AtomicInteger counter, String what, Path p) throws IOException {
    if (counter.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || randomFault()) {
      INJECTED.incrementAndGet();
      throw new IOException("injected fault: " + what + " " + p);
    }
  }

  @Override
  public URI getUri() {
    return URI.create("faulty:///");
  }

  @Override
  public String getScheme() {
    return "faulty";
  }

  private static boolean dataFile(Path p) {
    return p.getName().endsWith(".parquet");
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    if (dataFile(f)) {
      maybeFail(CREATE_FAILURES, "create", f);
    }
    return faulty(
        f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    if (dataFile(f)) {
      maybeFail(CREATE_FAILURES, "create", f);
    }
    return faulty(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private FSDataOutputStream faulty(Path f, FSDataOutputStream out) throws IOException {
    if (!dataFile(f)) {
      return out;
    }
    boolean failWrite = WRITE_FAILURES.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || randomFault();
    return !failWrite
        ? out
        : new FSDataOutputStream(
            new OutputStream() {
              private long written;

              @Override
              public void write(int b) throws IOException {
                check(1);
                out.write(b);
              }

              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                check(len);
                out.write(b, off, len);
              }

              private void check(int len) throws IOException {
                written += len;
                if (written > 64) {
                  INJECTED.incrementAndGet();
                  throw new IOException(
                      "injected fault: write to " + f + " after " + written + " bytes");
                }
              }

              @Override
              public void close() throws IOException {
                out.close();
              }
            },
            null);
  }

  @Override
  public org.apache.hadoop.fs.FSDataInputStream open(Path f, int bufferSize) throws IOException {
    if (f.getParent() != null && f.getParent().getName().equals("_delta_log")) {
      maybeFail(LOG_READ_FAILURES, "open", f);
    }
    return super.open(f, bufferSize);
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    maybeFail(LIST_FAILURES, "list", f);
    return super.listStatus(f);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    maybeFail(RENAME_FAILURES, "rename", src);
    boolean renamed = super.rename(src, dst);
    if (renamed) {
      int n = LOG_FAILURES_AFTER_RENAME.getAndSet(0);
      LIST_FAILURES.addAndGet(n);
      LOG_READ_FAILURES.addAndGet(n);
    }
    return renamed;
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    if (dataFile(f)) {
      maybeFail(STATUS_FAILURES, "getFileStatus", f);
    }
    return super.getFileStatus(f);
  }
}
