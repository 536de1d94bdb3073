package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.writer.TableLayout;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One table's prepared commit, made by {@link TableWriter#prepareCommit} on the task thread: {@link
 * #commitToDelta} touches only the Delta table and may run on a commit thread (several tables
 * commit at once); {@link #apply} and {@link #outcomeUnknown} update the task's state and run on
 * the task thread.
 */
final class TableCommit {
  private final TableWriter owner;
  private final TableLog table;
  private final TableLayout layout;
  private final io.deltasink.connect.delta.schema.EvolutionMode evolution;
  private final List<PartitionCommit> commits;
  private final Map<String, PartitionState> byAppId;
  private final Map<String, Long> newVersions;
  private final RuntimeException failed;
  private final io.deltasink.connect.delta.table.Upsert upsert;
  private long commitMs;

  /**
   * @param commits one per Kafka partition with rows or offsets to record (empty when there is
   *     nothing)
   * @param failed the failure of a partition whose files could not be closed, thrown by {@link
   *     #apply}
   * @param upsert the rewrite of an upsert commit ({@link TableLog#merge}), null for an append
   */
  TableCommit(
      TableWriter owner,
      TableLog table,
      TableLayout layout,
      io.deltasink.connect.delta.schema.EvolutionMode evolution,
      List<PartitionCommit> commits,
      Map<String, PartitionState> byAppId,
      Map<String, Long> newVersions,
      RuntimeException failed,
      io.deltasink.connect.delta.table.Upsert upsert) {
    this.upsert = upsert;
    this.owner = owner;
    this.table = table;
    this.layout = layout;
    this.evolution = evolution;
    this.commits = commits;
    this.byAppId = byAppId;
    this.newVersions = newVersions;
    this.failed = failed;
  }

  /** Whether there are files or offsets to commit to Delta. */
  boolean needsDeltaCommit() {
    return !commits.isEmpty();
  }

  /** The table, for messages. */
  String location() {
    return table.location();
  }

  /**
   * The Delta commit (with its retries, see {@link TableLog#commit}); no task state is touched.
   *
   * @throws org.apache.kafka.connect.errors.RetriableException or a {@link
   *     org.apache.kafka.connect.errors.ConnectException} as {@link TableLog#commit} throws them
   */
  CommitOutcome commitToDelta() {
    long started = System.nanoTime();
    CommitOutcome outcome =
        upsert == null
            ? table.commit(layout.schema(), layout.partitionColumns(), commits, evolution)
            : table.merge(layout.schema(), layout.partitionColumns(), commits, evolution, upsert);
    commitMs = (System.nanoTime() - started) / 1_000_000;
    return outcome;
  }

  /**
   * {@link #commitToDelta} threw: whether the commit landed is unknown until the log is read again,
   * so its files are never deleted meanwhile (the next commit of each partition, or its next owner,
   * reads the {@code txn} version and decides).
   */
  void outcomeUnknown() {
    for (PartitionCommit pc : commits) {
      List<String> paths = new ArrayList<>(pc.files().size());
      for (WrittenFile f : pc.files()) {
        paths.add(f.path());
      }
      byAppId.get(pc.appId()).inDoubt(pc.newVersion(), paths);
    }
  }

  /**
   * Records what the commit did (committed versions, fenced partitions, partitions to write again,
   * metrics); then throws the failure of a partition whose files could not be closed, if any, or
   * the {@link org.apache.kafka.connect.errors.RetriableException} of a partition to write again.
   *
   * @param outcome what {@link #commitToDelta} returned, or null when {@link #needsDeltaCommit} was
   *     false
   */
  void apply(CommitOutcome outcome) {
    RuntimeException rewrite = null;
    if (outcome != null) {
      long rows = 0;
      long bytes = 0;
      long files = 0;
      for (PartitionCommit pc : commits) {
        if (outcome.committed().contains(pc.appId())) {
          for (WrittenFile f : pc.files()) {
            rows += f.records();
            bytes += f.sizeBytes();
            files++;
          }
        }
      }
      owner.tableMetrics().committed(outcome.tableVersion(), rows, bytes, files, commitMs);
      if (upsert != null && outcome.tableVersion() >= 0) {
        owner.tableMetrics().upserted(upsert.bytesRead(), upsert.rowsRemoved());
      }
      for (String appId : outcome.committed()) {
        byAppId.get(appId).committedAt(newVersions.get(appId));
      }
      for (Map.Entry<String, Long> e : outcome.fenced().entrySet()) {
        owner.fenced(byAppId.get(e.getKey()), e.getValue());
      }
      for (String appId : outcome.missing()) {
        rewrite = owner.rewrite(byAppId.get(appId));
      }
      owner.tableState(outcome.state());
    }
    if (failed != null) {
      throw failed;
    }
    if (rewrite != null) {
      throw rewrite;
    }
  }
}
