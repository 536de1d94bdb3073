package io.deltasink.connect.delta.fs;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hadoop file systems of one task for the schemes whose credentials are per connector ({@code
 * abfs}, {@code abfss}): one instance of the real driver per scheme and authority (ADLS container
 * and account), shared by every call the task makes, used by no other task, and closed when the
 * task closes.
 *
 * <p>Why: {@code FileSystem.get} caches instances by scheme, authority and user ({@code
 * FileSystem.Cache.Key}), not by configuration. Two connectors on one worker writing to the same
 * account shared the instance, and so the credentials, of whichever started first, and a rotated
 * key, SAS or client secret took effect only when the worker restarted. Turning the cache off for
 * the scheme is no answer on its own: Delta Standalone calls {@code path.getFileSystem(conf)} for
 * every log listing and never closes what it gets, so every listing would create, and leak, an ABFS
 * client.
 *
 * <p>How: {@link #install} points {@code fs.<scheme>.impl} at {@link TaskScopedFileSystem} with the
 * cache off for that scheme. Hadoop then makes a view per {@code getFileSystem} call (a plain
 * object), which forwards to this scope's shared instance of the driver named in the configuration
 * before (a user's {@code delta.hadoop.fs.abfss.impl} included). The configuration names its scope
 * by id ({@value #SCOPE_KEY}), so copies Delta or Parquet make of it share the scope. Whoever
 * builds the configuration closes the scope: the task in {@code SinkWriter.close()}. Afterwards a
 * view cannot be made any more ({@link IOException}). The per-user cache key is the alternative
 * this avoids: a per-task {@code UserGroupInformation} would need every Hadoop call of the task, on
 * every thread, inside {@code doAs}.
 */
public final class TaskFileSystems {
  private static final Logger LOG = LoggerFactory.getLogger(TaskFileSystems.class);

  /** Configuration key naming the scope of a task's configuration. */
  public static final String SCOPE_KEY = "deltasink.fs.scope";

  /** The schemes whose file systems are scoped per task. */
  public static final List<String> SCHEMES = List.of("abfs", "abfss");

  private static final String DRIVER_KEY = "deltasink.fs.%s.driver";
  private static final Map<String, TaskFileSystems> SCOPES = new ConcurrentHashMap<>();

  private final String id;

  /** By {@code scheme://authority}; guarded by {@code this}. */
  private final Map<String, FileSystem> open = new LinkedHashMap<>();

  private boolean closed;

  private TaskFileSystems(String id) {
    this.id = id;
  }

  /**
   * Gives {@code conf} a new scope: for each of {@link #SCHEMES} with a driver configured ({@code
   * fs.<scheme>.impl}, set by Hadoop's {@code core-default.xml}), file systems obtained through
   * {@code conf} come from the scope. Call once per task configuration, after every other key is
   * set; {@link #close(Configuration)} ends it.
   */
  public static void install(Configuration conf) {
    String id = UUID.randomUUID().toString();
    for (String scheme : SCHEMES) {
      String driver = conf.get("fs." + scheme + ".impl");
      if (driver == null || driver.equals(TaskScopedFileSystem.class.getName())) {
        continue;
      }
      conf.set(String.format(DRIVER_KEY, scheme), driver);
      conf.set("fs." + scheme + ".impl", TaskScopedFileSystem.class.getName());
      conf.setBoolean("fs." + scheme + ".impl.disable.cache", true);
    }
    conf.set(SCOPE_KEY, id);
    SCOPES.put(id, new TaskFileSystems(id));
  }

  /**
   * Closes every file system the scope of {@code conf} opened and ends the scope. Errors while
   * closing are logged (WARN, without the configuration) and do not stop the others from closing.
   * Does nothing when {@code conf} has no scope or it was closed already.
   */
  public static void close(Configuration conf) {
    String id = conf.get(SCOPE_KEY);
    TaskFileSystems scope = id == null ? null : SCOPES.remove(id);
    if (scope != null) {
      scope.closeAll();
    }
  }

  /** The scopes not closed yet (visible for testing). */
  static int openScopes() {
    return SCOPES.size();
  }

  /**
   * The scope's instance for the scheme and authority of {@code uri}, opened on first use with
   * {@code conf} and the driver {@link #install} recorded.
   *
   * @throws IOException when {@code conf} has no open scope, or the driver fails to initialize
   */
  static FileSystem shared(URI uri, Configuration conf) throws IOException {
    String id = conf.get(SCOPE_KEY);
    TaskFileSystems scope = id == null ? null : SCOPES.get(id);
    if (scope == null) {
      throw new IOException(
          "No open file system scope for "
              + uri.getScheme()
              + "://"
              + uri.getAuthority()
              + (id == null
                  ? ": the configuration has none"
                  : ": scope " + id + " was closed with its task"));
    }
    return scope.get(uri, conf);
  }

  private synchronized FileSystem get(URI uri, Configuration conf) throws IOException {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    String key =
        scheme
            + "://"
            + (uri.getAuthority() == null ? "" : uri.getAuthority().toLowerCase(Locale.ROOT));
    if (closed) {
      throw new IOException("The file systems of scope " + id + " are closed: " + key);
    }
    FileSystem fs = open.get(key);
    if (fs == null) {
      String driver = conf.get(String.format(DRIVER_KEY, scheme));
      if (driver == null) {
        throw new IOException("No file system driver recorded for " + scheme + " in scope " + id);
      }
      Configuration real = new Configuration(conf);
      real.set("fs." + scheme + ".impl", driver);
      // A unique instance: Hadoop's cache does not hand it to anyone else.
      fs = FileSystem.newInstance(uri, real);
      open.put(key, fs);
      LOG.info("Opened {} for {} in file system scope {}", fs.getClass().getSimpleName(), key, id);
    }
    return fs;
  }

  private void closeAll() {
    List<Map.Entry<String, FileSystem>> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(open.entrySet());
      open.clear();
    }
    for (Map.Entry<String, FileSystem> e : toClose) {
      try {
        e.getValue().close();
      } catch (IOException | RuntimeException ex) {
        LOG.warn(
            "Closing the file system for {} of scope {} failed: {}", e.getKey(), id, ex.toString());
      }
    }
    LOG.info("Closed file system scope {} ({} file systems)", id, toClose.size());
  }
}
