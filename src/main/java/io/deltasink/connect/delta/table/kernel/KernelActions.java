package io.deltasink.connect.delta.table.kernel;

import io.delta.kernel.data.Row;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SetTransaction;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.GenericRow;
import io.delta.kernel.internal.types.DataTypeJsonSerDe;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.types.StructType;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The actions of an append as Delta Kernel rows ({@link SingleAction#FULL_SCHEMA}): one {@code add}
 * per data file and one {@code txn} per Kafka partition (PROTOCOL.md, "Add File and Remove File",
 * "Transaction Identifiers").
 *
 * <p>Kernel's transaction builder records a single {@code SetTransaction}; this sink needs one per
 * partition in the same commit, so the {@code txn} rows travel with the file actions, which Kernel
 * writes into the commit as given. Kernel still assigns what the table's features require to every
 * {@code add} of the commit: {@code baseRowId} and {@code defaultRowCommitVersion} with row
 * tracking (from the {@code numRecords} of the file's stats), the commit's in-commit timestamp.
 */
final class KernelActions {
  private KernelActions() {}

  /** The rows of the partitions' files and {@code txn} versions, in that order per partition. */
  static List<Row> append(List<PartitionCommit> partitions, long nowMs) {
    List<Row> rows = new ArrayList<>();
    for (PartitionCommit pc : partitions) {
      for (WrittenFile f : pc.files()) {
        rows.add(SingleAction.createAddFileSingleAction(add(f)));
      }
      rows.add(
          SingleAction.createTxnSingleAction(
              new SetTransaction(pc.appId(), pc.newVersion(), Optional.of(nowMs)).toRow()));
    }
    return rows;
  }

  /**
   * An {@code add} with {@code dataChange=true} and the file's statistics as the JSON text the
   * writer made (column names as in the table schema: the backend refuses column mapping).
   */
  /**
   * A {@code metaData} action: {@code current} with the new schema and properties of {@code plan}
   * (Kernel 4.4 changes a schema itself only on tables with column mapping, so the sink writes the
   * action; PROTOCOL.md, "Change Metadata").
   */
  static Row metadata(
      io.delta.kernel.internal.actions.Metadata current,
      io.deltasink.connect.delta.table.SchemaUpdate.Plan plan) {
    return SingleAction.createMetadataSingleAction(
        current
            .withNewSchema(DataTypeJsonSerDe.deserializeStructType(plan.schemaJson()))
            .withMergedConfiguration(plan.properties())
            .toRow());
  }

  static Row add(WrittenFile f) {
    Map<Integer, Object> fields = new HashMap<>();
    fields.put(AddFile.FULL_SCHEMA.indexOf("path"), f.path());
    fields.put(
        AddFile.FULL_SCHEMA.indexOf("partitionValues"),
        VectorUtils.stringStringMapValue(f.partitionValues()));
    fields.put(AddFile.FULL_SCHEMA.indexOf("size"), f.sizeBytes());
    fields.put(AddFile.FULL_SCHEMA.indexOf("modificationTime"), f.modificationTimeMs());
    fields.put(AddFile.FULL_SCHEMA.indexOf("dataChange"), true);
    if (f.statsJson() != null) {
      fields.put(AddFile.FULL_SCHEMA.indexOf("stats"), f.statsJson());
    }
    return new GenericRow(AddFile.FULL_SCHEMA, fields);
  }

  /** The sink's schema as Kernel's, through the protocol's schema JSON. */
  static StructType toKernel(ColumnType.Struct schema) {
    return DataTypeJsonSerDe.deserializeStructType(DeltaSchemaJson.toJson(schema));
  }

  /**
   * The first top-level column whose type the sink has no counterpart for (for example {@code
   * timestamp_ntz}), as {@code column 'name' of type ...}; empty when every column converts.
   */
  static Optional<String> unsupportedColumn(StructType schema) {
    for (io.delta.kernel.types.StructField field : schema.fields()) {
      try {
        fromKernel(new StructType(List.of(field)));
      } catch (IllegalArgumentException e) {
        return Optional.of(
            "column '" + field.getName() + "' of type " + field.getDataType().toString());
      }
    }
    return Optional.empty();
  }

  /**
   * Kernel's schema as the sink's, through the protocol's schema JSON.
   *
   * @throws IllegalArgumentException for a column type the sink does not write
   */
  static ColumnType.Struct fromKernel(StructType schema) {
    return DeltaSchemaJson.fromJson(schema.toJson());
  }

  /**
   * The table state of {@code snapshot} as the sink uses it.
   *
   * @throws org.apache.kafka.connect.errors.ConnectException when the sink cannot write the table
   *     (a feature it refuses, a column type it does not write)
   */
  static io.deltasink.connect.delta.table.TableState state(
      String location, io.delta.kernel.Snapshot snapshot) {
    KernelFeatures.refusal(location, snapshot.getProtocol(), snapshot.getMetadata())
        .ifPresent(
            reason -> {
              throw new org.apache.kafka.connect.errors.ConnectException(reason);
            });
    ColumnType.Struct schema;
    try {
      schema = fromKernel(snapshot.getSchema());
    } catch (IllegalArgumentException e) {
      throw new org.apache.kafka.connect.errors.ConnectException(
          "Delta table "
              + location
              + " has a column this connector does not write: "
              + unsupportedColumn(snapshot.getSchema()).orElse(e.getMessage())
              + ". Write to a table without it.");
    }
    return new io.deltasink.connect.delta.table.TableState(
        snapshot.getVersion(),
        schema,
        snapshot.getPartitionColumnNames(),
        snapshot.getMetadata().getSchemaString(),
        snapshot.getMetadata().getConfiguration(),
        snapshot.getProtocol().getWriterFeatures());
  }

  /** The transaction that creates the table at {@code location} with its first files. */
  static io.delta.kernel.transaction.CreateTableTransactionBuilder creation(
      String location,
      ColumnType.Struct schema,
      List<String> partitionColumns,
      String engineInfo,
      Map<String, String> tableProperties) {
    io.delta.kernel.transaction.CreateTableTransactionBuilder builder =
        io.delta.kernel.TableManager.buildCreateTableTransaction(
                location, toKernel(schema), engineInfo)
            .withTableProperties(tableProperties)
            .withMaxRetries(0);
    if (!partitionColumns.isEmpty()) {
      builder =
          builder.withDataLayoutSpec(
              io.delta.kernel.transaction.DataLayoutSpec.partitioned(
                  partitionColumns.stream().map(io.delta.kernel.expressions.Column::new).toList()));
    }
    return builder;
  }
}
