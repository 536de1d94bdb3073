package io.deltasink.connect.delta.table.standalone;

import io.deltasink.connect.delta.table.AtomicLocalLogStore;
import java.io.IOException;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Writes the commit file, then throws: a commit whose outcome the writer cannot know. */
public class FailingAfterWriteLogStore extends AtomicLocalLogStore {
  public static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

  public FailingAfterWriteLogStore(Configuration conf) {
    super(conf);
  }

  /** The failures still to inject (a counter per subclass). */
  protected AtomicInteger failuresLeft() {
    return FAILURES_LEFT;
  }

  /** What the write throws after the file is written. */
  protected IOException failure(Path path) {
    return new IOException("injected: connection reset after the commit file was written");
  }

  @Override
  public void write(
      Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
      throws IOException {
    super.write(path, actions, overwrite, hadoopConf);
    if (path.getName().endsWith(".json")
        && !Boolean.TRUE.equals(overwrite)
        && failuresLeft().getAndDecrement() > 0) {
      throw failure(path);
    }
  }
}
