package io.deltasink.connect.delta.table.kernel;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.CheckpointAlreadyExistsException;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.MaxCommitRetryLimitReachedException;
import io.delta.kernel.exceptions.TableAlreadyExistsException;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.CloseableIterable;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.table.AzureNamespace;
import io.deltasink.connect.delta.table.Checkpointer;
import io.deltasink.connect.delta.table.CommitAttempts;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.DataFiles;
import io.deltasink.connect.delta.table.Decisions;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.SchemaUpdate;
import io.deltasink.connect.delta.table.Sleeper;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TableLog} through Delta Kernel, for the tables Delta Standalone cannot write: protocol
 * above reader 1 / writer 2 with the table features of {@link KernelFeatures#WRITABLE}
 * (docs/delta-backends.md).
 *
 * <p>Commit protocol, as the Standalone backend's: an attempt takes the latest snapshot (the one
 * Kernel built after this writer's last commit, or a listing of the log after a lost race, every
 * 100 commits and every 10 minutes), decides per Kafka partition from its {@code txn} version
 * (already at {@code newVersion}: landed; not at {@code expectedVersion}: fenced; otherwise
 * included), and commits the included files with one {@code txn} action per partition in one
 * version. Kernel's own conflict resolution is off ({@code withMaxRetries(0)}): it knows only the
 * one {@code SetTransaction} of its builder, so a lost race for the version, or a storage error,
 * ends the attempt and the next one decides again on the new snapshot. Kernel assigns what the
 * table's features need on every attempt: the in-commit timestamp, row ids and the row-id
 * high-water mark, the protocol's checks of an append-only or change-data-feed table.
 *
 * <p>After a commit: the {@code .crc} file of the version when Kernel can compute it from the last
 * one (cheap, and it makes the next snapshot load read one file for the protocol and metadata); a
 * checkpoint every {@code delta.checkpointInterval} versions on a background thread, a V2 spec one
 * on {@code v2Checkpoint} tables, followed by the cleanup of expired log files ({@link
 * KernelCheckpoints}).
 *
 * <p>Compaction and orphan cleanup: not done on these tables yet ({@link #smallFiles} offers
 * nothing, {@link #referenced} keeps every file); see docs/delta-backends.md. Thread-safe.
 */
public final class KernelTableLog implements TableLog {
  private static final Logger LOG = LoggerFactory.getLogger(KernelTableLog.class);

  private final String location;
  private final Configuration conf;
  private final Engine engine;
  private final String engineInfo;
  private final int maxAttempts;
  private final ExponentialBackoff backoff;
  private final Sleeper sleeper;
  private final Map<String, String> tableProperties;
  private final Checkpointer checkpointer;
  private final KernelSnapshots snapshots;

  /**
   * @param location table root as a Hadoop URI ({@code file:///...}, {@code abfss://...})
   * @param conf Hadoop configuration; {@code io.delta.kernel.logStore.<scheme>.impl} chooses the
   *     log store
   * @param engineInfo written as {@code commitInfo.engineInfo} (after Kernel's own version)
   * @param maxAttempts commit attempts before giving up
   * @param backoffMs first wait between attempts (ms)
   * @param tableProperties {@code metaData.configuration} of the table when this creates it
   */
  public KernelTableLog(
      String location,
      Configuration conf,
      String engineInfo,
      int maxAttempts,
      long backoffMs,
      Sleeper sleeper,
      Map<String, String> tableProperties) {
    this.location = location;
    this.conf = conf;
    this.engine = DefaultEngine.create(conf);
    this.engineInfo = engineInfo;
    this.maxAttempts = Math.max(1, maxAttempts);
    this.backoff = CommitAttempts.backoff(backoffMs);
    this.sleeper = sleeper;
    this.tableProperties = Map.copyOf(tableProperties);
    this.checkpointer = new Checkpointer(location, this::checkpoint);
    this.snapshots = new KernelSnapshots(location, engine);
    AzureNamespace.warning(conf, location).ifPresent(LOG::warn);
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Optional<TableState> state() {
    return snapshots.latest().map(this::stateOf);
  }

  @Override
  public long committedVersion(String appId) {
    return committedVersions(List.of(appId)).get(appId);
  }

  /** Reads the latest version; a commit after this one lists the log again too. */
  @Override
  public synchronized Map<String, Long> committedVersions(Collection<String> appIds) {
    snapshots.forget();
    Optional<Snapshot> snapshot = snapshots.latest();
    Map<String, Long> out = new LinkedHashMap<>();
    for (String id : appIds) {
      out.put(id, snapshot.map(s -> txnVersion(s, id)).orElse(-1L));
    }
    return out;
  }

  @Override
  public CommitOutcome commit(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution) {
    return attempts(
        partitions, () -> attempt(schema, partitionColumns, partitions, evolution, null));
  }

  @Override
  public CommitOutcome merge(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution,
      io.deltasink.connect.delta.table.Upsert upsert) {
    return attempts(
        partitions, () -> attempt(schema, partitionColumns, partitions, evolution, upsert));
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
    if (e instanceof TableAlreadyExistsException) {
      return CommitAttempts.Failure.CREATED_BY_ANOTHER;
    }
    if (e instanceof MaxCommitRetryLimitReachedException) {
      // Kernel's retries are off: another writer took the version, or writing it failed.
      snapshots.lostRace();
      return CommitAttempts.Failure.CONFLICT;
    }
    if (e instanceof RetriableException) {
      return CommitAttempts.Failure.STORAGE;
    }
    if (e instanceof ConnectException) {
      throw e;
    }
    return e instanceof KernelException
        ? CommitAttempts.Failure.REJECTED
        : CommitAttempts.Failure.UNKNOWN;
  }

  /**
   * One attempt on the latest snapshot, or the creation of the table with the files; with {@code
   * upsert} (null for an append) all partitions go in with the rewrite or none does ({@link
   * TableLog#merge}).
   */
  private synchronized CommitOutcome attempt(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution,
      io.deltasink.connect.delta.table.Upsert upsert) {
    KernelSnapshots.Read read = snapshots.forAttempt();
    Snapshot snapshot = read.snapshot();
    Decisions decisions;
    Transaction txn;
    SchemaUpdate.Plan plan = SchemaUpdate.Plan.NONE;
    TableState stateAfter = null;
    if (snapshot == null) {
      decisions = Decisions.decide(partitions, id -> -1L, this::whole);
      txn =
          guard(
              () ->
                  KernelActions.creation(
                          location, schema, partitionColumns, engineInfo, tableProperties)
                      .build(engine));
    } else {
      TableState state = stateOf(snapshot);
      state.checkPartitionColumns(location, partitionColumns);
      plan = SchemaUpdate.plan(state, schema, evolution);
      stateAfter = plan.stateAfter(state);
      decisions =
          Decisions.decide(
              partitions, id -> txnVersion(snapshot, id), plan.includable(location, this::whole));
      if (read.postCommit()
          && (!decisions.fenced().isEmpty() || !decisions.alreadyThere().isEmpty())) {
        // Only the latest version may say a partition moved on: the writer's own last commit may
        // predate a new owner's (put-if-absent catches that only for what is written).
        snapshots.forget();
        return attempt(schema, partitionColumns, partitions, evolution, upsert);
      }
      if (upsert != null) {
        KernelUpserts.refusal(location, snapshot)
            .ifPresent(
                reason -> {
                  throw new ConnectException(reason);
                });
      }
      if (decisions.included().isEmpty()
          || (upsert != null && decisions.included().size() != partitions.size())) {
        if (upsert != null) {
          upsert.discard();
        }
        snapshots.unchanged(snapshot);
        return decisions.outcome(-1).withState(stateAfter);
      }
      txn =
          guard(
              () ->
                  snapshot
                      .buildUpdateTableTransaction(
                          engineInfo,
                          upsert == null ? Operation.STREAMING_UPDATE : Operation.MANUAL_UPDATE)
                      .withMaxRetries(0)
                      .build(engine));
    }
    List<Row> actions =
        new java.util.ArrayList<>(
            KernelActions.append(decisions.included(), System.currentTimeMillis()));
    if (upsert != null && snapshot != null) {
      actions.addAll(
          0,
          KernelUpserts.rows(
              location, engine, snapshot, stateAfter, upsert, System.currentTimeMillis()));
    }
    if (plan.changes()) {
      actions.add(0, KernelActions.metadata(snapshot.getMetadata(), plan));
    }
    if (upsert != null) {
      upsert.attempting(); // whatever the commit reports, it may have landed
    }
    TransactionCommitResult result =
        txn.commit(
            engine,
            CloseableIterable.inMemoryIterable(Utils.toCloseableIterator(actions.iterator())));
    long version = result.getVersion();
    long files = decisions.included().stream().mapToLong(pc -> pc.files().size()).sum();
    long rows =
        decisions.included().stream()
            .flatMap(pc -> pc.files().stream())
            .mapToLong(WrittenFile::records)
            .sum();
    LOG.info(
        "Committed Delta version {} of {} through Delta Kernel: {} files, {} rows, {} partitions{}{}{}",
        version,
        location,
        files,
        rows,
        decisions.included().size(),
        decisions.fenced().isEmpty() ? "" : ", fenced " + decisions.fenced().keySet(),
        plan.changes() ? ", new schema " + plan.schemaJson() : "",
        upsert == null
            ? ""
            : String.format(
                " (upsert): %d files holding %d replaced or deleted rows rewritten, %d bytes read,"
                    + " %d bytes written",
                upsert.removes().size(),
                upsert.rowsRemoved(),
                upsert.bytesRead(),
                upsert.bytesWritten()));
    if (plan.changes()) {
      // Kernel's post-commit snapshot and checksum hold the metadata it read, not the one this
      // commit wrote: neither is used; the next attempt lists the log.
      snapshots.forget();
      afterCommit(result, false);
    } else {
      afterCommit(result, true);
      snapshots.committed(result.getPostCommitSnapshot());
      if (snapshot == null) {
        stateAfter = result.getPostCommitSnapshot().map(this::stateOf).orElse(null);
      }
    }
    return decisions.outcome(version).withState(stateAfter);
  }

  private boolean whole(PartitionCommit pc) {
    return DataFiles.allWhole(conf, location, pc);
  }

  /**
   * The checksum file of the version when Kernel can compute it incrementally, and the checkpoint
   * when one is due. Neither may fail the commit that already landed.
   */
  private void afterCommit(TransactionCommitResult result, boolean checksum) {
    for (PostCommitHook hook : result.getPostCommitHooks()) {
      if (hook.getType() == PostCommitHook.PostCommitHookType.CHECKSUM_SIMPLE) {
        if (!checksum) {
          continue;
        }
        try {
          hook.threadSafeInvoke(engine);
        } catch (IOException | RuntimeException e) {
          LOG.debug("The checksum file of {} version {} was not written", location, e);
        }
      } else if (hook.getType() == PostCommitHook.PostCommitHookType.CHECKPOINT) {
        checkpointer.afterCommit(result.getVersion(), "1");
      }
    }
  }

  /** Writes the checkpoint of {@code version} (on the checkpointer's thread). */
  private void checkpoint(long version) {
    Snapshot snapshot =
        guard(() -> TableManager.loadSnapshot(location).atVersion(version).build(engine));
    try {
      KernelCheckpoints.write(engine, snapshot);
    } catch (CheckpointAlreadyExistsException e) {
      LOG.debug("Version {} of {} already has a checkpoint", version, location);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private TableState stateOf(Snapshot snapshot) {
    return KernelActions.state(location, snapshot);
  }

  private <T> T guard(Supplier<T> call) {
    return KernelSnapshots.guard(location, call);
  }

  private long txnVersion(Snapshot snapshot, String appId) {
    return guard(() -> snapshot.getLatestTransactionVersion(engine, appId)).orElse(-1L);
  }

  /** Nothing: compaction does not run on tables written through Kernel yet. */
  @Override
  public List<WrittenFile> smallFiles() {
    return List.of();
  }

  /** Writes nothing ({@link #smallFiles} offers no files to compact): -1. */
  @Override
  public long rewrite(List<WrittenFile> removed, WrittenFile added) {
    return -1;
  }

  /** Every path: the orphan cleanup deletes nothing of these tables. */
  @Override
  public Set<String> referenced(Set<String> paths) {
    return paths;
  }

  @Override
  public void close() {
    checkpointer.close();
  }
}
