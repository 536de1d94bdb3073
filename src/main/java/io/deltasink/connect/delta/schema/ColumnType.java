package io.deltasink.connect.delta.schema;

import java.util.List;
import java.util.Objects;

/**
 * The column types this connector writes, modelled on the Delta protocol's schema types
 * (PROTOCOL.md, "Schema Serialization Format"), independent of any Delta or Parquet library so that
 * {@code convert/} and {@code writer/} never depend on the Delta backend.
 *
 * <p>In-memory value shapes that rows carry for each type (the {@code writer/} package relies on
 * them):
 *
 * <ul>
 *   <li>{@code BOOLEAN}: {@link Boolean}; {@code BYTE}, {@code SHORT}, {@code INTEGER}: any {@link
 *       Number} (its {@code intValue()}); {@code LONG}: {@link Long}; {@code FLOAT}: {@link Float};
 *       {@code DOUBLE}: {@link Double}
 *   <li>{@code STRING}: {@link String}; {@code BINARY}: {@code byte[]}
 *   <li>{@code DATE}: {@link Integer} days since 1970-01-01
 *   <li>{@code TIMESTAMP}: {@link Long} microseconds since 1970-01-01T00:00:00Z (UTC); {@code
 *       TIMESTAMP_NTZ}: {@link Long} microseconds since 1970-01-01T00:00:00 (no time zone)
 *   <li>{@link Decimal}: {@link java.math.BigDecimal} that fits the column exactly: at most the
 *       column's scale in fraction digits and at most precision minus scale integer digits. Its own
 *       scale may be smaller (13.6 for a {@code decimal(38,18)} column): writers rescale it, so
 *       that parsing keeps the cheap compact form and readers still see the column's scale.
 *   <li>{@link Struct}: {@code Object[]} in field order; {@link Array}: {@link java.util.List};
 *       {@link MapType}: {@link java.util.Map}
 * </ul>
 *
 * {@code null} stands for a missing value everywhere.
 */
public sealed interface ColumnType
    permits ColumnType.Primitive,
        ColumnType.Decimal,
        ColumnType.Struct,
        ColumnType.Array,
        ColumnType.MapType {

  /** The protocol's name for the type, as written in the Delta schema string. */
  String deltaName();

  /** Primitive Delta types. */
  enum Primitive implements ColumnType {
    BOOLEAN("boolean"),
    BYTE("byte"),
    SHORT("short"),
    INTEGER("integer"),
    LONG("long"),
    FLOAT("float"),
    DOUBLE("double"),
    STRING("string"),
    BINARY("binary"),
    DATE("date"),
    TIMESTAMP("timestamp"),
    /**
     * Delta's {@code timestamp_ntz} (table feature {@code timestampNtz}): a local date-time without
     * a time zone. The sink never derives it from a record; it fills such a column of an existing
     * table with the UTC wall-clock time of a timestamp value.
     */
    TIMESTAMP_NTZ("timestamp_ntz");

    private final String deltaName;

    Primitive(String deltaName) {
      this.deltaName = deltaName;
    }

    @Override
    public String deltaName() {
      return deltaName;
    }

    /** The primitive whose protocol name is {@code name}, or {@code null}. */
    public static Primitive forDeltaName(String name) {
      for (Primitive p : values()) {
        if (p.deltaName.equals(name)) {
          return p;
        }
      }
      return null;
    }
  }

  /** {@code decimal(precision, scale)}; precision 1..38, scale 0..precision. */
  record Decimal(int precision, int scale) implements ColumnType {
    /** Largest precision Delta and Parquet readers accept. */
    public static final int MAX_PRECISION = 38;

    public Decimal {
      if (precision < 1 || precision > MAX_PRECISION || scale < 0 || scale > precision) {
        throw new IllegalArgumentException("invalid decimal(" + precision + "," + scale + ")");
      }
    }

    @Override
    public String deltaName() {
      return "decimal(" + precision + "," + scale + ")";
    }
  }

  /** A struct: an ordered list of named columns. A table schema is a struct. */
  record Struct(List<Column> fields) implements ColumnType {
    public Struct {
      fields = List.copyOf(fields);
    }

    @Override
    public String deltaName() {
      return "struct";
    }

    /** Index of the field called {@code name} (exact match), or -1. */
    public int indexOf(String name) {
      for (int i = 0; i < fields.size(); i++) {
        if (fields.get(i).name().equals(name)) {
          return i;
        }
      }
      return -1;
    }

    /**
     * This struct with every field nested inside an array or a map made nullable: Delta does not
     * allow NOT NULL constraints nested within arrays or maps (Delta Standalone rejects such a
     * schema), while top-level and plain nested struct fields keep theirs.
     */
    public Struct withNullableFieldsInCollections() {
      return (Struct) relax(this, false);
    }

    private static ColumnType relax(ColumnType type, boolean insideCollection) {
      if (type instanceof Struct s) {
        List<Column> out = new java.util.ArrayList<>(s.fields.size());
        for (Column c : s.fields) {
          out.add(c.with(relax(c.type(), insideCollection), c.nullable() || insideCollection));
        }
        return new Struct(out);
      }
      if (type instanceof Array a) {
        return new Array(relax(a.element(), true), a.containsNull());
      }
      if (type instanceof MapType m) {
        return new MapType(relax(m.key(), true), relax(m.value(), true), m.valueContainsNull());
      }
      return type;
    }

    /**
     * Whether both structs have the same columns by name, type and nullability, nested fields
     * included, whatever their column mapping (physical names and ids, which another engine may
     * assign to a table's columns at any time).
     */
    public boolean sameColumns(Struct other) {
      return logical(this).equals(logical(other));
    }

    private static ColumnType logical(ColumnType type) {
      if (type instanceof Struct s) {
        List<Column> out = new java.util.ArrayList<>(s.fields.size());
        for (Column c : s.fields) {
          out.add(new Column(c.name(), logical(c.type()), c.nullable()));
        }
        return new Struct(out);
      }
      if (type instanceof Array a) {
        return new Array(logical(a.element()), a.containsNull());
      }
      if (type instanceof MapType m) {
        return new MapType(logical(m.key()), logical(m.value()), m.valueContainsNull());
      }
      return type;
    }

    /** The field called {@code name}, or {@code null}. */
    public Column field(String name) {
      int i = indexOf(name);
      return i < 0 ? null : fields.get(i);
    }
  }

  /** An array of {@code element}; {@code containsNull} says whether elements may be null. */
  record Array(ColumnType element, boolean containsNull) implements ColumnType {
    public Array {
      Objects.requireNonNull(element, "element");
    }

    @Override
    public String deltaName() {
      return "array";
    }
  }

  /** A map; keys are never null, {@code valueContainsNull} says whether values may be. */
  record MapType(ColumnType key, ColumnType value, boolean valueContainsNull)
      implements ColumnType {
    public MapType {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String deltaName() {
      return "map";
    }
  }
}
