package io.deltasink.connect.delta.table.standalone;

import io.delta.standalone.CommitResult;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.Snapshot;
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
 * {@link TableLog} on Delta Standalone (writes protocol reader 1 / writer 2).
 *
 * <p>Commit protocol: every attempt starts a fresh optimistic transaction, reads each partition's
 * {@code txn} version in it (which also makes a concurrent {@code txn} for the same app id a
 * conflict), and decides per partition: already at {@code newVersion} means an earlier attempt (or
 * another owner with the same rows) landed it; not at {@code expectedVersion} means fenced;
 * otherwise its files and {@code SetTransaction} go in. Any exception from {@code commit} is an
 * unknown outcome (Standalone writes the checkpoint inside the call and can fail after the commit
 * file exists), so the next attempt simply re-reads the log and decides again. Attempts are
 * bounded; each waits {@code backoffMs * 2^attempt} (capped at 10 s, 20% jitter, Kafka's {@link
 * ExponentialBackoff}) first.
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
    AzureNamespace.warning(conf, location).ifPresent(LOG::warn);
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Optional<TableState> state() {
    Snapshot s = guard(log::update);
    if (s.getVersion() < 0) {
      return Optional.empty();
    }
    Metadata m = s.getMetadata();
    return Optional.of(
        new TableState(
            s.getVersion(), StandaloneActions.toSchema(m.getSchema()), m.getPartitionColumns()));
  }

  @Override
  public long committedVersion(String appId) {
    guard(log::update);
    return guard(() -> log.startTransaction().txnVersion(appId));
  }

  @Override
  public Map<String, Long> committedVersions(java.util.Collection<String> appIds) {
    guard(log::update);
    OptimisticTransaction txn = guard(log::startTransaction);
    Map<String, Long> out = new LinkedHashMap<>();
    for (String id : appIds) {
      out.put(id, guard(() -> txn.txnVersion(id)));
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
        if (attempt > 0) {
          guard(log::update);
        }
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

  private CommitOutcome attempt(
      ColumnType.Struct schema, List<String> partitionColumns, List<PartitionCommit> partitions) {
    OptimisticTransaction txn = guard(log::startTransaction);
    boolean create = txn.readVersion() < 0;
    lastAttemptCreated = create;
    if (create) {
      txn.updateMetadata(
          Metadata.builder()
              .id(UUID.randomUUID().toString())
              .name(tableName)
              .partitionColumns(partitionColumns)
              .schema(StandaloneActions.toStructType(schema))
              .createdTime(System.currentTimeMillis())
              .build());
    } else {
      ColumnType.Struct tableSchema = StandaloneActions.toSchema(txn.metadata().getSchema());
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
    }
    long now = System.currentTimeMillis();
    List<Action> actions = new ArrayList<>();
    Set<String> included = new HashSet<>();
    Set<String> alreadyThere = new HashSet<>();
    Map<String, Long> fenced = new HashMap<>();
    Set<String> missing = new HashSet<>();
    long rows = 0;
    long bytes = 0;
    int files = 0;
    for (PartitionCommit pc : partitions) {
      long found = txn.txnVersion(pc.appId());
      PartitionCommit.Standing standing = pc.standing(found);
      if (standing == PartitionCommit.Standing.LANDED) {
        alreadyThere.add(pc.appId());
      } else if (standing == PartitionCommit.Standing.FENCED) {
        fenced.put(pc.appId(), found);
      } else if (!DataFiles.allWhole(conf, location, pc)) {
        missing.add(pc.appId());
      } else {
        for (WrittenFile f : pc.files()) {
          actions.add(
              new AddFile(
                  f.path(),
                  f.partitionValues(),
                  f.sizeBytes(),
                  f.modificationTimeMs(),
                  true,
                  StandaloneActions.jsonString(f.statsJson()),
                  null));
          rows += f.records();
          bytes += f.sizeBytes();
          files++;
        }
        actions.add(new SetTransaction(pc.appId(), pc.newVersion(), Optional.of(now)));
        included.add(pc.appId());
      }
    }
    if (actions.isEmpty()) {
      return new CommitOutcome(-1, alreadyThere, fenced, missing);
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("outputMode", "\"Append\"");
    // commitInfo.operationParameters is a map of strings; Spark stores JSON text in them.
    params.put(
        "partitionBy",
        StandaloneActions.jsonString(StandaloneActions.partitionColumnsJson(partitionColumns)));
    Map<String, String> metrics = new LinkedHashMap<>();
    metrics.put(Operation.Metrics.numFiles, Long.toString(files));
    metrics.put(Operation.Metrics.numOutputRows, Long.toString(rows));
    metrics.put(Operation.Metrics.numOutputBytes, Long.toString(bytes));
    Operation op = new Operation(Operation.Name.STREAMING_UPDATE, params, metrics);
    CommitResult result = guard(() -> txn.commit(actions, op, engineInfo));
    LOG.info(
        "Committed Delta version {} of {}: {} files, {} rows, {} partitions{}",
        result.getVersion(),
        location,
        files,
        rows,
        included.size(),
        fenced.isEmpty() ? "" : ", fenced " + fenced.keySet());
    included.addAll(alreadyThere);
    return new CommitOutcome(result.getVersion(), included, fenced, missing);
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
    // DeltaLog holds no open resources.
  }
}
