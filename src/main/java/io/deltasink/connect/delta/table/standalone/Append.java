package io.deltasink.connect.delta.table.standalone;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.DataFiles;
import io.deltasink.connect.delta.table.Decisions;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.SchemaUpdate;
import io.deltasink.connect.delta.table.TableState;
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
final class Append implements LogWriter.Step<CommitOutcome> {
  private static final Logger LOG = LoggerFactory.getLogger(Append.class);

  private final String location;
  private final Configuration conf;
  private final String engineInfo;
  private final ColumnType.Struct schema;
  private final List<String> partitionColumns;
  private final List<PartitionCommit> partitions;
  private final EvolutionMode evolution;
  private Decisions decisions;
  private CommitActions actions;
  private SchemaUpdate.Plan plan;
  private TableState stateAfter;

  Append(
      String location,
      Configuration conf,
      String engineInfo,
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution) {
    this.evolution = evolution;
    this.location = location;
    this.conf = conf;
    this.engineInfo = engineInfo;
    this.schema = schema;
    this.partitionColumns = partitionColumns;
    this.partitions = partitions;
  }

  @Override
  public List<String> decide(LogTail tail) {
    TableState state = tail.state().orElseThrow();
    state.checkPartitionColumns(location, partitionColumns);
    plan = SchemaUpdate.plan(state, schema, evolution);
    stateAfter = plan.stateAfter(state);
    long now = System.currentTimeMillis();
    actions = new CommitActions(now);
    decisions =
        Decisions.decide(
            partitions,
            tail::txnVersion,
            plan.fits(location)
                ? pc -> DataFiles.allWhole(conf, location, pc)
                : pc -> pc.files().isEmpty());
    for (PartitionCommit pc : decisions.included()) {
      pc.files().forEach(f -> actions.add(f, true));
      actions.txn(pc.appId(), pc.newVersion());
    }
    if (actions.isEmpty()) {
      return null;
    }
    if (plan.changes()) {
      actions.metadata(tail.metadataWith(plan.schemaJson(), plan.properties()));
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("outputMode", "Append");
    params.put("partitionBy", StandaloneActions.partitionColumnsJson(partitionColumns));
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
