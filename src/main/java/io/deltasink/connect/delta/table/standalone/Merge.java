package io.deltasink.connect.delta.table.standalone;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.DataFiles;
import io.deltasink.connect.delta.table.Decisions;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.SchemaUpdate;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.table.Upsert;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upsert: the partitions' files with their {@code txn} actions, plus {@code remove} (with {@code
 * dataChange=true}) of the live files that hold a row of the batch's keys and {@code add} of those
 * files rewritten without those rows ({@link Upsert}), in one {@code MERGE} commit.
 *
 * <p>Decided again on every version another writer took: the rewrite is redone when the files that
 * may hold a key changed ({@link Upsert#prepare}). All partitions go in together or none does: when
 * one is fenced, was already committed, or has a file gone, nothing is written and the outcome says
 * which; the others stay pending and the next commit merges them again without the first one's
 * keys.
 */
final class Merge implements LogWriter.Step<CommitOutcome> {
  private static final Logger LOG = LoggerFactory.getLogger(Merge.class);

  private final String location;
  private final Configuration conf;
  private final String engineInfo;
  private final ColumnType.Struct schema;
  private final List<String> partitionColumns;
  private final List<PartitionCommit> partitions;
  private final EvolutionMode evolution;
  private final Upsert upsert;
  private Decisions decisions;
  private CommitActions actions;
  private SchemaUpdate.Plan plan;
  private TableState stateAfter;

  Merge(
      String location,
      Configuration conf,
      String engineInfo,
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution,
      Upsert upsert) {
    this.location = location;
    this.conf = conf;
    this.engineInfo = engineInfo;
    this.schema = schema;
    this.partitionColumns = partitionColumns;
    this.partitions = partitions;
    this.evolution = evolution;
    this.upsert = upsert;
  }

  @Override
  public List<String> decide(LogTail tail) {
    TableState state = tail.state().orElseThrow();
    state.checkPartitionColumns(location, partitionColumns);
    plan = SchemaUpdate.plan(state, schema, evolution);
    stateAfter = plan.stateAfter(state);
    decisions =
        Decisions.decide(
            partitions,
            tail::txnVersion,
            plan.fits(location)
                ? pc -> DataFiles.allWhole(conf, location, pc)
                : pc -> pc.files().isEmpty());
    if (decisions.included().size() != partitions.size()) {
      return null; // see the class comment: the outcome names the partitions that moved
    }
    if (Boolean.parseBoolean(tail.property("delta.appendOnly", "false").trim())) {
      throw new org.apache.kafka.connect.errors.ConnectException(
          "Delta table "
              + location
              + " is append-only (delta.appendOnly) and cannot take upserts; use"
              + " delta.write.mode=append for it, or write to another table.");
    }
    try {
      upsert.prepare(stateAfter, tail.liveFiles());
    } catch (IOException e) {
      throw new RetriableException(
          "Rewriting the files of " + location + " that hold the batch's keys: " + e.getMessage(),
          e);
    }
    actions = new CommitActions(System.currentTimeMillis());
    upsert.removes().forEach(f -> actions.remove(f, true));
    upsert.adds().forEach(f -> actions.add(f, true));
    for (PartitionCommit pc : decisions.included()) {
      pc.files().forEach(f -> actions.add(f, true));
      actions.txn(pc.appId(), pc.newVersion());
    }
    if (plan.changes()) {
      actions.metadata(tail.metadataWith(plan.schemaJson(), plan.properties()));
    }
    List<String> lines =
        actions.lines("MERGE", parameters(upsert), tail.version(), false, engineInfo);
    upsert.attempting();
    return lines;
  }

  /** {@code operationParameters} of the commit: the key columns and what the batch did. */
  static Map<String, String> parameters(Upsert upsert) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put(
        "predicate",
        StandaloneActions.partitionColumnsJson(
            List.of("key columns " + String.join(", ", upsert.keyColumns()))));
    params.put("numTargetFilesRemoved", Long.toString(upsert.removes().size()));
    params.put("numTargetRowsRemoved", Long.toString(upsert.rowsRemoved()));
    params.put("numTargetBytesRewritten", Long.toString(upsert.bytesRead()));
    return params;
  }

  @Override
  public CommitOutcome landed(long version) {
    long files = 0;
    long rows = 0;
    for (PartitionCommit pc : decisions.included()) {
      for (WrittenFile f : pc.files()) {
        files++;
        rows += Math.max(0, f.records());
      }
    }
    LOG.info(
        "Committed Delta version {} of {} (upsert): {} files, {} rows, {} partitions; {} files"
            + " holding {} replaced or deleted rows rewritten, {} bytes read, {} bytes written{}",
        version,
        location,
        files,
        rows,
        decisions.included().size(),
        upsert.removes().size(),
        upsert.rowsRemoved(),
        upsert.bytesRead(),
        upsert.bytesWritten(),
        plan.changes() ? ", new schema " + plan.schemaJson() : "");
    return decisions.outcome(version).withState(stateAfter);
  }

  @Override
  public CommitOutcome unchanged() {
    return decisions.outcome(-1).withState(stateAfter);
  }

  /** Null: the caller creates the table. */
  @Override
  public CommitOutcome noTable() {
    return null;
  }
}
