package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.convert.BronzeRecordConverter;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
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
 * The {@link TableLayout} one table's files are written with, and its evolution
 * (docs/schema-evolution.md): taken from the table when it exists, from the first record when the
 * sink creates it, merged with the columns of each new record shape ({@link
 * RecordConverter#schemaKey}) once a record of that shape converted, and taken from the table again
 * when a commit shows that the table moved on (its schema, or what it allows). Task thread only.
 */
final class WriterLayout {
  private static final Logger LOG = LoggerFactory.getLogger(WriterLayout.class);
  private static final int MAX_SHAPES = 1000;

  private final TableLog table;
  private final RecordConverter converter;
  private final List<String> partitionColumns;
  private final EvolutionMode mode;
  private TableLayout layout;
  private boolean bronze;
  private SchemaEvolution.Rules rules;

  /** Per record shape, the layout schema it was last merged into. */
  private final Map<Object, ColumnType.Struct> byIdentity = new IdentityHashMap<>();

  private final Map<Object, ColumnType.Struct> byEquality = new HashMap<>();

  /** The shape whose merge made the layout {@link #layoutFor} returned last, if it is new. */
  private Object pendingKey;

  WriterLayout(
      TableLog table,
      RecordConverter converter,
      List<String> partitionColumns,
      EvolutionMode mode) {
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
    return layout != null ? bronze : converter instanceof BronzeRecordConverter;
  }

  /** Takes the existing table's layout, if the table exists and no layout is known yet. */
  void open() {
    if (layout == null) {
      table.state().ifPresent(this::use);
    }
  }

  /**
   * The layout to write {@code record} with: the current one, or a new one evolved so that the
   * record fits, which becomes current only through {@link #adopt} once the record converted (a
   * record that turns out bad changes nothing).
   *
   * @throws org.apache.kafka.connect.errors.DataException naming the field when the record does not
   *     fit and the mode or the table does not allow the change
   */
  TableLayout layoutFor(SinkRecord record) {
    pendingKey = null;
    if (layout == null) {
      Optional<TableState> state = table.state();
      if (state.isPresent()) {
        use(state.get());
      } else {
        // A new table: its schema is the first record's; widening needs the table to exist first.
        set(Layouts.forNewTable(table.location(), converter.schemaFor(record), partitionColumns));
        rules = SchemaEvolution.Rules.plain(mode, layout.partitionColumns());
        return layout;
      }
    }
    if (mode == EvolutionMode.NONE || bronze) {
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
        pendingKey = key;
        return new TableLayout(layout.root(), merged, layout.partitionColumns());
      }
      remember(byEquality, key, current);
    }
    remember(byIdentity, key, current);
    return layout;
  }

  /** {@code candidate}, from {@link #layoutFor}, is the layout from now on. */
  void adopt(TableLayout candidate) {
    if (candidate == layout) {
      return;
    }
    LOG.info(
        "Records of {} bring a new schema; the next files are written with it: {}",
        table.location(),
        DeltaSchemaJson.toJson(candidate.schema()));
    set(candidate);
    if (pendingKey != null) {
      remember(byEquality, pendingKey, candidate.schema());
      remember(byIdentity, pendingKey, candidate.schema());
      pendingKey = null;
    }
  }

  /**
   * After a commit: when the table is no longer what the files are written for (another writer or
   * engine changed its schema or properties, the commit assigned column ids, or the commit created
   * it), the layout and rules are taken from {@code after}, without reading the log.
   */
  void committed(TableState after) {
    if (after != null
        && layout != null
        && (!after.schema().equals(layout.schema()) || !after.rules(mode).equals(rules))) {
      use(after);
    }
  }

  private void use(TableState state) {
    set(Layouts.ofTable(table.location(), state, partitionColumns));
    rules = state.rules(mode);
  }

  private void set(TableLayout newLayout) {
    layout = newLayout;
    bronze = newLayout.schema().sameColumns(BronzeRecordConverter.SCHEMA);
  }

  private static void remember(
      Map<Object, ColumnType.Struct> map, Object key, ColumnType.Struct s) {
    if (map.size() >= MAX_SHAPES) {
      map.clear();
    }
    map.put(key, s);
  }
}
