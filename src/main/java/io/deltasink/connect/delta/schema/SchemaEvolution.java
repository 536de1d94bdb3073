package io.deltasink.connect.delta.schema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.connect.errors.DataException;

/**
 * The table schema that can hold a record's columns: the writer's half of schema evolution
 * (docs/schema-evolution.md). Pure; the commit that lands the change is the table log's ({@code
 * table.SchemaUpdate}).
 *
 * <p>Fields are matched by name, exactly, as the converters match them; a record field whose name
 * differs from a column only in case is refused, since Delta column names are case-insensitive.
 * Column order is kept: new columns go after the existing ones, in the record's order.
 */
public final class SchemaEvolution {
  private SchemaEvolution() {}

  /** Column mapping mode {@code name} (PROTOCOL.md, "Column Mapping"). */
  public static final String MAPPING_NAME = "name";

  /** Column mapping mode {@code id}. */
  public static final String MAPPING_ID = "id";

  /**
   * What a table allows.
   *
   * @param mode the connector's {@code delta.schema.evolution}
   * @param typeWidening whether the table has {@code typeWidening} enabled (protocol feature and
   *     {@code delta.enableTypeWidening=true})
   * @param timestampNtz whether the table's protocol has the {@code timestampNtz} feature
   * @param columnMapping {@code none}, {@code name} or {@code id}
   * @param maxColumnId {@code delta.columnMapping.maxColumnId}, 0 without column mapping
   * @param partitionColumns the partition columns, whose type never changes
   */
  public record Rules(
      EvolutionMode mode,
      boolean typeWidening,
      boolean timestampNtz,
      String columnMapping,
      long maxColumnId,
      List<String> partitionColumns) {
    public Rules {
      partitionColumns = List.copyOf(partitionColumns);
    }

    /** A table without features, such as one this sink is about to create. */
    public static Rules plain(EvolutionMode mode, List<String> partitionColumns) {
      return new Rules(mode, false, false, "none", 0, partitionColumns);
    }
  }

  /**
   * The schema {@code table} must take so that rows of {@code record} (the columns a record brings,
   * as its converter derives them) can be written into it, or {@code table} itself (the same
   * instance) when it already can or when {@code rules.mode()} is {@link EvolutionMode#NONE}.
   * Changes that the converters check anyway (a missing field for a NOT NULL column under {@link
   * EvolutionMode#ADD_COLUMNS}) are left for them to report.
   *
   * <p>New columns and every field inside them are nullable. On a table with column mapping in
   * {@code name} mode each gets a physical name derived from its path and the table's {@code
   * maxColumnId}, so that two writers adding the same column from the same table version write the
   * same physical name; field ids are assigned by the commit.
   *
   * @throws DataException naming the field when the record cannot be written and the mode or the
   *     table does not allow the change that would make it fit
   */
  public static ColumnType.Struct merge(
      ColumnType.Struct table, ColumnType.Struct record, Rules rules) {
    if (rules.mode() == EvolutionMode.NONE) {
      return table;
    }
    Merge m = new Merge(rules);
    ColumnType.Struct merged = m.struct(table, record, "", true, false);
    return m.changed ? merged : table;
  }

  private static final class Merge {
    private final Rules rules;
    private boolean changed;

    Merge(Rules rules) {
      this.rules = rules;
    }

    ColumnType.Struct struct(
        ColumnType.Struct table,
        ColumnType.Struct record,
        String path,
        boolean top,
        boolean inCollection) {
      List<Column> out = new ArrayList<>(table.fields().size() + 1);
      for (Column tc : table.fields()) {
        Column rc = record.field(tc.name());
        String p = join(path, tc.name());
        if (rc == null) {
          out.add(widen() && !tc.nullable() ? relaxed(tc) : tc);
          continue;
        }
        boolean partition = top && rules.partitionColumns().contains(tc.name());
        ColumnType type = type(tc.type(), rc.type(), p, partition, inCollection);
        boolean nullable = tc.nullable() || (rc.nullable() && widen() && !partition);
        if (type != tc.type() || nullable != tc.nullable()) {
          changed = true;
          out.add(tc.with(type, nullable));
        } else {
          out.add(tc);
        }
      }
      for (Column rc : record.fields()) {
        if (table.field(rc.name()) != null) {
          continue;
        }
        String p = join(path, rc.name());
        for (Column tc : table.fields()) {
          if (tc.name().toLowerCase(Locale.ROOT).equals(rc.name().toLowerCase(Locale.ROOT))) {
            throw new DataException(
                "field '"
                    + p
                    + "' differs only in case from the table column '"
                    + join(path, tc.name())
                    + "'; Delta column names are case-insensitive, so it cannot be added");
          }
        }
        if (MAPPING_ID.equals(rules.columnMapping())) {
          throw new DataException(
              "field '"
                  + p
                  + "' is not a column of the table, and the table uses column mapping in id mode,"
                  + " where this sink does not add columns; add it with ALTER TABLE ... ADD COLUMNS");
        }
        out.add(added(rc, p));
        changed = true;
      }
      return new ColumnType.Struct(out);
    }

