package io.deltasink.connect.delta.table.standalone;

import io.delta.standalone.DeltaLog;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.SetTransaction;
import io.delta.standalone.internal.DeltaLogImpl;
import io.delta.standalone.internal.SnapshotImpl;
import io.delta.storage.CloseableIterator;
import io.delta.storage.LogStore;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The table's {@code _delta_log} as files: commit files read and written by name through the same
 * {@link LogStore} Delta Standalone uses for the table's scheme (so its mutual exclusion holds,
 * PROTOCOL.md "Delta Log Entries"), a snapshot loaded into a {@link LogTail}, and checkpoints.
 *
 * <p>This is the one class that reaches into Delta Standalone's internal classes ({@code
 * DeltaLogImpl}, {@code SnapshotImpl}): its public API has no log store, protocol, {@code txn} list
 * or checkpoint call. 3.3.2 is Standalone's final release (it is not in Delta 4.x), so these
 * internals no longer change; the version is pinned in the pom.
 */
final class LogFiles {
  private final DeltaLogImpl log;
  private final LogStore store;
  private final Path logPath;
  private final Configuration conf;

  LogFiles(DeltaLog log, Configuration conf) {
    this.log = (DeltaLogImpl) log;
    this.store = this.log.store();
    this.logPath = this.log.logPath();
    this.conf = conf;
  }

  /** {@code _delta_log/<version, 20 digits>.json}. */
  Path commitFile(long version) {
    return new Path(logPath, String.format("%020d.json", version));
  }

  /**
   * Applies commit file {@code version} to {@code tail} when it exists.
   *
   * @return false when the file does not exist (the table is at an earlier version)
   * @throws IOException when storage fails
   */
  boolean readInto(LogTail tail, long version) throws IOException {
    return readInto(tail, version, version);
  }

  /** Whether commit file {@code version} exists and holds an {@code add} of {@code path}. */
  boolean holdsAdd(long version, String path) throws IOException {
    // A tail of its own that tracks every added file, applied as its first version.
    LogTail probe = new LogTail(Long.MAX_VALUE);
    return readInto(probe, version, 0) && probe.isLiveSmallFile(path);
  }

  /** Applies commit file {@code version} to {@code tail} as {@code asVersion}, when it exists. */
  private boolean readInto(LogTail tail, long version, long asVersion) throws IOException {
    CloseableIterator<String> lines;
    try {
      lines = store.read(commitFile(version), conf);
    } catch (FileNotFoundException e) {
      return false;
    }
    try (lines) {
      tail.apply(asVersion, lines);
    }
    return true;
  }

  /**
   * Writes commit file {@code version}, failing if it exists.
   *
   * @throws FileAlreadyExistsException when another writer committed this version first
   * @throws IOException when storage fails: the file may or may not exist now
   */
  void write(long version, List<String> actions) throws IOException {
    store.write(commitFile(version), actions.iterator(), false, conf);
  }

  /**
   * Loads the latest snapshot (checkpoint plus later commits, Standalone's full state
   * reconstruction) into {@code tail}; the one read whose cost grows with the table.
   */
  void loadInto(LogTail tail) {
    SnapshotImpl s = fullSnapshot();
    if (s == null) {
      tail.reset(-1, 0, 0, null, Map.of(), List.<WrittenFile>of().iterator());
      return;
    }
    Map<String, LogTail.Txn> txns = new HashMap<>();
    for (SetTransaction t : scala.jdk.javaapi.CollectionConverters.asJava(s.setTransactions())) {
      txns.put(t.getAppId(), new LogTail.Txn(t.getVersion(), t.getLastUpdated().orElse(0L)));
    }
    Iterator<AddFile> adds = s.getAllFiles().iterator();
    Iterator<WrittenFile> files =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return adds.hasNext();
          }

          @Override
          public WrittenFile next() {
            AddFile a = adds.next();
            return new WrittenFile(
                relative(a.getPath()),
                a.getPartitionValues(),
                a.getSize(),
                a.getModificationTime(),
                LogTail.records(
                    a.getStats() == null
                        ? com.fasterxml.jackson.databind.node.NullNode.getInstance()
                        : com.fasterxml.jackson.databind.node.TextNode.valueOf(a.getStats())),
                a.getStats(),
                -1,
                -1);
          }
        };
    tail.reset(
        s.getVersion(),
        s.protocol().getMinReaderVersion(),
        s.protocol().getMinWriterVersion(),
        s.getMetadata().getSchema() == null
            ? null
            : StandaloneActions.metadataJson(s.getMetadata()),
        txns,
        files);
  }

  /**
   * Which of {@code candidates} (paths relative to the table root, decoded) the latest version
   * references, as a live file or as a tombstone not yet expired. Matched by file name (the sink's
   * names hold a UUID), so a path the log spells differently (absolute, another authority) still
   * counts as referenced. Reads the whole state, without keeping it.
   */
  java.util.Set<String> referenced(java.util.Set<String> candidates) {
    java.util.Map<String, String> byName = new HashMap<>();
    for (String c : candidates) {
      byName.put(new Path(c).getName(), c);
    }
    java.util.Set<String> out = new java.util.HashSet<>();
    SnapshotImpl s = fullSnapshot();
    if (s == null) {
      return out;
    }
    for (AddFile a : s.getAllFiles()) {
      String c = byName.get(new Path(java.net.URI.create(a.getPath())).getName());
      if (c != null) {
        out.add(c);
      }
    }
    for (io.delta.standalone.actions.RemoveFile r :
        scala.jdk.javaapi.CollectionConverters.asJava(s.tombstones())) {
      String c = byName.get(new Path(java.net.URI.create(r.getPath())).getName());
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * The latest snapshot with its state loaded apart from the one Standalone caches: the cached
   * snapshot's state (every live file and tombstone) would stay on the heap until the next full
   * read. Null when the table has no version.
   */
  private SnapshotImpl fullSnapshot() {
    long version = log.update().getVersion();
    return version < 0 ? null : log.getSnapshotForVersionAsOf(version);
  }

  /**
   * A path of a snapshot as the log has it: relative to the table root (Standalone keeps relative
   * paths relative; an absolute one under the root is made relative).
   */
  String relative(String path) {
    String root = log.getPath().toUri().toString();
    if (!root.endsWith("/")) {
      root = root + "/";
    }
    return path.startsWith(root) ? path.substring(root.length()) : path;
  }

  /**
   * Writes a checkpoint of {@code version} and {@code _last_checkpoint}, then deletes log files
   * past {@code delta.logRetentionDuration} when {@code delta.enableExpiredLogCleanup} is on
   * (Standalone's {@code Checkpoints.checkpoint}, {@code MetadataCleanup}; PROTOCOL.md,
   * "Checkpoints" and "Metadata Cleanup"). Reads the whole state of that version.
   */
  void checkpoint(long version) {
    log.checkpoint(log.getSnapshotForVersionAsOf(version));
  }
}
