package io.deltasink.connect.delta.table;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
import java.util.List;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * What a sink needs to know of an existing table.
 *
 * @param version the table version read
 * @param schema the table schema
 * @param partitionColumns the partition columns, in order
 */
public record TableState(long version, ColumnType.Struct schema, List<String> partitionColumns) {
  public TableState {
    partitionColumns = List.copyOf(partitionColumns);
  }

  /**
   * Checks that files written with {@code schema} and {@code partitionColumns} may be added to the
   * table at {@code location} as this state has it.
   *
   * @throws ConnectException naming both when another writer changed the table meanwhile
   */
  public void checkWrittenWith(
      String location, ColumnType.Struct schema, List<String> partitionColumns) {
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
    if (!this.schema.equals(schema)) {
      throw new ConnectException(
          "The schema of Delta table "
              + location
              + " changed while the sink was writing to it: table has "
              + DeltaSchemaJson.toJson(this.schema)
              + ", files were written with "
              + DeltaSchemaJson.toJson(schema)
              + ". The task will restart and re-read the table.");
    }
  }
}