    private Column relaxed(Column tc) {
      changed = true;
      return tc.with(tc.type(), true);
    }

    private boolean widen() {
      return rules.mode() == EvolutionMode.ADD_AND_WIDEN;
    }

    private ColumnType type(
        ColumnType table, ColumnType record, String path, boolean partition, boolean inCollection) {
      if (table instanceof ColumnType.Struct ts && record instanceof ColumnType.Struct rs) {
        ColumnType.Struct merged = struct(ts, rs, path, false, inCollection);
        return merged.equals(ts) ? table : merged;
      }
      if (table instanceof ColumnType.Array ta && record instanceof ColumnType.Array ra) {
        ColumnType element = type(ta.element(), ra.element(), path + "[]", false, true);
        return element == ta.element() ? table : new ColumnType.Array(element, ta.containsNull());
      }
      if (table instanceof ColumnType.MapType tm && record instanceof ColumnType.MapType rm) {
        ColumnType key = type(tm.key(), rm.key(), path + "{key}", false, true);
        ColumnType value = type(tm.value(), rm.value(), path + "{value}", false, true);
        return key == tm.key() && value == tm.value()
            ? table
            : new ColumnType.MapType(key, value, tm.valueContainsNull());
      }
      if (TypeWidening.writable(record, table)) {
        return table;
      }
      ColumnType widened = TypeWidening.widened(table, record);
      String cannot =
          "field '"
              + path
              + "': record type "
              + record.deltaName()
              + " cannot be written to table column type "
              + table.deltaName();
      if (widened == null) {
        throw new DataException(cannot + ", and Delta cannot change a column's type that way");
      }
      if (partition) {
        throw new DataException(cannot + ", and the type of a partition column never changes");
      }
      if (!widen()) {
        throw new DataException(
            cannot
                + "; with delta.schema.evolution=add-and-widen the column widens to "
                + widened.deltaName());
      }
      if (inCollection) {
        throw new DataException(
            cannot + "; the sink widens struct fields, not the elements of arrays or maps");
      }
      if (!rules.typeWidening()) {
        throw new DataException(
            cannot
                + "; widening it to "
                + widened.deltaName()
                + " needs Delta's type widening on the table: ALTER TABLE <table> SET TBLPROPERTIES"
                + " ('delta.enableTypeWidening' = 'true') (Delta 3.2 or later), or"
                + " delta.table.properties.delta.enableTypeWidening=true when the sink creates it");
      }
      if (widened == ColumnType.Primitive.TIMESTAMP_NTZ && !rules.timestampNtz()) {
        throw new DataException(
            cannot
                + "; widening it to timestamp_ntz needs the timestampNtz table feature: ALTER TABLE"
                + " <table> SET TBLPROPERTIES ('delta.feature.timestampNtz' = 'supported')");
      }
      return widened;
    }

    /** A new column: nullable throughout, with physical names under column mapping. */
    private Column added(Column rc, String path) {
      String physical =
          MAPPING_NAME.equals(rules.columnMapping())
              ? "col-"
                  + UUID.nameUUIDFromBytes(
                      (rules.maxColumnId() + "/" + path).getBytes(StandardCharsets.UTF_8))
              : rc.name();
      return new Column(rc.name(), nullableType(rc.type(), path), true, physical, -1);
    }

    private ColumnType nullableType(ColumnType type, String path) {
      if (type instanceof ColumnType.Struct s) {
        List<Column> fields = new ArrayList<>(s.fields().size());
        for (Column c : s.fields()) {
          fields.add(added(c, join(path, c.name())));
        }
        return new ColumnType.Struct(fields);
      }
      if (type instanceof ColumnType.Array a) {
        return new ColumnType.Array(nullableType(a.element(), path + "[]"), true);
      }
      if (type instanceof ColumnType.MapType m) {
        return new ColumnType.MapType(
            nullableType(m.key(), path + "{key}"), nullableType(m.value(), path + "{value}"), true);
      }
      return type;
    }
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
