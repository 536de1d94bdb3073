package io.deltasink.connect.delta.table.standalone;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Writes the commit file, then reports the version taken: what a rename retried by the storage
 * client does when its first try went through (Delta's {@code writeWithRename} sees the target
 * exist).
 */
public class TakenAfterWriteLogStore extends FailingAfterWriteLogStore {
  public static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

  public TakenAfterWriteLogStore(Configuration conf) {
    super(conf);
  }

  @Override
  protected AtomicInteger failuresLeft() {
    return FAILURES_LEFT;
  }

  @Override
  protected IOException failure(Path path) {
    return new FileAlreadyExistsException(path.toString());
  }
}
