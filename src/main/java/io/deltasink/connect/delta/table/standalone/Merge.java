package io.deltasink.connect.delta.table.standalone;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.Upsert;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
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
final class Merge extends PartitionsStep {
  private static final Logger LOG = LoggerFactory.getLogger(Merge.class);

  private final Upsert upsert;

  Merge(
      String location,
      Configuration conf,
      String engineInfo,
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution,
      Upsert upsert) {
    super(location, conf, engineInfo, schema, partitionColumns, partitions, evolution);
    this.upsert = upsert;
  }

  @Override
  public List<String> decide(LogTail tail) {
    decidePartitions(tail);
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
    upsert.prepareOrRetry(location, stateAfter, tail.liveFiles());
    actions = new CommitActions(System.currentTimeMillis());
    upsert.removes().forEach(f -> actions.remove(f, true));
    upsert.adds().forEach(f -> actions.add(f, true));
    addPartitions();
    addMetadata(tail);
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
}
