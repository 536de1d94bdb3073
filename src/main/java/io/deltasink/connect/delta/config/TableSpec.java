package io.deltasink.connect.delta.config;

import io.deltasink.connect.delta.convert.BronzeRecordConverter;
import io.deltasink.connect.delta.mapping.IngestionMapping;
import java.util.List;

/**
 * One target table, as configuration describes it.
 *
 * @param location the table root URI, without a trailing slash
 * @param name the table name recorded when the sink creates it
 * @param format how records become rows
 * @param mapping the Kusto JSON mapping, for {@link TableFormat#JSON} (and AUTO when given)
 * @param partitionColumns partition columns for a new table; a bronze table without any is
 *     partitioned as {@link BronzeRecordConverter#partitionColumns} says
 * @param writeMode append, or upsert with its key columns
 */
public record TableSpec(
    String location,
    String name,
    TableFormat format,
    IngestionMapping mapping,
    List<String> partitionColumns,
    WriteMode writeMode) {
  public TableSpec {
    partitionColumns =
        format == TableFormat.BRONZE
            ? BronzeRecordConverter.partitionColumns(partitionColumns)
            : List.copyOf(partitionColumns);
  }

  /** An appended table. */
  public TableSpec(
      String location,
      String name,
      TableFormat format,
      IngestionMapping mapping,
      List<String> partitionColumns) {
    this(location, name, format, mapping, partitionColumns, WriteMode.APPEND);
  }
}
