package io.deltasink.connect.delta.it;

import io.deltasink.connect.delta.table.AtomicLocalLogStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.apache.hadoop.conf.Configuration;

/**
 * Widens the commit window so a test can kill a worker in the middle of a Delta commit: while a
 * commit file is being published, a marker file (Hadoop key {@code test.commit.marker}) exists for
 * 300 ms before and 300 ms after the write.
 */
public class SlowCommitLogStore extends AtomicLocalLogStore {
  public SlowCommitLogStore(Configuration conf) {
    super(conf);
  }

  @Override
  public void write(
      org.apache.hadoop.fs.Path path,
      Iterator<String> actions,
      Boolean overwrite,
      Configuration hadoopConf)
      throws IOException {
    String marker = hadoopConf.get("test.commit.marker");
    if (marker == null || Boolean.TRUE.equals(overwrite)) {
      super.write(path, actions, overwrite, hadoopConf);
      return;
    }
    Path m = Path.of(marker);
    Files.writeString(m, path.getName());
    try {
      Thread.sleep(300); // not a wait: the commit is made slow on purpose, marker in place
      super.write(path, actions, overwrite, hadoopConf);
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      Files.deleteIfExists(m);
    }
  }
}
