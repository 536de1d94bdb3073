package io.deltasink.connect.delta.writer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Which data files may hold a row with one of a batch's keys, from what the Delta log says of each
 * file: its partition values and its {@code stats} (PROTOCOL.md, "Per-file Statistics": {@code
 * minValues} and {@code maxValues} are bounds). A file is skipped only when, for every key, some
 * key column is provably outside the file; a column without usable bounds (no stats, a truncated
 * string maximum, {@code timestamp_ntz}, binary) never rules a file out. Timestamps compare with
 * the maximum widened by 999 microseconds, since engines write millisecond bounds.
 */
public final class KeyPruning {
  private final RowKeys keys;
  private final String[] physicalNames;
  private final boolean[] partition;

  /**
   * @param schema the table schema
   * @param partitionColumns the table's partition columns (logical names)
   * @param keys the key columns of {@code schema}
   */
  public KeyPruning(ColumnType.Struct schema, List<String> partitionColumns, RowKeys keys) {
    this.keys = keys;
    List<String> names = keys.names();
    physicalNames = new String[names.size()];
    partition = new boolean[names.size()];
    for (int i = 0; i < physicalNames.length; i++) {
      physicalNames[i] = schema.field(names.get(i)).physicalName();
      partition[i] = partitionColumns.contains(names.get(i));
    }
  }

  /** Whether {@code file} may hold a row whose key is one of {@code batch}. */
  public boolean mayHold(WrittenFile file, Collection<RowKeys.Key> batch) {
    ObjectNode stats = file.statsJson() == null ? null : StatsJson.parse(file.statsJson());
    JsonNode min = stats == null ? null : stats.get("minValues");
    JsonNode max = stats == null ? null : stats.get("maxValues");
    for (RowKeys.Key key : batch) {
      if (mayHold(file.partitionValues(), min, max, key)) {
        return true;
      }
    }
    return false;
  }

  private boolean mayHold(
      Map<String, String> partitionValues, JsonNode min, JsonNode max, RowKeys.Key key) {
    ColumnType[] types = keys.types();
    for (int i = 0; i < types.length; i++) {
      Object v = key.value(i);
      if (partition[i]) {
        String value = partitionValues.get(physicalNames[i]);
        if (value == null
            || !value.equals(TableLayout.serialize(types[i], forPartition(types[i], v)))) {
          return false;
        }
      } else if (outside(
          types[i],
          v,
          min == null ? null : min.get(physicalNames[i]),
          max == null ? null : max.get(physicalNames[i]))) {
        return false;
      }
    }
    return true;
  }

  private static Object forPartition(ColumnType type, Object normalized) {
    return type == ColumnType.Primitive.FLOAT
        ? Float.valueOf((float) ((Double) normalized).doubleValue())
        : normalized;
  }

  /** Whether {@code v} is provably below {@code min} or above {@code max}. */
  private static boolean outside(ColumnType type, Object v, JsonNode min, JsonNode max) {
    return (min != null && compare(type, v, min, false) < 0)
        || (max != null && compare(type, v, max, true) > 0);
  }

  /**
   * {@code v} against a bound; 0 ("may be equal") when the bound cannot be read for the type.
   *
   * @param upper whether {@code bound} is a maximum (timestamps are widened by 999 microseconds)
   */
  private static int compare(ColumnType type, Object v, JsonNode bound, boolean upper) {
    try {
      String number = StatsJson.number(bound);
      if (type instanceof ColumnType.Decimal) {
        return number == null ? 0 : ((BigDecimal) v).compareTo(new BigDecimal(number));
      }
      return switch ((ColumnType.Primitive) type) {
        case BYTE, SHORT, INTEGER, LONG ->
            number == null ? 0 : Long.compare((Long) v, Long.parseLong(number));
        case FLOAT, DOUBLE -> number == null ? 0 : numeric((Double) v, Double.parseDouble(number));
        case STRING -> bound.isTextual() ? FileStats.compareUtf8((String) v, bound.asText()) : 0;
        case DATE ->
            bound.isTextual()
                ? Long.compare((Long) v, LocalDate.parse(bound.asText()).toEpochDay())
                : 0;
        case TIMESTAMP -> {
          if (!bound.isTextual()) {
            yield 0;
          }
          Instant t = Instant.parse(bound.asText());
          long micros =
              Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
          yield Long.compare((Long) v, upper ? micros + 999 : micros);
        }
        default -> 0; // timestamp_ntz, boolean, binary: no bounds the sink relies on
      };
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      return 0; // a bound another engine wrote in a form not read here: the file may hold the key
    }
  }

  /** -0.0 equals 0.0 and NaN equals everything: only a strict inequality rules a file out. */
  private static int numeric(double v, double bound) {
    return v < bound ? -1 : v > bound ? 1 : 0;
  }
}
