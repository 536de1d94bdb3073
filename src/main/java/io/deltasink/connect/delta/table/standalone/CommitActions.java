package io.deltasink.connect.delta.table.standalone;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The actions of one commit file, as JSON lines (PROTOCOL.md, "Actions": {@code add}, {@code
 * remove}, {@code txn}, {@code commitInfo}). Built for tables of protocol reader 1 / writer 2: no
 * table feature is needed for any field written here.
 */
final class CommitActions {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final List<String> lines = new ArrayList<>();
  private final long timestampMs;
  private long files;
  private long rows;
  private long bytes;

  /**
   * @param timestampMs the commit's time (ms since the epoch): {@code commitInfo.timestamp}, {@code
   *     txn.lastUpdated} and {@code remove.deletionTimestamp}
   */
  CommitActions(long timestampMs) {
    this.timestampMs = timestampMs;
  }

  /** {@code add} of a data file; {@code dataChange} is false for a rewrite of existing rows. */
  void add(WrittenFile f, boolean dataChange) {
    ObjectNode add = NODES.objectNode();
    add.put("path", f.path());
    ObjectNode pv = add.putObject("partitionValues");
    for (Map.Entry<String, String> e : f.partitionValues().entrySet()) {
      pv.put(e.getKey(), e.getValue());
    }
    add.put("size", f.sizeBytes());
    add.put("modificationTime", f.modificationTimeMs());
    add.put("dataChange", dataChange);
    if (f.statsJson() != null) {
      add.put("stats", f.statsJson());
    }
    line("add", add);
    files++;
    rows += Math.max(0, f.records());
    bytes += f.sizeBytes();
  }

  /** {@code remove} of a live data file, with the fields of its {@code add}. */
  void remove(WrittenFile f, boolean dataChange) {
    ObjectNode rm = NODES.objectNode();
    rm.put("path", f.path());
    rm.put("deletionTimestamp", timestampMs);
    rm.put("dataChange", dataChange);
    rm.put("extendedFileMetadata", true);
    ObjectNode pv = rm.putObject("partitionValues");
    for (Map.Entry<String, String> e : f.partitionValues().entrySet()) {
      pv.put(e.getKey(), e.getValue());
    }
    rm.put("size", f.sizeBytes());
    line("remove", rm);
  }

  /**
   * {@code metaData}: the table's new metadata (a schema change), ahead of the files that need it.
   */
  void metadata(ObjectNode metadata) {
    ObjectNode n = NODES.objectNode();
    n.set("metaData", metadata);
    lines.add(0, n.toString());
  }

  /** {@code txn}: the application's version for {@code appId}. */
  void txn(String appId, long version) {
    ObjectNode txn = NODES.objectNode();
    txn.put("appId", appId);
    txn.put("version", version);
    txn.put("lastUpdated", timestampMs);
    line("txn", txn);
  }

  long files() {
    return files;
  }

  long rows() {
    return rows;
  }

  long bytes() {
    return bytes;
  }

  boolean isEmpty() {
    return lines.isEmpty();
  }

  /**
   * The lines of the commit file, {@code commitInfo} first as Delta writers put it (PROTOCOL.md,
   * "Commit Provenance Information"); the operation names are Delta's ({@code STREAMING UPDATE},
   * {@code OPTIMIZE}).
   *
   * @param readVersion the table version the commit was decided on
   * @param parameters {@code operationParameters}, values as Delta writes them (JSON text)
   */
  List<String> lines(
      String operation,
      Map<String, String> parameters,
      long readVersion,
      boolean blindAppend,
      String engineInfo) {
    ObjectNode info = NODES.objectNode();
    info.put("timestamp", timestampMs);
    info.put("operation", operation);
    ObjectNode params = info.putObject("operationParameters");
    parameters.forEach(params::put);
    info.put("readVersion", readVersion);
    info.put("isolationLevel", "Serializable");
    info.put("isBlindAppend", blindAppend);
    ObjectNode metrics = info.putObject("operationMetrics");
    metrics.put("numFiles", Long.toString(files));
    metrics.put("numOutputRows", Long.toString(rows));
    metrics.put("numOutputBytes", Long.toString(bytes));
    info.put("engineInfo", engineInfo);
    List<String> out = new ArrayList<>(lines.size() + 1);
    ObjectNode ci = NODES.objectNode();
    ci.set("commitInfo", info);
    out.add(ci.toString());
    out.addAll(lines);
    return out;
  }

  private void line(String action, ObjectNode body) {
    ObjectNode n = NODES.objectNode();
    n.set(action, body);
    lines.add(n.toString());
  }
}
