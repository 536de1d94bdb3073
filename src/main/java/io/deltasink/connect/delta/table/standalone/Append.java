package io.deltasink.connect.delta.table.standalone;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.Decisions;
import io.deltasink.connect.delta.table.PartitionCommit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append of the partitions' files with their {@code txn} actions, decided on the current log
 * ({@link Decisions}); a {@code STREAMING UPDATE} commit, as Spark's streaming writer makes.
 */
final class Append extends PartitionsStep {
  private static final Logger LOG = LoggerFactory.getLogger(Append.class);

  Append(
      String location,
      Configuration conf,
      String engineInfo,
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution) {
    super(location, conf, engineInfo, schema, partitionColumns, partitions, evolution);
  }

  @Override
  public List<String> decide(LogTail tail) {
    decidePartitions(tail);
    actions = new CommitActions(System.currentTimeMillis());
    addPartitions();
    if (actions.isEmpty()) {
      return null;
    }
    addMetadata(tail);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("outputMode", "Append");
    params.put("partitionBy", partitionBy());
    return actions.lines("STREAMING UPDATE", params, tail.version(), true, engineInfo);
  }

  @Override
  public CommitOutcome landed(long version) {
    LOG.info(
        "Committed Delta version {} of {}: {} files, {} rows, {} partitions{}{}",
        version,
        location,
        actions.files(),
        actions.rows(),
        decisions.included().size(),
        decisions.fenced().isEmpty() ? "" : ", fenced " + decisions.fenced().keySet(),
        plan.changes() ? ", new schema " + plan.schemaJson() : "");
    return decisions.outcome(version).withState(stateAfter);
  }
}
