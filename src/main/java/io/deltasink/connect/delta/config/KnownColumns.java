package io.deltasink.connect.delta.config;

import io.deltasink.connect.delta.convert.BronzeRecordConverter;
import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.mapping.ColumnMapping;
import io.deltasink.connect.delta.mapping.IngestionMapping;
import io.deltasink.connect.delta.schema.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The columns of a new table where configuration alone decides them, so that partition columns are
 * checked by {@code validate()} rather than when the first record creates the table: a Kusto JSON
 * mapping's columns followed by the Kafka coordinate columns (format {@code json}, and {@code auto}
 * with a mapping, as {@code KustoJsonConverter} builds them), or the bronze layout ({@link
 * BronzeRecordConverter#SCHEMA}, which has no coordinate columns). Struct tables, and {@code auto}
 * without a mapping, take their columns from the records; those are checked when the table is
 * created.
 */
final class KnownColumns {
  /**
   * A partition column the table will not have.
   *
   * @param column the partition column
   * @param table the columns the table will have, described for a message
   */
  record Missing(String column, String table) {}

  private KnownColumns() {}

  /**
   * The first of {@code partitionColumns} that a table of this format will not have.
   *
   * @param mapping the Kusto JSON mapping, or null
   * @return empty when every one is a column, or when the records decide the columns
   */
  static Optional<Missing> missingPartitionColumn(
      TableFormat format,
      IngestionMapping mapping,
      KafkaColumns kafkaColumns,
      List<String> partitionColumns) {
    List<String> columns;
    String table;
    if (format == TableFormat.BRONZE) {
      columns = BronzeRecordConverter.SCHEMA.fields().stream().map(Column::name).toList();
      table = "a column of the bronze layout: " + columns;
    } else if (mapping != null && (format == TableFormat.JSON || format == TableFormat.AUTO)) {
      columns = new ArrayList<>(mapping.columns().stream().map(ColumnMapping::column).toList());
      for (String k : kafkaColumns.names()) {
        if (!columns.contains(k)) {
          columns.add(k);
        }
      }
      table = "a column that mapping '" + mapping.name() + "' produces: " + columns;
    } else {
      return Optional.empty();
    }
    return partitionColumns.stream()
        .filter(p -> !columns.contains(p))
        .findFirst()
        .map(p -> new Missing(p, table));
  }
}
