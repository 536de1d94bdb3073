package io.deltasink.connect.delta.table.standalone;

import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compaction commit: {@code remove} of the small files and {@code add} of the file that holds
 * their rows, all with {@code dataChange=false} so that streaming readers of the table see no new
 * data (PROTOCOL.md, "Add File and Remove File"), recorded as an {@code OPTIMIZE}. Decided again on
 * each version another writer took: if any file to remove is no longer live there (another
 * compaction or a user's {@code OPTIMIZE} removed it), nothing is written, which is Delta's rule
 * that two removes of one file conflict. Appends of other writers do not conflict with it.
 */
final class Rewrite implements LogWriter.Step<Long> {
  private static final Logger LOG = LoggerFactory.getLogger(Rewrite.class);

  private final List<WrittenFile> removed;
  private final WrittenFile added;
  private final String engineInfo;
  private final String location;
  private String gone;
  private long attempted = -1;

  Rewrite(List<WrittenFile> removed, WrittenFile added, String engineInfo, String location) {
    this.removed = List.copyOf(removed);
    this.added = added;
    this.engineInfo = engineInfo;
    this.location = location;
  }

  /** The table's schema and partitioning when first decided: a change makes the rewrite stop. */
  private Object metadata;

  @Override
  public List<String> decide(LogTail tail) {
    Object now = tail.state().orElseThrow();
    Object seen =
        now instanceof io.deltasink.connect.delta.table.TableState s
            ? List.of(s.schema(), s.partitionColumns())
            : now;
    if (metadata == null) {
      metadata = seen;
    } else if (!metadata.equals(seen)) {
      gone = "the table's metadata changed";
      return null;
    }
    for (WrittenFile f : removed) {
      if (!tail.isLiveSmallFile(f.path())) {
        gone = f.path();
        return null;
      }
    }
    attempted = tail.version() + 1;
    CommitActions actions = new CommitActions(System.currentTimeMillis());
    for (WrittenFile f : removed) {
      actions.remove(f, false);
    }
    actions.add(added, false);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("predicate", "[]");
    params.put("auto", "true");
    return actions.lines("OPTIMIZE", params, tail.version(), false, engineInfo);
  }

  /** The version the last decision was written as (or tried to be), -1 before any. */
  long attempted() {
    return attempted;
  }

  WrittenFile added() {
    return added;
  }

  @Override
  public Long landed(long version) {
    LOG.info(
        "Compacted {} files of {} into {} ({} bytes) in Delta version {}",
        removed.size(),
        location,
        added.path(),
        added.sizeBytes(),
        version);
    return version;
  }

  @Override
  public Long unchanged() {
    LOG.info("Compaction of {} files of {} dropped: {}", removed.size(), location, gone);
    return null;
  }

  @Override
  public Long noTable() {
    return null;
  }
}
