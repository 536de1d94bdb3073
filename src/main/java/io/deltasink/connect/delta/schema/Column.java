package io.deltasink.connect.delta.schema;

import java.util.Objects;

/**
 * One named column (or struct field) of a table schema.
 *
 * @param name the column name, case preserved
 * @param type its type
 * @param nullable whether rows may hold null in it
 */
public record Column(String name, ColumnType type, boolean nullable) {
  public Column {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("column name must not be empty");
    }
  }
}
