package io.deltasink.connect.delta.table.standalone;

import io.delta.standalone.CommitResult;
import io.delta.standalone.DeltaLog;
import io.delta.standalone.Operation;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Action;
import io.delta.standalone.actions.AddFile;
import io.delta.standalone.actions.Metadata;
import io.delta.standalone.actions.SetTransaction;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.Decisions;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table's first commit, through Delta Standalone's optimistic transaction: {@code protocol} (1,
 * 2), {@code metaData} (schema, partition columns, table properties) and the first files with their
 * {@code txn} actions. Two tasks creating the same table race; Standalone lets one win and the
 * other sees a {@code ProtocolChangedException} or {@code MetadataChangedException}.
 */
final class TableCreation {
  private static final Logger LOG = LoggerFactory.getLogger(TableCreation.class);

  private TableCreation() {}

  static CommitOutcome create(
      DeltaLog log,
      String location,
      String tableName,
      Map<String, String> tableProperties,
      String engineInfo,
      ColumnType.Struct schema,
      List<String> partitionColumns,
      Decisions d) {
    OptimisticTransaction txn = StandaloneErrors.guard(location, log::startTransaction);
    txn.updateMetadata(
        Metadata.builder()
            .id(UUID.randomUUID().toString())
            .name(tableName)
            .partitionColumns(partitionColumns)
            .schema(StandaloneActions.toStructType(schema))
            .configuration(tableProperties)
            .createdTime(System.currentTimeMillis())
            .build());
    long now = System.currentTimeMillis();
    List<Action> actions = new ArrayList<>();
    long files = 0;
    long rows = 0;
    long bytes = 0;
    for (PartitionCommit pc : d.included()) {
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
        files++;
        rows += Math.max(0, f.records());
        bytes += f.sizeBytes();
      }
      actions.add(new SetTransaction(pc.appId(), pc.newVersion(), Optional.of(now)));
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
    CommitResult result =
        StandaloneErrors.guard(location, () -> txn.commit(actions, op, engineInfo));
    LOG.info(
        "Created Delta table {} at version {}: {} files, {} rows, {} partitions",
        location,
        result.getVersion(),
        files,
        rows,
        d.included().size());
    return d.outcome(result.getVersion());
  }
}
