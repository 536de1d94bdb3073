package io.deltasink.connect.delta.writer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which data files may hold a row with one of a batch's keys, from what the Delta log says of each
 * file: its partition values and its {@code stats} (PROTOCOL.md, "Per-file Statistics": {@code
 * minValues} and {@code maxValues} are bounds; "Partition Value Serialization").
 *
 * <p>Two directions of caution. Skipping a file ({@link #keysIn} empty) needs proof that no key is
 * in it: a column without usable bounds (no stats, a truncated string maximum, {@code
 * timestamp_ntz}, binary), or a partition value written in a form not read here, never rules a file
 * out; timestamp maxima are widened by 999 microseconds, since engines write millisecond bounds.
 * Deleting rows of a file ({@link #dataKeysIn}) needs proof that a key's partition values are the
 * file's: a partition value that cannot be compared is an error, never a guess.
 */
public final class KeyPruning {
  private final RowKeys keys;
  private final String[] physicalNames;
  private final boolean[] partition;
  private final int[] dataPositions;

  /** How a key's partition value compares with a file's. */
  private enum Match {
    YES,
    NO,
    UNKNOWN
  }

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
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < physicalNames.length; i++) {
      physicalNames[i] = schema.field(names.get(i)).physicalName();
      partition[i] = partitionColumns.contains(names.get(i));
      if (!partition[i]) {
        data.add(i);
      }
    }
    dataPositions = data.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Whether {@code file} may hold a row whose key is one of {@code batch}. */
  public boolean mayHold(WrittenFile file, Collection<RowKeys.Key> batch) {
    return !keysIn(file, batch, true).isEmpty();
  }

  /** The keys of {@code batch} that {@code file} may hold. */
  public List<RowKeys.Key> keysIn(WrittenFile file, Collection<RowKeys.Key> batch) {
    return keysIn(file, batch, false);
  }

  private List<RowKeys.Key> keysIn(
      WrittenFile file, Collection<RowKeys.Key> batch, boolean firstOnly) {
    ObjectNode stats = file.statsJson() == null ? null : StatsJson.parse(file.statsJson());
    Object[][] bounds =
        bounds(
            stats == null ? null : stats.get("minValues"),
            stats == null ? null : stats.get("maxValues"));
    List<RowKeys.Key> out = new ArrayList<>();
    for (RowKeys.Key key : batch) {
      if (partitionMatch(file.partitionValues(), key) != Match.NO && withinBounds(bounds, key)) {
        out.add(key);
        if (firstOnly) {
          break;
        }
      }
    }
    return out;
  }

  /** The physical names of the key columns stored in data files (not partition columns). */
  List<String> dataColumns() {
    List<String> out = new ArrayList<>(dataPositions.length);
    for (int p : dataPositions) {
      out.add(physicalNames[p]);
    }
    return out;
  }

  /** The table types of {@link #dataColumns}. */
  ColumnType[] dataTypes() {
    ColumnType[] out = new ColumnType[dataPositions.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = keys.types()[dataPositions[i]];
    }
    return out;
  }

  /**
   * The data-column parts ({@link #dataColumns} order) of the keys of {@code batch} whose partition
   * values are exactly {@code file}'s: the rows of {@code file} with such a part are the batch's.
   *
   * @throws IllegalStateException naming the column when a partition value of {@code file} cannot
   *     be compared with a key's (a form this connector does not read): deleting rows on a guess
   *     could delete another key's
   */
  Set<List<Object>> dataKeysIn(WrittenFile file, Collection<RowKeys.Key> batch) {
    Set<List<Object>> out = new HashSet<>();
    for (RowKeys.Key key : batch) {
      Match m = partitionMatch(file.partitionValues(), key);
      if (m == Match.UNKNOWN) {
        throw new IllegalStateException(
            "the partition values of "
                + CompactionPlan.fileName(file)
                + " cannot be compared with the batch's keys (a form this connector does not"
                + " read); the file is not rewritten");
      }
      if (m == Match.YES) {
        out.add(key.values(dataPositions));
      }
    }
    return out;
  }

  private Match partitionMatch(Map<String, String> partitionValues, RowKeys.Key key) {
    Match result = Match.YES;
    for (int i = 0; i < physicalNames.length; i++) {
      if (partition[i]) {
        Match m =
            partitionValue(keys.types()[i], partitionValues.get(physicalNames[i]), key.value(i));
        if (m == Match.NO) {
          return Match.NO;
        }
        if (m == Match.UNKNOWN) {
          result = Match.UNKNOWN;
        }
      }
    }
    return result;
  }

  /** A serialized partition value against a key's normalized value. */
  private static Match partitionValue(ColumnType type, String value, Object key) {
    if (value == null) {
      return Match.NO; // a null partition; keys are never null
    }
    try {
      boolean equal;
      if (type instanceof ColumnType.Decimal) {
        equal = new BigDecimal(value).compareTo((BigDecimal) key) == 0;
      } else {
        switch ((ColumnType.Primitive) type) {
          case BYTE, SHORT, INTEGER, LONG -> equal = Long.parseLong(value) == (Long) key;
          case FLOAT -> equal = (double) Float.parseFloat(value) == (Double) key;
          case DOUBLE -> equal = Double.parseDouble(value) == (Double) key;
          case STRING -> equal = value.equals(key);
          case BOOLEAN -> equal = Boolean.parseBoolean(value) == (Boolean) key;
          case DATE -> equal = LocalDate.parse(value).toEpochDay() == (Long) key;
          case TIMESTAMP -> {
            if (!value.endsWith("Z")) {
              return Match.UNKNOWN; // "2023-01-01 00:00:00": its time zone is the writer's
            }
            equal = micros(Instant.parse(value)) == (Long) key;
          }
          default -> {
            return Match.UNKNOWN; // timestamp_ntz and binary forms vary by engine
          }
        }
      }
      return equal ? Match.YES : Match.NO;
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      return Match.UNKNOWN;
    }
  }

  /**
   * The bounds of the key columns in {@code min} and {@code max}, read once per file: {@code
   * [column][0]} the minimum, {@code [column][1]} the maximum, each null when it cannot be used.
   */
  private Object[][] bounds(JsonNode min, JsonNode max) {
    ColumnType[] types = keys.types();
    Object[][] out = new Object[types.length][2];
    for (int i = 0; i < types.length; i++) {
      if (!partition[i]) {
        out[i][0] = min == null ? null : bound(types[i], min.get(physicalNames[i]), false);
        out[i][1] = max == null ? null : bound(types[i], max.get(physicalNames[i]), true);
      }
    }
    return out;
  }

  private boolean withinBounds(Object[][] bounds, RowKeys.Key key) {
    ColumnType[] types = keys.types();
    for (int i = 0; i < types.length; i++) {
      if (!partition[i]) {
        Object v = key.value(i);
        if ((bounds[i][0] != null && compare(types[i], v, bounds[i][0]) < 0)
            || (bounds[i][1] != null && compare(types[i], v, bounds[i][1]) > 0)) {
          return false;
        }
      }
    }
    return true;
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  /**
   * A bound as the key values of {@code type} are held (normalized as {@link RowKeys} does); null
   * when it cannot be read for the type: a file is then never ruled out by it.
   *
   * @param upper whether {@code bound} is a maximum (timestamps are widened by 999 microseconds)
   */
  private static Object bound(ColumnType type, JsonNode bound, boolean upper) {
    if (bound == null || bound.isNull()) {
      return null;
    }
    try {
      String number = StatsJson.number(bound);
      if (type instanceof ColumnType.Decimal) {
        return number == null ? null : new BigDecimal(number);
      }
      return switch ((ColumnType.Primitive) type) {
        case BYTE, SHORT, INTEGER, LONG -> number == null ? null : Long.parseLong(number);
          // A float bound is the float's shortest text ("0.1"): read back as a float, then
          // widened as the key was.
        case FLOAT -> number == null ? null : (double) Float.parseFloat(number);
        case DOUBLE -> number == null ? null : Double.parseDouble(number);
        case STRING -> bound.isTextual() ? bound.asText() : null;
        case DATE -> bound.isTextual() ? LocalDate.parse(bound.asText()).toEpochDay() : null;
        case TIMESTAMP -> {
          if (!bound.isTextual()) {
            yield null;
          }
          long micros = micros(Instant.parse(bound.asText()));
          yield upper ? micros + 999 : micros;
        }
        default -> null; // timestamp_ntz, boolean, binary: no bounds the sink relies on
      };
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      return null; // a bound another engine wrote in a form not read here: the file may hold it
    }
  }

  /** {@code v} against a bound read by {@link #bound}. */
  private static int compare(ColumnType type, Object v, Object bound) {
    if (type instanceof ColumnType.Decimal) {
      return ((BigDecimal) v).compareTo((BigDecimal) bound);
    }
    return switch ((ColumnType.Primitive) type) {
      case FLOAT, DOUBLE -> numeric((Double) v, (Double) bound);
      case STRING -> FileStats.compareUtf8((String) v, (String) bound);
      default -> Long.compare((Long) v, (Long) bound);
    };
  }

  /** -0.0 equals 0.0 and NaN equals everything: only a strict inequality rules a file out. */
  private static int numeric(double v, double bound) {
    return v < bound ? -1 : v > bound ? 1 : 0;
  }
}
