package io.deltasink.connect.delta.table;

import io.deltasink.connect.delta.schema.ColumnType;
import java.util.List;

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
}
