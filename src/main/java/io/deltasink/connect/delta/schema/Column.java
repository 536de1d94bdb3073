package io.deltasink.connect.delta.schema;

import java.util.Objects;

/**
 * One named column (or struct field) of a table schema.
 *
 * @param name the column name, case preserved
 * @param type its type
 * @param nullable whether rows may hold null in it
 * @param physicalName the name in the data files and in {@code AddFile} partition values and stats:
 *     {@code name} unless the table uses column mapping, when it is the field's {@code
 *     delta.columnMapping.physicalName} (PROTOCOL.md, "Column Mapping")
 * @param fieldId the field's {@code delta.columnMapping.id}, written as the Parquet field id; -1
 *     without column mapping
 */
public record Column(
    String name, ColumnType type, boolean nullable, String physicalName, int fieldId) {
  public Column {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(physicalName, "physicalName");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("column name must not be empty");
    }
  }

  /** A column of a table without column mapping. */
  public Column(String name, ColumnType type, boolean nullable) {
    this(name, type, nullable, name, -1);
  }

  /** This column with another type and nullability, its physical name and field id kept. */
  public Column with(ColumnType newType, boolean newNullable) {
    return new Column(name, newType, newNullable, physicalName, fieldId);
  }
}
