package io.deltasink.connect.delta.table.standalone;

import io.deltasink.connect.delta.table.AtomicLocalLogStore;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Writes the commit file, then reports the version taken: what a rename retried by the storage
 * client does when its first try went through (Delta's {@code writeWithRename} sees the target
 * exist).
 */
public class TakenAfterWriteLogStore extends AtomicLocalLogStore {
  static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

  public TakenAfterWriteLogStore(Configuration conf) {
    super(conf);
  }

  @Override
  public void write(
      Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
      throws IOException {
    super.write(path, actions, overwrite, hadoopConf);
    if (path.getName().endsWith(".json")
        && !Boolean.TRUE.equals(overwrite)
        && FAILURES_LEFT.getAndDecrement() > 0) {
      throw new FileAlreadyExistsException(path.toString());
    }
  }
}
