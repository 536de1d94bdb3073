package io.deltasink.connect.delta.table.standalone;

import io.delta.standalone.DeltaLog;
import io.delta.standalone.exceptions.MetadataChangedException;
import io.delta.standalone.exceptions.ProtocolChangedException;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.table.AzureNamespace;
import io.deltasink.connect.delta.table.CommitAttempts;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.DataFiles;
import io.deltasink.connect.delta.table.Decisions;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.Sleeper;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.table.TableProperties;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TableLog} for tables of protocol reader 1 / writer 2: Delta Standalone creates the table
 * and writes checkpoints; appends are committed by this class from a {@link LogTail}, so their cost
 * does not grow with the table (docs/architecture.md, "Commits whose cost does not grow").
 *
 * <p>Commit protocol: an attempt brings the tail up to date by reading only the commit files that
 * appeared since the last look, decides per partition from its {@code txn} version (already at
 * {@code newVersion}: an earlier attempt, or another owner with the same rows, landed it; not at
 * {@code expectedVersion}: fenced; otherwise its files and {@code txn} go in) and writes the next
 * commit file with put-if-absent. When another writer took that version, the attempt reads the
 * winning commits and decides again, which is Delta's conflict check for a blind append: a changed
 * schema or protocol, or a {@code txn} of the same app id, changes the decision (PROTOCOL.md,
 * "Transaction Identifiers"). A storage error while writing is an unknown outcome: the next attempt
 * reads the log and decides again. Attempts are bounded; each waits {@code backoffMs * 2^attempt}
 * (capped at 10 s, 20% jitter, Kafka's {@link ExponentialBackoff}) first.
 *
 * <p>Checkpoints: the writer of a version that is a multiple of {@code delta.checkpointInterval}
 * checkpoints it on a background thread (one writer per checkpoint, never inside a commit),
 * skipping it when the previous one is still being written; Standalone then deletes log files past
 * {@code delta.logRetentionDuration}. Thread-safe.
 */
public final class StandaloneTableLog implements TableLog {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneTableLog.class);

  private final String location;
  private final DeltaLog log;
  private final String tableName;
  private final String engineInfo;
  private final int maxAttempts;
  private final ExponentialBackoff backoff;
  private final Sleeper sleeper;
  private final Configuration conf;
  private final Map<String, String> tableProperties;
  private final LogWriter writer;

  /**
   * Whether the last attempt tried to create the table (a race with another creator is expected
   * then).
   */
  private boolean lastAttemptCreated;

  /**
   * @param location table root as a Hadoop URI ({@code file:///...}, {@code abfss://...})
   * @param conf Hadoop configuration, including the log store to use for the scheme
   * @param tableName name recorded in the table's {@code metaData} when this creates it
   * @param engineInfo written as {@code commitInfo.engineInfo}
   * @param maxAttempts commit attempts before giving up with a {@link RetriableException}
   * @param backoffMs first wait between attempts (ms)
   */
  public StandaloneTableLog(
      String location,
      Configuration conf,
      String tableName,
      String engineInfo,
      int maxAttempts,
      long backoffMs,
      Sleeper sleeper) {
    this(
        location,
        conf,
        tableName,
        engineInfo,
        maxAttempts,
        backoffMs,
        sleeper,
        TableProperties.forNewTable(Map.of()),
        0);
  }

  /**
   * @param tableProperties {@code metaData.configuration} of the table when this creates it
   * @param smallFileBytes data files below this size (bytes) are tracked for {@link #smallFiles}; 0
   *     tracks none
   */
  public StandaloneTableLog(
      String location,
      Configuration conf,
      String tableName,
      String engineInfo,
      int maxAttempts,
      long backoffMs,
      Sleeper sleeper,
      Map<String, String> tableProperties,
      long smallFileBytes) {
    this.tableProperties = Map.copyOf(tableProperties);
    this.location = location;
    this.tableName = tableName;
    this.engineInfo = engineInfo;
    this.maxAttempts = Math.max(1, maxAttempts);
    this.backoff = CommitAttempts.backoff(backoffMs);
    this.sleeper = sleeper;
    this.conf = conf;
    this.log = guard(() -> DeltaLog.forTable(conf, location));
    this.writer = new LogWriter(location, log, conf, smallFileBytes);
    AzureNamespace.warning(conf, location).ifPresent(LOG::warn);
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public synchronized Optional<TableState> state() {
    return writer.sync().state();
  }

  @Override
  public synchronized long committedVersion(String appId) {
    return writer.sync().txnVersion(appId);
  }

  @Override
  public synchronized Map<String, Long> committedVersions(java.util.Collection<String> appIds) {
    LogTail tail = writer.sync();
    Map<String, Long> out = new LinkedHashMap<>();
    for (String id : appIds) {
      out.put(id, tail.txnVersion(id));
    }
    return out;
  }

  @Override
  public CommitOutcome commit(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution) {
    return attempts(partitions, () -> attempt(schema, partitionColumns, partitions, evolution));
  }

  @Override
  public CommitOutcome merge(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution,
      io.deltasink.connect.delta.table.Upsert upsert) {
    synchronized (this) {
      writer.trackAllFiles();
    }
    return attempts(
        partitions, () -> mergeAttempt(schema, partitionColumns, partitions, evolution, upsert));
  }

  /** One upsert attempt; the table is created with the batch's rows when it has no version. */
  private synchronized CommitOutcome mergeAttempt(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution,
      io.deltasink.connect.delta.table.Upsert upsert) {
    CommitOutcome merged;
    try {
      merged =
          writer.commitNext(
              new Merge(
                  location,
                  conf,
                  engineInfo,
                  schema,
                  partitionColumns,
                  partitions,
                  evolution,
                  upsert));
    } catch (RuntimeException e) {
      upsert.discard(); // keeps outputs a write was attempted with
      throw e;
    }
    lastAttemptCreated = merged == null;
    if (merged == null) {
      return create(schema, partitionColumns, partitions);
    }
    if (merged.tableVersion() < 0) {
      upsert.discard();
    }
    return merged;
  }

  /** {@link CommitAttempts#run} of {@code attempt} for this table. */
  private CommitOutcome attempts(List<PartitionCommit> partitions, CommitAttempts.Attempt attempt) {
    return CommitAttempts.run(
        location,
        maxAttempts,
        backoff,
        sleeper,
        partitions,
        this::committedVersions,
        attempt,
        this::classify);
  }

  private CommitAttempts.Failure classify(RuntimeException e) {
    if (e instanceof io.delta.standalone.exceptions.DeltaStandaloneException
        || e instanceof IllegalArgumentException) {
      return CommitAttempts.Failure.REJECTED; // an invalid schema or action
    }
    if (e instanceof ConcurrentModificationException) {
      // Several tasks starting on a new table race to create it; one wins, the others append.
      return lastAttemptCreated
              && (e instanceof ProtocolChangedException || e instanceof MetadataChangedException)
          ? CommitAttempts.Failure.CREATED_BY_ANOTHER
          : CommitAttempts.Failure.CONFLICT;
    }
    if (e instanceof RetriableException) {
      return CommitAttempts.Failure.STORAGE;
    }
    if (e instanceof ConnectException) {
      throw e;
    }
    return CommitAttempts.Failure.UNKNOWN;
  }

  /** One attempt: creates the table through Standalone, or appends through the tail. */
  private synchronized CommitOutcome attempt(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution) {
    CommitOutcome appended =
        writer.commitNext(
            new Append(
                location, conf, engineInfo, schema, partitionColumns, partitions, evolution));
    lastAttemptCreated = appended == null;
    if (!lastAttemptCreated) {
      return appended;
    }
    return create(schema, partitionColumns, partitions);
  }

  /** Creates the table with the partitions' files (the table has no version yet). */
  private CommitOutcome create(
      ColumnType.Struct schema, List<String> partitionColumns, List<PartitionCommit> partitions) {
    writer.reload(); // the table is new, or another creator won the race
    CommitOutcome created =
        TableCreation.create(
            log,
            location,
            tableName,
            tableProperties,
            engineInfo,
            schema,
            partitionColumns,
            Decisions.decide(
                partitions, appId -> -1L, pc -> DataFiles.allWhole(conf, location, pc)));
    return created.withState(
        new TableState(
            created.tableVersion(),
            schema,
            partitionColumns,
            io.deltasink.connect.delta.schema.DeltaSchemaJson.toJson(schema),
            tableProperties,
            java.util.Set.of()));
  }

  /** {@link StandaloneErrors#guard} for this table. */
  private <T> T guard(java.util.function.Supplier<T> call) {
    return StandaloneErrors.guard(location, call);
  }

  @Override
  public synchronized List<WrittenFile> smallFiles() {
    return List.copyOf(writer.sync().smallFiles());
  }

  @Override
  public synchronized long rewrite(List<WrittenFile> removed, WrittenFile added) {
    if (!DataFiles.allWhole(conf, location, List.of(added))) {
      return -1; // never reference a file that is not there
    }
    Rewrite step = new Rewrite(removed, added, engineInfo, location);
    Long version;
    try {
      version = writer.commitNext(step);
    } catch (RetriableException e) {
      if (step.attempted() < 0) {
        throw e;
      }
      // The write failed: the commit file of that version says whether it landed; when it does
      // not (yet) hold it, a rename the store retried may still land, so the file is kept.
      try {
        return writer.holdsAdd(step.attempted(), added.path()) ? step.attempted() : KEEP;
      } catch (RuntimeException unreadable) {
        e.addSuppressed(unreadable);
        throw e;
      }
    }
    if (version != null) {
      return version;
    }
    if (step.attempted() < 0) {
      return -1; // an input was gone before anything was written
    }
    // A write was tried and reported the version taken: that may be this very commit, landed
    // through a retried rename that then found its own file.
    return writer.holdsAdd(step.attempted(), added.path()) ? step.attempted() : KEEP;
  }

  @Override
  public java.util.Set<String> referenced(java.util.Set<String> paths) {
    return writer.referenced(paths);
  }

  @Override
  public void close() {
    writer.close();
  }
}
