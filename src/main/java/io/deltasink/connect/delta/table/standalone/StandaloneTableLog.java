package io.deltasink.connect.delta.table.standalone;

import io.delta.standalone.CommitResult;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.Metadata;
import io.delta.standalone.actions.SetTransaction;
import io.delta.standalone.exceptions.MetadataChangedException;
import io.delta.standalone.exceptions.ProtocolChangedException;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
import io.deltasink.connect.delta.table.AzureNamespace;
import io.deltasink.connect.delta.table.CommitNotLandedException;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.CommitOutcomeUnknownException;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
  private static final long MAX_BACKOFF_MS = 10_000L;

  /** Spreads the retries of tasks that conflicted with each other (a fraction of each wait). */
  private static final double BACKOFF_JITTER = 0.2;

  private final String location;
  private final DeltaLog log;
  private final String tableName;
  private final String engineInfo;
  private final int maxAttempts;
  private final ExponentialBackoff backoff;
  private final Sleeper sleeper;
  private final Configuration conf;
  private final LogFiles logFiles;
  private final LogTail tail;
  private final Checkpointer checkpointer;

  /** When the tail last read the log (ns, {@link System#nanoTime}); 0 before the first load. */
  private long syncedAtNs;

  /**
   * Whether the last attempt tried to create the table (a race with another creator is expected
   * then).
   */
  private boolean lastAttemptCreated;

  /** Waits between commit attempts; replaced in tests. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long ms) throws InterruptedException;
  }

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
    this.location = location;
    this.tableName = tableName;
    this.engineInfo = engineInfo;
    this.maxAttempts = Math.max(1, maxAttempts);
    this.backoff =
        new ExponentialBackoff(backoffMs, 2, Math.max(backoffMs, MAX_BACKOFF_MS), BACKOFF_JITTER);
    this.sleeper = sleeper;
    this.conf = conf;
    this.log = guard(() -> DeltaLog.forTable(conf, location));
    this.logFiles = new LogFiles(log, conf);
    this.tail = new LogTail(0);
    this.checkpointer = new Checkpointer(location, logFiles);
    AzureNamespace.warning(conf, location).ifPresent(LOG::warn);
  }

  /**
   * A tail that has not read the log for this long loads the whole state again instead of reading
   * the commits it missed: expired log cleanup may have deleted some of them (Delta keeps them for
   * {@code delta.logRetentionDuration}, 30 days by default and never less than a day in practice).
   */
  static final long RELOAD_AFTER_IDLE_NS = java.util.concurrent.TimeUnit.MINUTES.toNanos(10);

  /**
   * Brings {@link #tail} up to date: the commit files after its version, one by one, or the whole
   * state when it never loaded or sat idle past {@link #RELOAD_AFTER_IDLE_NS}.
   *
   * @throws ConnectException when the table's protocol needs a newer writer
   */
  private void sync() {
    long now = System.nanoTime();
    if (syncedAtNs == 0 || now - syncedAtNs > RELOAD_AFTER_IDLE_NS) {
      guard(
          () -> {
            logFiles.loadInto(tail);
            return null;
          });
    } else {
      while (guard(() -> readNext())) {
        // one commit file per round
      }
    }
    syncedAtNs = now;
    if (!tail.protocolSupported()) {
      throw new ConnectException(
          "Delta table "
              + location
              + " needs a newer Delta protocol than this connector writes "
              + "(reader version 1, writer version 2); the table has "
              + tail.protocol()
              + ". Write to a new table location, or to a table created without newer table features.");
    }
  }

  private boolean readNext() {
    try {
      return logFiles.readInto(tail, tail.version() + 1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public synchronized Optional<TableState> state() {
    sync();
    return tail.state();
  }

  @Override
  public synchronized long committedVersion(String appId) {
    sync();
    return tail.txnVersion(appId);
  }

  @Override
  public synchronized Map<String, Long> committedVersions(java.util.Collection<String> appIds) {
    sync();
    Map<String, Long> out = new LinkedHashMap<>();
    for (String id : appIds) {
      out.put(id, tail.txnVersion(id));
    }
    return out;
  }

  @Override
  public CommitOutcome commit(
      ColumnType.Struct schema, List<String> partitionColumns, List<PartitionCommit> partitions) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        backoff(attempt);
      }
      try {
        return attempt(schema, partitionColumns, partitions);
      } catch (io.delta.standalone.exceptions.DeltaStandaloneException
          | IllegalArgumentException e) {
        // Delta refused the commit (invalid schema or action): retrying cannot help, unless it
        // did land before failing.
        CommitOutcome landed = resolve(partitions, e);
        if (landed != null) {
          return landed;
        }
        throw new ConnectException(
            "Delta rejected the commit to " + location + ": " + e.getMessage(), e);
      } catch (ConcurrentModificationException e) {
        last = e;
        if (lastAttemptCreated
            && (e instanceof ProtocolChangedException || e instanceof MetadataChangedException)) {
          // Several tasks starting on a new table race to create it; one wins, the others append to
          // it.
          LOG.debug(
              "Delta table {} was created by another writer at the same moment; appending to it",
              location);
          continue;
        }
        LOG.info(
            "Delta commit to {} conflicted with a concurrent writer (attempt {} of {}): {}",
            location,
            attempt + 1,
            maxAttempts,
            e.getMessage());
      } catch (RetriableException e) {
        last = e;
        LOG.warn(
            "Delta commit to {} hit a storage error (attempt {} of {}): {}",
            location,
            attempt + 1,
            maxAttempts,
            e.getMessage());
      } catch (ConnectException e) {
        throw e;
      } catch (RuntimeException e) {
        last = e;
        LOG.warn(
            "Delta commit to {} failed with an unknown outcome (attempt {} of {}); re-reading the log",
            location,
            attempt + 1,
            maxAttempts,
            e);
      }
    }
    // The last attempt may have landed before failing: only the log can say.
    CommitOutcome landed = resolve(partitions, last);
    if (landed != null) {
      return landed;
    }
    throw new CommitNotLandedException(
        "Delta commit to "
            + location
            + " did not succeed after "
            + maxAttempts
            + " attempts and the log shows none of it; the sink will retry from the last committed offsets",
        last);
  }

  /**
   * Reads the partitions' {@code txn} versions after a failed attempt: at {@code newVersion} the
   * attempt landed, at {@code expectedVersion} it did not, anything else means another owner moved
   * the partition (fenced).
   *
   * @return the outcome, or null when nothing of the commit landed and nothing is fenced
   * @throws CommitOutcomeUnknownException when the log cannot be read
   */
  private CommitOutcome resolve(List<PartitionCommit> partitions, Exception failure) {
    Map<String, Long> versions;
    try {
      versions = committedVersions(partitions.stream().map(PartitionCommit::appId).toList());
    } catch (RuntimeException e) {
      if (failure != null) {
        e.addSuppressed(failure);
      }
      throw new CommitOutcomeUnknownException(
          "A Delta commit to "
              + location
              + " was attempted and the log cannot be "
              + "read to learn whether it landed ("
              + e.getMessage()
              + "); its files are kept and the next commit decides "
              + "from the log",
          e);
    }
    Set<String> committed = new HashSet<>();
    Map<String, Long> fenced = new HashMap<>();
    for (PartitionCommit pc : partitions) {
      long found = versions.get(pc.appId());
      switch (pc.standing(found)) {
        case LANDED -> committed.add(pc.appId());
        case FENCED -> fenced.put(pc.appId(), found);
        case EXPECTED -> {}
      }
    }
    if (committed.isEmpty() && fenced.isEmpty()) {
      return null;
    }
    LOG.info(
        "The log of {} shows the outcome of the failed commit attempt: {} partitions committed, {} fenced",
        location,
        committed.size(),
        fenced.size());
    return new CommitOutcome(-1, committed, fenced);
  }

  /** One attempt: creates the table through Standalone, or appends through the tail. */
  private synchronized CommitOutcome attempt(
      ColumnType.Struct schema, List<String> partitionColumns, List<PartitionCommit> partitions) {
    sync();
    lastAttemptCreated = tail.version() < 0;
    if (lastAttemptCreated) {
      CommitOutcome created = create(schema, partitionColumns, partitions);
      syncedAtNs = 0; // the next use loads the new table
      return created;
    }
    for (int race = 0; ; race++) {
      ColumnType.Struct tableSchema = tail.state().orElseThrow().schema();
      if (!tableSchema.equals(schema)) {
        throw new ConnectException(
            "The schema of Delta table "
                + location
                + " changed while the sink was writing to it: "
                + "table has "
                + DeltaSchemaJson.toJson(tableSchema)
                + ", files were written with "
                + DeltaSchemaJson.toJson(schema)
                + ". The task will restart and re-read the table.");
      }
      long now = System.currentTimeMillis();
      CommitActions actions = new CommitActions(now);
      Decision d = decide(partitions, actions::txn, f -> actions.add(f, true));
      if (actions.isEmpty()) {
        return new CommitOutcome(-1, d.alreadyThere, d.fenced, d.missing);
      }
      long version = tail.version() + 1;
      Map<String, String> params = new LinkedHashMap<>();
      params.put("outputMode", "Append");
      params.put("partitionBy", StandaloneActions.partitionColumnsJson(partitionColumns));
      List<String> lines =
          actions.lines("STREAMING UPDATE", params, tail.version(), true, engineInfo);
      try {
        logFiles.write(version, lines);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (race >= MAX_RACES) {
          throw new ConcurrentModificationException(
              "lost the race for the next version of " + location + " " + race + " times");
        }
        // Another writer took this version: read what it did and decide again.
        LOG.debug("Delta version {} of {} was taken by another writer", version, location);
        sync();
        continue;
      } catch (java.io.IOException e) {
        throw new RetriableException(
            "Storage error writing Delta version "
                + version
                + " of "
                + location
                + " (it may have landed): "
                + e.getMessage(),
            e);
      }
      tail.apply(version, lines.iterator());
      checkpointer.afterCommit(version, tail.property("delta.checkpointInterval", "10"));
      LOG.info(
          "Committed Delta version {} of {}: {} files, {} rows, {} partitions{}",
          version,
          location,
          actions.files(),
          actions.rows(),
          d.included.size(),
          d.fenced.isEmpty() ? "" : ", fenced " + d.fenced.keySet());
      Set<String> committed = new HashSet<>(d.included);
      committed.addAll(d.alreadyThere);
      return new CommitOutcome(version, committed, d.fenced, d.missing);
    }
  }

  /** Attempts to give up after when every one found its version taken by another writer. */
  private static final int MAX_RACES = 1_000;

  /** What one attempt does with each partition, against the {@code txn} versions of the tail. */
  private record Decision(
      Set<String> included,
      Set<String> alreadyThere,
      Map<String, Long> fenced,
      Set<String> missing) {}

  private Decision decide(
      List<PartitionCommit> partitions,
      java.util.function.ObjLongConsumer<String> txn,
      java.util.function.Consumer<WrittenFile> add) {
    Decision d = new Decision(new HashSet<>(), new HashSet<>(), new HashMap<>(), new HashSet<>());
    for (PartitionCommit pc : partitions) {
      long found = tail.txnVersion(pc.appId());
      PartitionCommit.Standing standing = pc.standing(found);
      if (standing == PartitionCommit.Standing.LANDED) {
        d.alreadyThere.add(pc.appId());
      } else if (standing == PartitionCommit.Standing.FENCED) {
        d.fenced.put(pc.appId(), found);
      } else if (!DataFiles.allWhole(conf, location, pc)) {
        d.missing.add(pc.appId());
      } else {
        pc.files().forEach(add);
        txn.accept(pc.appId(), pc.newVersion());
        d.included.add(pc.appId());
      }
    }
    return d;
  }

  /**
   * The table's first commit, through Standalone: {@code protocol} (1, 2), {@code metaData} with
   * the schema and partition columns, and the files.
   */
  private CommitOutcome create(
      ColumnType.Struct schema, List<String> partitionColumns, List<PartitionCommit> partitions) {
    OptimisticTransaction txn = guard(log::startTransaction);
    txn.updateMetadata(
        Metadata.builder()
            .id(UUID.randomUUID().toString())
            .name(tableName)
            .partitionColumns(partitionColumns)
            .schema(StandaloneActions.toStructType(schema))
            .createdTime(System.currentTimeMillis())
            .build());
    long now = System.currentTimeMillis();
    List<Action> actions = new ArrayList<>();
    long[] counts = new long[3];
    Decision d =
        decide(
            partitions,
            (appId, v) -> actions.add(new SetTransaction(appId, v, Optional.of(now))),
            f -> {
              actions.add(
                  new AddFile(
                      f.path(),
                      f.partitionValues(),
                      f.sizeBytes(),
                      f.modificationTimeMs(),
                      true,
                      StandaloneActions.jsonString(f.statsJson()),
                      null));
              counts[0]++;
              counts[1] += f.records();
              counts[2] += f.sizeBytes();
            });
    Map<String, String> params = new LinkedHashMap<>();
    params.put("outputMode", "\"Append\"");
    // commitInfo.operationParameters is a map of strings; Spark stores JSON text in them.
    params.put(
        "partitionBy",
        StandaloneActions.jsonString(StandaloneActions.partitionColumnsJson(partitionColumns)));
    Map<String, String> metrics = new LinkedHashMap<>();
    metrics.put(Operation.Metrics.numFiles, Long.toString(counts[0]));
    metrics.put(Operation.Metrics.numOutputRows, Long.toString(counts[1]));
    metrics.put(Operation.Metrics.numOutputBytes, Long.toString(counts[2]));
    Operation op = new Operation(Operation.Name.STREAMING_UPDATE, params, metrics);
    CommitResult result = guard(() -> txn.commit(actions, op, engineInfo));
    LOG.info(
        "Created Delta table {} at version {}: {} files, {} rows, {} partitions",
        location,
        result.getVersion(),
        counts[0],
        counts[1],
        d.included.size());
    Set<String> committed = new HashSet<>(d.included);
    committed.addAll(d.alreadyThere);
    return new CommitOutcome(result.getVersion(), committed, d.fenced, d.missing);
  }

  private void backoff(int attempt) {
    long wait = backoff.backoff(attempt - 1);
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableException(
          "interrupted while waiting to retry a Delta commit to " + location, e);
    }
  }

  /** {@link StandaloneErrors#guard} for this table. */
  private <T> T guard(java.util.function.Supplier<T> call) {
    return StandaloneErrors.guard(location, call);
  }

  @Override
  public void close() {
    checkpointer.close();
  }
}
