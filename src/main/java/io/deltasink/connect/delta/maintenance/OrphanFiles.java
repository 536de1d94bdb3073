package io.deltasink.connect.delta.maintenance;

import io.deltasink.connect.delta.table.TableLog;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the data files a flush wrote but never committed (a task that crashed or was fenced
 * between writing a file and its commit), instead of leaving them to a user's {@code VACUUM}.
 *
 * <p>A file is deleted only when all of these hold, which together prove no Delta version can
 * reference it now or later: its name starts with the file prefix of a Kafka partition this task
 * owns and has committed since it took it over (so every earlier owner's commit of that partition
 * is fenced: its {@code txn} version is stale, PROTOCOL.md "Transaction Identifiers") and that held
 * nothing uncommitted and no commit of unknown outcome when the run was scheduled (the caller's
 * {@code prefixes}); it is older than {@code minAgeMs}; and the table's latest version references
 * it neither as a live file nor as a {@code remove} tombstone (the log is read after the listing,
 * so a file committed in between is seen).
 */
public final class OrphanFiles {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanFiles.class);

  private OrphanFiles() {}

  /**
   * @param prefixes file name prefixes of the owned, committed partitions ({@code
   *     part-<topic>-<partition>-}, dash included)
   * @return the number of files deleted
   * @throws IOException when listing fails (deletions that fail are logged and skipped)
   */
  public static int clean(
      TableLog table, Configuration conf, Collection<String> prefixes, long minAgeMs, long nowMs)
      throws IOException {
    if (prefixes.isEmpty()) {
      return 0;
    }
    Path root = new Path(table.location());
    FileSystem fs = root.getFileSystem(conf);
    URI rootUri = fs.makeQualified(root).toUri();
    Map<String, FileStatus> candidates = new HashMap<>();
    Deque<Path> dirs = new ArrayDeque<>(List.of(root));
    while (!dirs.isEmpty()) {
      FileStatus[] listed;
      try {
        listed = fs.listStatus(dirs.pop());
      } catch (FileNotFoundException e) {
        continue; // removed since it was listed
      }
      for (FileStatus f : listed) {
        String name = f.getPath().getName();
        if (f.isDirectory()) {
          // Delta's own directories and hidden ones hold no data files of this sink.
          if (!name.startsWith("_") && !name.startsWith(".")) {
            dirs.push(f.getPath());
          }
          continue;
        }
        URI relativeUri = rootUri.relativize(fs.makeQualified(f.getPath()).toUri());
        String relative = relativeUri.getPath();
        if (!relativeUri.isAbsolute()
            && !relative.startsWith("/")
            && f.getModificationTime() <= nowMs - minAgeMs
            && ownedName(name, prefixes)) {
          candidates.put(relative, f);
        }
      }
    }
    if (candidates.isEmpty()) {
      return 0;
    }
    candidates.keySet().removeAll(table.referenced(Set.copyOf(candidates.keySet())));
    int deleted = 0;
    long bytes = 0;
    for (FileStatus f : candidates.values()) {
      try {
        if (fs.delete(f.getPath(), false)) {
          deleted++;
          bytes += f.getLen();
        }
      } catch (IOException e) {
        LOG.warn("Could not delete the orphan data file {}: {}", f.getPath(), e.getMessage());
      }
    }
    if (deleted > 0) {
      LOG.info(
          "Deleted {} data files ({} bytes) of {} that no Delta version references (written by flushes that never committed)",
          deleted,
          bytes,
          table.location());
    }
    return deleted;
  }

  private static final String UUID_HEX =
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  /**
   * Whether {@code name} is a data file the sink wrote for the partition of {@code prefix}: {@code
   * <prefix><first offset>-<uuid>...parquet}, {@code <prefix>c-<uuid>...parquet} for a compaction,
   * or {@code <prefix>u-<uuid>...parquet} for a file an upsert rewrote. The full shape is checked
   * because topic names may contain dashes: the files of topic {@code t-1} partition 0 start with
   * the prefix of topic {@code t} partition 1.
   */
  static boolean ownedName(String name, Collection<String> prefixes) {
    if (!name.endsWith(".parquet")) {
      return false;
    }
    for (String p : prefixes) {
      if (name.startsWith(p)
          && name.substring(p.length()).matches("(\\d+|c|u)-" + UUID_HEX + "\\..*")) {
        return true;
      }
    }
    return false;
  }
}
