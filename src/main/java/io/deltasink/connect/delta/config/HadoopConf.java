package io.deltasink.connect.delta.config;

import io.deltasink.connect.delta.fs.TaskFileSystems;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Builds the Hadoop {@link Configuration} a task uses for data files and the Delta log, and closes
 * what it opened.
 *
 * <p>Defaults: {@code file:} tables go through {@code RawLocalFileSystem} (no {@code .crc} side
 * files next to the table) and commit through {@code AtomicLocalLogStore} (Delta's key {@code
 * delta.logStore.file.impl}), which never loses a commit to a concurrent writer. Every {@code
 * delta.hadoop.*} key is then applied with the prefix removed, so a user can override any of it.
 * Last, {@code abfs}/{@code abfss} file systems are scoped to the configuration ({@link
 * TaskFileSystems}): each task uses its own credentials, and a restarted task its new ones
 * (docs/adls-credentials.md).
 */
public final class HadoopConf {
  public static final String ATOMIC_LOCAL_LOG_STORE =
      "io.deltasink.connect.delta.table.AtomicLocalLogStore";

  private HadoopConf() {}

  /**
   * A new task configuration with a new file system scope; {@link #close} it when the task closes.
   *
   * @param overrides Hadoop keys applied over the defaults (secrets among them: never log them)
   */
  public static Configuration build(Map<String, String> overrides) {
    Configuration conf = new Configuration();
    // Connect runs the plugin in its own class loader; Hadoop must load classes from it.
    conf.setClassLoader(HadoopConf.class.getClassLoader());
    conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
    conf.set("fs.AbstractFileSystem.file.impl", "org.apache.hadoop.fs.local.RawLocalFs");
    conf.setBoolean("fs.file.impl.disable.cache", true);
    conf.set("delta.logStore.file.impl", ATOMIC_LOCAL_LOG_STORE);
    conf.set("io.delta.kernel.logStore.file.impl", ATOMIC_LOCAL_LOG_STORE);
    conf.set("parquet.summary.metadata.level", "NONE");
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    TaskFileSystems.install(conf);
    return conf;
  }

  /**
   * Closes the file systems opened through {@code conf} (see {@link TaskFileSystems#close}); after
   * this, {@code abfs}/{@code abfss} paths cannot be used with it. Safe to call twice.
   */
  public static void close(Configuration conf) {
    TaskFileSystems.close(conf);
  }
}
