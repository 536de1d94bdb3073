package io.deltasink.connect.delta.table.standalone;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.DataFiles;
import io.deltasink.connect.delta.table.Decisions;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.SchemaUpdate;
import io.deltasink.connect.delta.table.TableState;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * What an append ({@link Append}) and an upsert ({@link Merge}) decide alike on the current log:
 * the table's schema change for the files ({@link SchemaUpdate}), each Kafka partition's standing
 * from its {@code txn} version ({@link Decisions}), and the included partitions' {@code add} and
 * {@code txn} actions with the {@code metaData} action the files need.
 */
abstract class PartitionsStep implements LogWriter.Step<CommitOutcome> {
  final String location;
  final Configuration conf;
  final String engineInfo;
  private final ColumnType.Struct schema;
  private final List<String> partitionColumns;
  final List<PartitionCommit> partitions;
  private final EvolutionMode evolution;
  Decisions decisions;
  CommitActions actions;
  SchemaUpdate.Plan plan;
  TableState stateAfter;

  PartitionsStep(
      String location,
      Configuration conf,
      String engineInfo,
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      EvolutionMode evolution) {
    this.location = location;
    this.conf = conf;
    this.engineInfo = engineInfo;
    this.schema = schema;
    this.partitionColumns = partitionColumns;
    this.partitions = partitions;
    this.evolution = evolution;
  }

  /** Decides the schema change and each partition's standing on {@code tail}. */
  void decidePartitions(LogTail tail) {
    TableState state = tail.state().orElseThrow();
    state.checkPartitionColumns(location, partitionColumns);
    plan = SchemaUpdate.plan(state, schema, evolution);
    stateAfter = plan.stateAfter(state);
    decisions =
        Decisions.decide(
            partitions,
            tail::txnVersion,
            plan.includable(location, pc -> DataFiles.allWhole(conf, location, pc)));
  }

  /** The included partitions' {@code add} and {@code txn} actions into {@link #actions}. */
  void addPartitions() {
    for (PartitionCommit pc : decisions.included()) {
      pc.files().forEach(f -> actions.add(f, true));
      actions.txn(pc.appId(), pc.newVersion());
    }
  }

  /** The {@code metaData} action when the files change the table's schema. */
  void addMetadata(LogTail tail) {
    if (plan.changes()) {
      actions.metadata(tail.metadataWith(plan.schemaJson(), plan.properties()));
    }
  }

  /** {@code partitionBy} as {@code operationParameters} give it. */
  String partitionBy() {
    return StandaloneActions.partitionColumnsJson(partitionColumns);
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
