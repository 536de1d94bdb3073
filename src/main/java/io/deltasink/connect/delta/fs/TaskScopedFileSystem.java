package io.deltasink.connect.delta.fs;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FilterFileSystem;

/**
 * What Hadoop instantiates for {@code abfs://} and {@code abfss://} paths under a task's
 * configuration (see {@link TaskFileSystems}): a view, made per {@code getFileSystem} call, that
 * forwards every operation ({@link FilterFileSystem}) to the task's one instance of the real driver
 * for the URI's container and account. Closing a view closes nothing; the task's scope closes the
 * instance.
 */
public class TaskScopedFileSystem extends FilterFileSystem {

  /** Instantiated by Hadoop through reflection. */
  public TaskScopedFileSystem() {}

  /**
   * @throws IOException when the configuration's scope is closed or the driver cannot start (for
   *     example without credentials for the account)
   */
  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    fs = TaskFileSystems.shared(name, conf);
    super.initialize(name, conf);
  }

  @Override
  public void close() {
    // The instance belongs to the task's scope, which closes it when the task closes.
  }
}
