package io.deltasink.connect.delta.table;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.List;
import java.util.Optional;

/**
 * One Delta table as this connector uses it: read its state and the committed {@code txn} versions,
 * and append files atomically with one {@code SetTransaction} per Kafka partition. This is the seam
 * between the sink and a Delta library: {@link StandaloneTableLog} implements it with Delta
 * Standalone; a Delta Kernel backend can implement it without touching the sink.
 *
 * <p>Errors: {@link org.apache.kafka.connect.errors.RetriableException} when storage fails in a way
 * that may pass, {@link org.apache.kafka.connect.errors.ConnectException} when the table cannot be
 * written as configured (unsupported protocol, schema mismatch).
 */
public interface TableLog extends AutoCloseable {

  /** The table root URI as configured. */
  String location();

  /**
   * The table's current schema and partition columns, or empty when no version exists yet. Re-reads
   * the log.
   *
   * @throws org.apache.kafka.connect.errors.ConnectException if the table needs a newer protocol
   *     than this connector writes (reader 1, writer 2)
   */
  Optional<TableState> state();

  /**
   * The last {@code txn} version committed for {@code appId} (PROTOCOL.md, "Transaction
   * Identifiers"), or -1 when there is none. Re-reads the log.
   */
  long committedVersion(String appId);

  /**
   * {@link #committedVersion} for several app ids, read from one snapshot; every id is a key, -1
   * where none is committed.
   */
  java.util.Map<String, Long> committedVersions(java.util.Collection<String> appIds);

  /**
   * Commits one Delta version holding every file of every partition below, plus one {@code
   * SetTransaction(appId, newVersion)} per partition, unless that partition is fenced: its {@code
   * txn} version in the log is no longer {@code expectedVersion}, so another owner has written it;
   * such a partition's files are left out and reported in the outcome.
   *
   * @param schema the schema the files were written with; creates the table with it when the table
   *     does not exist yet; otherwise the commit changes the table's schema to fit the files, as
   *     far as {@code evolution} allows ({@link SchemaUpdate}), and leaves out (as {@code missing})
   *     the partitions whose files do not fit
   * @param partitionColumns partition columns, used when creating the table
   * @param partitions what to commit, one entry per Kafka partition
   * @param evolution the connector's {@code delta.schema.evolution}
   * @throws CommitNotLandedException when the bounded attempts failed and the log shows none of
   *     them landed; calling again with the same arguments is safe
   * @throws CommitOutcomeUnknownException when the log cannot be read to learn the outcome: the
   *     files may be referenced and must be kept; calling again with the same arguments is safe
   */
  CommitOutcome commit(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      io.deltasink.connect.delta.schema.EvolutionMode evolution);

  /**
   * {@link #commit(ColumnType.Struct, List, List, io.deltasink.connect.delta.schema.EvolutionMode)}
   * allowing every schema change the files need ({@code add-and-widen}).
   */
  default CommitOutcome commit(
      ColumnType.Struct schema, List<String> partitionColumns, List<PartitionCommit> partitions) {
    return commit(
        schema,
        partitionColumns,
        partitions,
        io.deltasink.connect.delta.schema.EvolutionMode.ADD_AND_WIDEN);
  }

  /**
   * Commits an upsert (issue #17): what {@link #commit} commits, plus {@code remove} (with {@code
   * dataChange=true}) of the live files holding a row of one of {@code upsert}'s keys and {@code
   * add} of those files rewritten without such rows, in one {@code MERGE} version, decided on the
   * exact version it follows ({@link Upsert#prepare}). All partitions land together or none does:
   * when one is fenced, already committed or missing a file, nothing is written and the outcome
   * says so; the others are neither committed nor fenced and are to be merged again.
   *
   * @throws org.apache.kafka.connect.errors.ConnectException when the table cannot take an upsert
   *     (deletion vectors on a file to rewrite, row tracking, append-only, change data feed)
   * @throws CommitNotLandedException as {@link #commit}
   * @throws CommitOutcomeUnknownException as {@link #commit}
   */
  CommitOutcome merge(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      io.deltasink.connect.delta.schema.EvolutionMode evolution,
      Upsert upsert);

  /**
   * The table's live data files below the small-file size this handle was opened with (see the
   * backend's constructor), as the log holds them now: candidates for compaction. Re-reads the log.
   * {@code records} comes from the stats' {@code numRecords} (-1 without stats), offsets are -1.
   */
  List<WrittenFile> smallFiles();

  /**
   * Commits a compaction: {@code remove} of every file in {@code removed} and {@code add} of {@code
   * added}, both with {@code dataChange=false} (PROTOCOL.md, "Add File and Remove File"), as an
   * {@code OPTIMIZE} commit, unless a file of {@code removed} is no longer live (another compaction
   * or engine removed it first: Delta's rule that two removes of one file conflict).
   *
   * @return the version written; -1 when a file was no longer live and nothing was written ({@code
   *     added} may be deleted); {@link #KEEP} when a write was tried and the log does not show it,
   *     so {@code added} must be kept (the orphan cleanup deletes it once no version can take it)
   * @throws org.apache.kafka.connect.errors.RetriableException when storage fails: the commit may
   *     have landed, so {@code added} must be kept
   */
  long rewrite(List<WrittenFile> removed, WrittenFile added);

  /** {@link #rewrite}: not in the log as far as it shows, but the file must be kept. */
  long KEEP = -2;

  /**
   * Which of {@code paths} (relative to the table root, decoded: {@code city=São
   * Paulo/part-1.parquet}) the latest version references, as a live file or as a {@code remove}
   * still within {@code delta.deletedFileRetentionDuration} (PROTOCOL.md, "Add File and Remove
   * File"). Reads the whole table state: for occasional maintenance only.
   */
  java.util.Set<String> referenced(java.util.Set<String> paths);

  @Override
  void close();
}
