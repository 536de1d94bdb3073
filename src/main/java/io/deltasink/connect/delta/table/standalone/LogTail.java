package io.deltasink.connect.delta.table.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
import io.deltasink.connect.delta.table.TableProperties;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The part of a Delta table's state that the sink's commits need, kept current by applying only the
 * commit files that appeared since the last look (PROTOCOL.md, "Action Reconciliation"): the
 * version, the protocol, the {@code metaData}, every {@code txn} version by app id and, when
 * compaction is on, the table's small files. A commit therefore costs the same at version 50,000 as
 * at version 10; only {@link #load loading} it reads a checkpoint.
 *
 * <p>Memory: one entry per {@code txn} app id plus one per small file (below {@code
 * smallFileBytes}); large files and tombstones are not kept. Not thread-safe: its owner locks.
 */
final class LogTail {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final long smallFileBytes;
  private long version = -1;
  private int minReaderVersion;
  private int minWriterVersion;
  private ColumnType.Struct schema;
  private String schemaString;
  private ObjectNode metadata;
  private List<String> partitionColumns = List.of();
  private Map<String, String> configuration = Map.of();
  private final Map<String, Txn> txns = new HashMap<>();

  /** A {@code txn} action's version and {@code lastUpdated} (ms since the epoch, 0 when absent). */
  record Txn(long version, long lastUpdatedMs) {}

  /** The tracked live files: the small ones, or every one after {@link #trackAllFiles}. */
  private final Map<String, WrittenFile> smallFiles = new LinkedHashMap<>();

  /** Whether every live file is tracked (for upserts), not only the small ones. */
  private boolean allFiles;

  /**
   * @param smallFileBytes files below this size (bytes) are tracked for compaction; 0 tracks none
   */
  LogTail(long smallFileBytes) {
    this(smallFileBytes, java.util.function.UnaryOperator.identity());
  }

  /**
   * @param relative a path as a commit file holds it, made relative to the table root as a loaded
   *     snapshot's paths are (an absolute path under the root, as some engines write, must match
   *     the same file's relative path)
   */
  LogTail(long smallFileBytes, java.util.function.UnaryOperator<String> relative) {
    this.smallFileBytes = smallFileBytes;
    this.relative = relative;
  }

  private final java.util.function.UnaryOperator<String> relative;

  /**
   * Replaces the state with a snapshot's: the version, protocol, metadata, txns and files.
   *
   * @param metadata the {@code metaData} action's body, null when the table has none
   */
  void reset(
      long version,
      int minReaderVersion,
      int minWriterVersion,
      ObjectNode metadata,
      Map<String, Txn> txns,
      Iterator<WrittenFile> files) {
    this.version = version;
    this.minReaderVersion = minReaderVersion;
    this.minWriterVersion = minWriterVersion;
    if (metadata == null) {
      this.metadata = null;
      this.schema = null;
      this.schemaString = null;
      this.partitionColumns = List.of();
      this.configuration = Map.of();
    } else {
      applyMetadata(metadata);
    }
    this.txns.clear();
    this.txns.putAll(txns);
    this.smallFiles.clear();
    while (files.hasNext()) {
      track(files.next());
    }
  }

  long version() {
    return version;
  }

  /**
   * The {@code txn} version of {@code appId}, -1 when the log holds none. An entry past {@code
   * delta.setTransactionRetentionDuration} still counts while the log holds it: only its absence (a
   * checkpoint of another engine dropped it) makes the partition start over from its consumer
   * offsets, so a writer that stalled longer than the retention is still fenced.
   */
  long txnVersion(String appId) {
    Txn t = txns.get(appId);
    return t == null ? -1 : t.version();
  }

  /**
   * How long the table keeps commit files ({@code delta.logRetentionDuration}, Delta's default 30
   * days), in ms.
   */
  long logRetentionMs() {
    return TableProperties.intervalMs(configuration.get(TableProperties.LOG_RETENTION))
        .orElse(java.util.concurrent.TimeUnit.DAYS.toMillis(30));
  }

  Optional<TableState> state() {
    return version < 0 || schema == null
        ? Optional.empty()
        : Optional.of(
            new TableState(
                version, schema, partitionColumns, schemaString, configuration, Set.of()));
  }

  /** Whether Delta Standalone's protocol (reader 1, writer 2) covers the table's protocol. */
  boolean protocolSupported() {
    return minReaderVersion <= 1 && minWriterVersion <= 2;
  }

  String protocol() {
    return "reader version " + minReaderVersion + ", writer version " + minWriterVersion;
  }

  /** A table property ({@code metaData.configuration}), or {@code fallback} when unset. */
  String property(String key, String fallback) {
    return configuration.getOrDefault(key, fallback);
  }

  /** The tracked small files (see {@link #LogTail}), oldest commit first. */
  Collection<WrittenFile> smallFiles() {
    List<WrittenFile> out = new ArrayList<>();
    for (WrittenFile f : smallFiles.values()) {
      if (f.sizeBytes() < smallFileBytes) {
        out.add(f);
      }
    }
    return out;
  }

  /** Whether {@code path} is a tracked small file that no commit has removed. */
  boolean isLiveSmallFile(String path) {
    WrittenFile f = smallFiles.get(path);
    return f != null && f.sizeBytes() < smallFileBytes;
  }

  /**
   * From the next {@link #reset} on, tracks every live data file with its statistics, not only the
   * small ones (memory: one entry per live file).
   *
   * @return whether it tracked only the small ones before (the caller must load the state again)
   */
  boolean trackAllFiles() {
    boolean was = allFiles;
    allFiles = true;
    return !was;
  }

  /** Every live data file, after {@link #trackAllFiles} and a {@link #reset}. */
  Collection<WrittenFile> liveFiles() {
    if (!allFiles) {
      throw new IllegalStateException("the tail tracks only small files");
    }
    return java.util.Collections.unmodifiableCollection(smallFiles.values());
  }

  /**
   * Applies commit file {@code newVersion} (one JSON action per line).
   *
   * @throws IllegalStateException when {@code newVersion} does not follow the current version
   * @throws UncheckedIOException when a line is not JSON
   */
  void apply(long newVersion, Iterator<String> lines) {
    if (newVersion != version + 1) {
      throw new IllegalStateException(
          "commit " + newVersion + " does not follow version " + version);
    }
    List<JsonNode> actions = new ArrayList<>();
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.isBlank()) {
        continue;
      }
      try {
        actions.add(JSON.readTree(line));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "commit " + newVersion + " holds a line that is not JSON: " + e.getMessage(), e);
      }
    }
    for (JsonNode a : actions) {
      applyAction(a);
    }
    version = newVersion;
  }

  private void applyAction(JsonNode a) {
    JsonNode n;
    if ((n = a.get("txn")) != null) {
      txns.put(
          n.path("appId").asText(),
          new Txn(n.path("version").asLong(), n.path("lastUpdated").asLong(0)));
    } else if ((n = a.get("add")) != null) {
      track(
          new WrittenFile(
              relative.apply(n.path("path").asText()),
              stringMap(n.path("partitionValues")),
              n.path("size").asLong(),
              n.path("modificationTime").asLong(),
              records(n.path("stats")),
              n.path("stats").isTextual() ? n.path("stats").asText() : null,
              -1,
              -1));
    } else if ((n = a.get("remove")) != null) {
      smallFiles.remove(relative.apply(n.path("path").asText()));
    } else if ((n = a.get("metaData")) != null) {
      applyMetadata((ObjectNode) n);
    } else if ((n = a.get("protocol")) != null) {
      minReaderVersion = n.path("minReaderVersion").asInt();
      minWriterVersion = n.path("minWriterVersion").asInt();
    }
  }

  private void applyMetadata(ObjectNode n) {
    metadata = n;
    schemaString = n.path("schemaString").asText();
    schema = parseSchema(schemaString);
    List<String> cols = new ArrayList<>();
    n.path("partitionColumns").forEach(c -> cols.add(c.asText()));
    partitionColumns = List.copyOf(cols);
    configuration = java.util.Collections.unmodifiableMap(stringMap(n.path("configuration")));
  }

  /**
   * The table's {@code metaData} action with {@code schemaString} replaced and {@code properties}
   * merged into its configuration (PROTOCOL.md, "Change Metadata": a new {@code metaData} replaces
   * the whole previous one, so every other field is carried over as the log has it).
   */
  ObjectNode metadataWith(String newSchemaString, Map<String, String> properties) {
    ObjectNode copy = metadata.deepCopy();
    copy.put("schemaString", newSchemaString);
    ObjectNode conf =
        copy.path("configuration").isObject()
            ? (ObjectNode) copy.path("configuration")
            : copy.putObject("configuration");
    properties.forEach(conf::put);
    return copy;
  }

  private void track(WrittenFile f) {
    // The most recent add of a path wins (PROTOCOL.md, "Action Reconciliation").
    smallFiles.remove(f.path());
    if (allFiles || f.sizeBytes() < smallFileBytes) {
      smallFiles.put(f.path(), f);
    }
  }

  /** The stats' {@code numRecords}, -1 when the file has no stats. */
  static long records(JsonNode stats) {
    if (!stats.isTextual()) {
      return -1;
    }
    try {
      return JSON.readTree(stats.asText()).path("numRecords").asLong(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  private static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    node.fields()
        .forEachRemaining(
            e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
    return out;
  }

  /**
   * @throws IllegalArgumentException for a type this connector cannot write
   */
  private static ColumnType.Struct parseSchema(String schemaString) {
    return DeltaSchemaJson.fromJson(schemaString);
  }
}
