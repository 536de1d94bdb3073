package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.schema.SchemaEvolution;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.writer.TableLayout;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TableLayout} one table's files are written with, and its evolution (docs/
 * schema-evolution.md): taken from the table when it exists, from the first record when the sink
 * creates it, merged with the columns of each new record shape ({@link RecordConverter#schemaKey}),
 * and refreshed from the table when a commit shows that its schema moved on. Task thread only.
 */
final class WriterLayout {
  private static final Logger LOG = LoggerFactory.getLogger(WriterLayout.class);
  private static final int MAX_SHAPES = 1000;

  private final TableLog table;
  private final RecordConverter converter;
  private final List<String> partitionColumns;
  private final EvolutionMode mode;
  private final boolean createsWithTypeWidening;
  private TableLayout layout;
  private SchemaEvolution.Rules rules;

  /** Whether the table's schema may have moved on: read it again before the next record. */
  private boolean stale;

  /** Per record shape, the layout schema it was last merged into. */
  private final Map<Object, ColumnType.Struct> byIdentity = new IdentityHashMap<>();

  private final Map<Object, ColumnType.Struct> byEquality = new HashMap<>();

  WriterLayout(
      TableLog table,
      RecordConverter converter,
      List<String> partitionColumns,
      EvolutionMode mode,
      java.util.Map<String, String> tableProperties) {
    this.createsWithTypeWidening =
        "true".equalsIgnoreCase(tableProperties.get(TableState.ENABLE_TYPE_WIDENING));
    this.table = table;
    this.converter = converter;
    this.partitionColumns = List.copyOf(partitionColumns);
    this.mode = mode;
  }

  /** The current layout, null before the table or the first record is known. */
  TableLayout current() {
    return layout;
  }

  /** Whether the table is (or, before its first record, will be) a bronze table. */
  boolean bronze() {
    return layout != null
        ? layout
            .schema()
            .sameColumns(io.deltasink.connect.delta.convert.BronzeRecordConverter.SCHEMA)
        : converter instanceof io.deltasink.connect.delta.convert.BronzeRecordConverter;
  }

  /** Takes the existing table's layout, if the table exists and no layout is known yet. */
  void open() {
    if (layout == null) {
      table.state().ifPresent(this::use);
    }
  }

  /**
   * The layout to write {@code record} with: the current one, or one evolved so that the record
   * fits.
   *
   * @throws org.apache.kafka.connect.errors.DataException naming the field when the record does not
   *     fit and the mode or the table does not allow the change
   */
  TableLayout layoutFor(SinkRecord record) {
    if (stale) {
      stale = false;
      table.state().ifPresent(this::use);
    }
    if (layout == null) {
      Optional<TableState> state = table.state();
      if (state.isPresent()) {
        use(state.get());
      } else {
        layout =
            Layouts.forNewTable(table.location(), converter.schemaFor(record), partitionColumns);
        // The table the sink creates has the features its configured properties ask for.
        rules =
            new SchemaEvolution.Rules(
                mode, createsWithTypeWidening, false, "none", 0, layout.partitionColumns());
        return layout;
      }
    }
    if (mode == EvolutionMode.NONE) {
      return layout;
    }
    Object key = converter.schemaKey(record);
    if (key == null) {
      return layout;
    }
    ColumnType.Struct current = layout.schema();
    if (byIdentity.get(key) == current) {
      return layout;
    }
    if (byEquality.get(key) != current) {
      ColumnType.Struct merged =
          SchemaEvolution.merge(
              current,
              converter.columnsFor(record, current, mode == EvolutionMode.ADD_AND_WIDEN),
              rules);
      if (merged != current) {
        LOG.info(
            "Records of {} bring a new schema; the next files are written with it: {}",
            table.location(),
            io.deltasink.connect.delta.schema.DeltaSchemaJson.toJson(merged));
        layout = new TableLayout(layout.root(), merged, layout.partitionColumns());
        current = merged;
      }
      remember(byEquality, key, current);
    }
    remember(byIdentity, key, current);
    return layout;
  }

  /**
   * After a commit: when the table's schema is no longer the one files are written with (another
   * writer or engine changed it, or the commit assigned column ids), the layout is read from the
   * table again before the next record (not here: the commit's outcome is recorded without further
   * I/O).
   */
  void committed(ColumnType.Struct tableSchema) {
    if (layout != null && tableSchema != null && !tableSchema.equals(layout.schema())) {
      stale = true;
    }
  }

  private void use(TableState state) {
    layout = Layouts.ofTable(table.location(), state, partitionColumns);
    rules = state.rules(mode);
  }

  private static void remember(
      Map<Object, ColumnType.Struct> map, Object key, ColumnType.Struct s) {
    if (map.size() >= MAX_SHAPES) {
      map.clear();
    }
    map.put(key, s);
  }
}
