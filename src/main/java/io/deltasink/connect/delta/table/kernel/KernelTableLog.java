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
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.exceptions.UnsupportedProtocolVersionException;
import io.delta.kernel.exceptions.UnsupportedTableFeatureException;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.internal.actions.Protocol;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.transaction.CreateTableTransactionBuilder;
import io.delta.kernel.transaction.DataLayoutSpec;
import io.delta.kernel.utils.CloseableIterable;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
import io.deltasink.connect.delta.table.AzureNamespace;
import io.deltasink.connect.delta.table.Checkpointer;
import io.deltasink.connect.delta.table.CommitAttempts;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.DataFiles;
import io.deltasink.connect.delta.table.Decisions;
import io.deltasink.connect.delta.table.PartitionCommit;
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

  /**
   * The snapshot Kernel built after this writer's last commit, without listing the log: the next
   * attempt decides on it. When another writer committed meanwhile, that attempt loses the race for
   * the version and the one after it loads the latest snapshot. Null when none may be used.
   */
  private Snapshot afterLastCommit;

  /** Commits on {@link #afterLastCommit} since the log was last listed. */
  private int unlistedCommits;

  private long listedAtMs;

  /**
   * The log is listed again after this many commits on post-commit snapshots (each adds a commit
   * file to the snapshot's log segment, which replays that much more for a partition that commits
   * rarely) ...
   */
  private static final int RELIST_AFTER_COMMITS = 100;

  /** ... or after this long (another writer's checkpoint and log cleanup may have happened). */
  private static final long RELIST_AFTER_MS = 10 * 60_000L;

  /**
   * Not at all for this long after a lost race: while several writers commit to the table in quick
   * succession, a writer that decides on its own last commit beats one that lists the log every
   * time, and the latter could lose every attempt; all list while they contend.
   */
  private static final long CONTENDED_MS = 10_000L;

  private volatile long lostRaceAtMs = Long.MIN_VALUE / 2;

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
    AzureNamespace.warning(conf, location).ifPresent(LOG::warn);
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Optional<TableState> state() {
    return latest().map(this::stateOf);
  }

  @Override
  public long committedVersion(String appId) {
    return committedVersions(List.of(appId)).get(appId);
  }

  /** Reads the latest version; a commit after this one lists the log again too. */
  @Override
  public synchronized Map<String, Long> committedVersions(Collection<String> appIds) {
    afterLastCommit = null;
    Optional<Snapshot> snapshot = latest();
    Map<String, Long> out = new LinkedHashMap<>();
    for (String id : appIds) {
      out.put(id, snapshot.map(s -> txnVersion(s, id)).orElse(-1L));
    }
    return out;
  }

  @Override
  public CommitOutcome commit(
      ColumnType.Struct schema, List<String> partitionColumns, List<PartitionCommit> partitions) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        CommitAttempts.sleep(sleeper, backoff, attempt, location);
      }
      try {
        return attempt(schema, partitionColumns, partitions);
      } catch (TableAlreadyExistsException e) {
        // Another task created the table between this attempt's look and its creation.
        last = e;
        LOG.debug("Delta table {} was created by another writer at the same moment", location);
      } catch (MaxCommitRetryLimitReachedException e) {
        // Kernel's retries are off: another writer took the version, or writing it failed.
        last = e;
        lostRaceAtMs = System.currentTimeMillis();
        LOG.info(
            "Delta commit to {} did not land (attempt {} of {}), deciding again on the latest"
                + " version: {}",
            location,
            attempt + 1,
            maxAttempts,
            KernelFeatures.oneLine(String.valueOf(e.getCause())));
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
      } catch (KernelException e) {
        // Kernel refused the commit (an invalid action for the table): retrying cannot help,
        // unless it did land before failing.
        CommitOutcome landed = resolve(partitions, e);
        if (landed != null) {
          return landed;
        }
        throw new ConnectException(
            "Delta rejected the commit to "
                + location
                + ": "
                + KernelFeatures.oneLine(e.getMessage()),
            e);
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
    CommitOutcome landed = resolve(partitions, last);
    if (landed != null) {
      return landed;
    }
    throw CommitAttempts.notLanded(location, maxAttempts, last);
  }

  private CommitOutcome resolve(List<PartitionCommit> partitions, Exception failure) {
    return CommitAttempts.resolve(location, partitions, this::committedVersions, failure);
  }

  /** One attempt on the latest snapshot, or the creation of the table with the files. */
  private synchronized CommitOutcome attempt(
      ColumnType.Struct schema, List<String> partitionColumns, List<PartitionCommit> partitions) {
    Snapshot snapshot = afterLastCommit;
    afterLastCommit = null; // used once: a failed attempt lists the log again
    long now = System.currentTimeMillis();
    boolean cached =
        snapshot != null
            && unlistedCommits < RELIST_AFTER_COMMITS
            && now - listedAtMs <= RELIST_AFTER_MS
            && now - lostRaceAtMs > CONTENDED_MS
            && stillInLog(snapshot);
    if (!cached) {
      snapshot = listed(now);
    }
    Decisions decisions;
    Transaction txn;
    if (snapshot == null) {
      decisions = Decisions.decide(partitions, id -> -1L, this::whole);
      txn = guard(() -> creation(schema, partitionColumns).build(engine));
    } else {
      TableState table = stateOf(snapshot);
      checkLayout(table, schema, partitionColumns);
      Snapshot read = snapshot;
      decisions = Decisions.decide(partitions, id -> txnVersion(read, id), this::whole);
      if (cached && (!decisions.fenced().isEmpty() || !decisions.alreadyThere().isEmpty())) {
        // Only the latest version may say a partition moved on: the writer's own last commit may
        // predate a new owner's (put-if-absent catches that only for what is written).
        return attemptOnListedLog(schema, partitionColumns, partitions);
      }
      if (decisions.included().isEmpty()) {
        afterLastCommit = snapshot;
        return decisions.outcome(-1);
      }
      txn =
          guard(
              () ->
                  read.buildUpdateTableTransaction(engineInfo, Operation.STREAMING_UPDATE)
                      .withMaxRetries(0)
                      .build(engine));
    }
    List<Row> actions = KernelActions.append(decisions.included(), System.currentTimeMillis());
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
        "Committed Delta version {} of {} through Delta Kernel: {} files, {} rows, {} partitions{}",
        version,
        location,
        files,
        rows,
        decisions.included().size(),
        decisions.fenced().isEmpty() ? "" : ", fenced " + decisions.fenced().keySet());
    afterCommit(result);
    afterLastCommit = result.getPostCommitSnapshot().orElse(null);
    unlistedCommits++;
    return decisions.outcome(version);
  }

  /** {@link #attempt} after listing the log. */
  private CommitOutcome attemptOnListedLog(
      ColumnType.Struct schema, List<String> partitionColumns, List<PartitionCommit> partitions) {
    afterLastCommit = null;
    unlistedCommits = RELIST_AFTER_COMMITS;
    return attempt(schema, partitionColumns, partitions);
  }

  private Snapshot listed(long now) {
    Snapshot snapshot = latest().orElse(null);
    unlistedCommits = 0;
    listedAtMs = now;
    return snapshot;
  }

  /**
   * Whether the commit file of {@code snapshot}'s version is still there: a table deleted and
   * created again at a lower version must not get this writer's next version on top.
   */
  private boolean stillInLog(Snapshot snapshot) {
    String commit =
        io.delta.kernel.internal.util.FileNames.deltaFile(
            new io.delta.kernel.internal.fs.Path(snapshot.getLogPath().toString()),
            snapshot.getVersion());
    try {
      engine.getFileSystemClient().getFileStatus(commit);
      return true;
    } catch (IOException | RuntimeException e) {
      return false; // gone, or unknown: list the log
    }
  }

  private CreateTableTransactionBuilder creation(
      ColumnType.Struct schema, List<String> partitionColumns) {
    CreateTableTransactionBuilder builder =
        TableManager.buildCreateTableTransaction(
                location, KernelActions.toKernel(schema), engineInfo)
            .withTableProperties(tableProperties)
            .withMaxRetries(0);
    if (!partitionColumns.isEmpty()) {
      builder =
          builder.withDataLayoutSpec(
              DataLayoutSpec.partitioned(partitionColumns.stream().map(Column::new).toList()));
    }
    return builder;
  }

  private boolean whole(PartitionCommit pc) {
    return DataFiles.allWhole(conf, location, pc);
  }

  private void checkLayout(
      TableState table, ColumnType.Struct schema, List<String> partitionColumns) {
    if (!table.partitionColumns().equals(partitionColumns)) {
      throw new ConnectException(
          "The partition columns of Delta table "
              + location
              + " changed while the sink was writing to it: the table has "
              + table.partitionColumns()
              + ", files were written for "
              + partitionColumns
              + ". The task will restart and re-read the table.");
    }
    if (!table.schema().equals(schema)) {
      throw new ConnectException(
          "The schema of Delta table "
              + location
              + " changed while the sink was writing to it: table has "
              + DeltaSchemaJson.toJson(table.schema())
              + ", files were written with "
              + DeltaSchemaJson.toJson(schema)
              + ". The task will restart and re-read the table.");
    }
  }

  /**
   * The checksum file of the version when Kernel can compute it incrementally, and the checkpoint
   * when one is due. Neither may fail the commit that already landed.
   */
  private void afterCommit(TransactionCommitResult result) {
    for (PostCommitHook hook : result.getPostCommitHooks()) {
      if (hook.getType() == PostCommitHook.PostCommitHookType.CHECKSUM_SIMPLE) {
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

  /** The latest snapshot, or empty when the table has no version yet. */
  private Optional<Snapshot> latest() {
    try {
      return Optional.of(guard(() -> TableManager.loadSnapshot(location).build(engine)));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    } catch (UnsupportedTableFeatureException | UnsupportedProtocolVersionException e) {
      throw new ConnectException(
          "Delta table "
              + location
              + " uses a protocol or table feature this connector cannot read, so it cannot write"
              + " the table either: "
              + KernelFeatures.oneLine(e.getMessage()),
          e);
    }
  }

  private TableState stateOf(Snapshot snapshot) {
    KernelFeatures.refusal(location, snapshot.getProtocol(), snapshot.getMetadata())
        .ifPresent(
            reason -> {
              throw new ConnectException(reason);
            });
    ColumnType.Struct schema;
    try {
      schema = KernelActions.fromKernel(snapshot.getSchema());
    } catch (IllegalArgumentException e) {
      throw new ConnectException(
          "Delta table "
              + location
              + " has a column this connector does not write: "
              + KernelActions.unsupportedColumn(snapshot.getSchema()).orElse(e.getMessage())
              + ". Write to a table without it.");
    }
    return new TableState(snapshot.getVersion(), schema, snapshot.getPartitionColumnNames());
  }

  private long txnVersion(Snapshot snapshot, String appId) {
    return guard(() -> snapshot.getLatestTransactionVersion(engine, appId)).orElse(-1L);
  }

  /**
   * Runs a Kernel call: storage failures become {@link RetriableException}; a missing table and
   * Kernel's refusals pass as they are.
   */
  private <T> T guard(Supplier<T> call) {
    try {
      return call.get();
    } catch (KernelException e) {
      throw e;
    } catch (UncheckedIOException | io.delta.kernel.exceptions.KernelEngineException e) {
      throw new RetriableException(
          "Storage error on Delta table "
              + location
              + ": "
              + KernelFeatures.oneLine(e.getMessage()),
          e);
    }
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

  /**
   * Why this connector cannot append to the existing table at {@code location}, or empty when it
   * can (through either backend) or no table is there yet.
   *
   * @throws RuntimeException when storage fails
   */
  public static Optional<String> refusal(String location, Configuration conf) {
    Engine engine = DefaultEngine.create(conf);
    Snapshot snapshot;
    try {
      snapshot = TableManager.loadSnapshot(location).build(engine);
    } catch (TableNotFoundException e) {
      return Optional.empty();
    } catch (UnsupportedTableFeatureException | UnsupportedProtocolVersionException e) {
      return Optional.of(
          "Delta table "
              + location
              + " uses a protocol or table feature this connector cannot read, so it cannot"
              + " write the table either: "
              + KernelFeatures.oneLine(e.getMessage()));
    }
    Protocol protocol = snapshot.getProtocol();
    if (protocol.getMinReaderVersion() <= 1 && protocol.getMinWriterVersion() <= 2) {
      return Optional.empty(); // Delta Standalone writes it
    }
    return KernelFeatures.refusal(location, protocol, snapshot.getMetadata());
  }
}
