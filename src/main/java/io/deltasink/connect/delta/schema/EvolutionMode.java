package io.deltasink.connect.delta.schema;

import java.util.Locale;

/**
 * What the sink may change in a table's schema when records bring columns it lacks or wider types
 * ({@code delta.schema.evolution}; docs/schema-evolution.md).
 */
public enum EvolutionMode {
  /** Nothing: a record that does not fit the table is a bad record naming the field. */
  NONE("none"),
  /** New fields become new nullable columns, nested struct fields included. The default. */
  ADD_COLUMNS("add-columns"),
  /**
   * {@link #ADD_COLUMNS}, and also: a column widens to a record's wider type where Delta's type
   * widening allows it, and a NOT NULL column becomes nullable for a record without a value.
   */
  ADD_AND_WIDEN("add-and-widen");

  private final String configValue;

  EvolutionMode(String configValue) {
    this.configValue = configValue;
  }

  /** The value of {@code delta.schema.evolution} that selects this mode. */
  public String configValue() {
    return configValue;
  }

  /**
   * @throws IllegalArgumentException for a value that names no mode
   */
  public static EvolutionMode parse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (EvolutionMode m : values()) {
      if (m.configValue.equals(v)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown schema evolution mode '" + value + "'");
  }
}
