package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.convert.BronzeRecordConverter;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.writer.TableLayout;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link TableLayout} (schema and partition columns) files of a table are written with. */
final class Layouts {
  private static final Logger LOG = LoggerFactory.getLogger(Layouts.class);

  private Layouts() {}

  /** The layout of an existing table; configured partition columns apply only to new tables. */
  static TableLayout ofTable(
      String location, TableState state, List<String> configuredPartitionColumns) {
    if (!configuredPartitionColumns.isEmpty()
        && !configuredPartitionColumns.equals(state.partitionColumns())) {
      LOG.warn(
          "Table {} is partitioned by {}; the configured partition columns {} only apply to new tables",
          location,
          state.partitionColumns(),
          configuredPartitionColumns);
    }
    return new TableLayout(new Path(location), state.schema(), state.partitionColumns());
  }

  /**
   * The layout of a table the sink creates with {@code schema}, the first record's: bronze tables
   * are partitioned by {@link BronzeRecordConverter#PARTITION_COLUMN} unless partition columns are
   * configured.
   *
   * @throws ConnectException when a partition column is not a column of the schema, or cannot be
   *     one
   */
  static TableLayout forNewTable(
      String location, ColumnType.Struct schema, List<String> partitionColumns) {
    ColumnType.Struct nullable = schema.withNullableFieldsInCollections();
    // A table of the AUTO format becomes bronze when its first record is not a Struct.
    List<String> partitionBy =
        nullable.sameColumns(BronzeRecordConverter.SCHEMA)
            ? BronzeRecordConverter.partitionColumns(partitionColumns)
            : partitionColumns;
    try {
      return new TableLayout(new Path(location), nullable, partitionBy);
    } catch (IllegalArgumentException e) {
      throw new ConnectException(
          "Cannot create Delta table " + location + ": " + e.getMessage(), e);
    }
  }
}
