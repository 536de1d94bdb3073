package io.deltasink.connect.delta.it;

import io.deltasink.connect.delta.table.AtomicLocalLogStore;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Fails commit writes (after the Parquet files exist, before the commit lands) while FAILURES_LEFT
 * > 0.
 */
public class FailingCommitLogStore extends AtomicLocalLogStore {
  public static final AtomicInteger FAILURES_LEFT = new AtomicInteger();
  public static final AtomicInteger FAILED = new AtomicInteger();

  public FailingCommitLogStore(Configuration conf) {
    super(conf);
  }

  @Override
  public void write(
      Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
      throws IOException {
    if (!Boolean.TRUE.equals(overwrite)
        && path.getName().endsWith(".json")
        && FAILURES_LEFT.getAndDecrement() > 0) {
      FAILED.incrementAndGet();
      throw new IOException("injected: storage unavailable while committing " + path.getName());
    }
    super.write(path, actions, overwrite, hadoopConf);
  }
}
