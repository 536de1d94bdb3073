package io.deltasink.connect.delta.table;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.schema.SchemaEvolution;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * What a sink needs to know of an existing table.
 *
 * @param version the table version read
 * @param schema the table schema
 * @param partitionColumns the partition columns, in order
 * @param schemaJson the {@code metaData.schemaString} as the log holds it, field metadata included
 * @param configuration the table properties ({@code metaData.configuration})
 * @param writerFeatures the protocol's writer features, empty below writer version 7
 */
public record TableState(
    long version,
    ColumnType.Struct schema,
    List<String> partitionColumns,
    String schemaJson,
    Map<String, String> configuration,
    Set<String> writerFeatures) {
  public TableState {
    partitionColumns = List.copyOf(partitionColumns);
    configuration = Map.copyOf(configuration);
    writerFeatures = Set.copyOf(writerFeatures);
  }

  /** A table without properties or features, its schema JSON written from {@code schema}. */
  public TableState(long version, ColumnType.Struct schema, List<String> partitionColumns) {
    this(version, schema, partitionColumns, DeltaSchemaJson.toJson(schema), Map.of(), Set.of());
  }

  /** Table property of the column mapping mode (PROTOCOL.md, "Column Mapping"). */
  public static final String COLUMN_MAPPING_MODE = "delta.columnMapping.mode";

  /** Table property of the largest column id assigned. */
  public static final String COLUMN_MAPPING_MAX_ID = "delta.columnMapping.maxColumnId";

  /** Column mapping mode {@code id}: readers match Parquet columns by field id. */
  public static final String MAPPING_ID = "id";

  /** Table property that turns type widening on (PROTOCOL.md, "Type Widening"). */
  public static final String ENABLE_TYPE_WIDENING = "delta.enableTypeWidening";

  /** Column mapping mode: {@code none}, {@code name} or {@code id}. */
  public String columnMapping() {
    return configuration.getOrDefault(COLUMN_MAPPING_MODE, "none");
  }

  /**
   * Whether columns of this table may widen: the stable {@code typeWidening} feature is in the
   * protocol and enabled.
   */
  public boolean typeWidening() {
    // Not typeWidening-preview: its engines (Delta 3.2, 3.3) know fewer type changes.
    return writerFeatures.contains("typeWidening")
        && "true".equalsIgnoreCase(configuration.get(ENABLE_TYPE_WIDENING));
  }

  /** What schema evolution may do to this table under {@code mode}. */
  public SchemaEvolution.Rules rules(EvolutionMode mode) {
    return new SchemaEvolution.Rules(
        mode,
        typeWidening(),
        writerFeatures.contains("timestampNtz"),
        columnMapping(),
        Long.parseLong(configuration.getOrDefault(COLUMN_MAPPING_MAX_ID, "0")),
        partitionColumns);
  }

  /**
   * Checks that files written for {@code partitionColumns} may be added to the table at {@code
   * location} as this state has it.
   *
   * @throws ConnectException naming both when another writer changed the table meanwhile
   */
  public void checkPartitionColumns(String location, List<String> partitionColumns) {
    if (!this.partitionColumns.equals(partitionColumns)) {
      throw new ConnectException(
          "The partition columns of Delta table "
              + location
              + " changed while the sink was writing to it: the table has "
              + this.partitionColumns
              + ", files were written for "
              + partitionColumns
              + ". The task will restart and re-read the table.");
    }
  }
}
