package io.deltasink.connect.delta.writer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * The Delta statistics (PROTOCOL.md, "Per-file Statistics") of a file that holds exactly the rows
 * of other files, computed from their statistics alone: {@code numRecords} is the rows counted,
 * {@code nullCount} the sum, {@code minValues} / {@code maxValues} the least / greatest of the
 * inputs' values, nested structs as nested objects. For files whose statistics {@link FileStats}
 * wrote, the result equals what {@link FileStats} computes for all their rows together:
 *
 * <ul>
 *   <li>An input without a min (or max) for a column adds nothing to it when its {@code nullCount}
 *       for the column equals its rows (every value null); otherwise the bound is unknown (NaN, a
 *       truncated long string's maximum, another writer's choice) and the merged file gets none for
 *       that column, rather than a guess.
 *   <li>Values are compared by the column's Parquet type, read from the file schema: integers and
 *       decimals as numbers (decimals exactly, as {@link BigDecimal}), floats and doubles as {@link
 *       Float#compare} / {@link Double#compare} order ({@code -0.0} before {@code 0.0}, {@code
 *       "Infinity"} as text), strings in UTF-8 byte order ({@link FileStats#compareUtf8}), dates as
 *       {@link LocalDate}, timestamps as instants (offsets honoured; {@code TIMESTAMP_NTZ} as local
 *       date-times), booleans false before true. Binary, list and map columns have a null count
 *       only. A value that does not parse as its type drops the bound.
 *   <li>Numbers are read from their JSON text ({@link StatsJson}: no double or {@link BigDecimal}
 *       in between, which would lose decimal digits or the sign of {@code -0.0}) and written back
 *       as {@link FileStats} writes them (decimals at the column's scale); dates, timestamps and
 *       strings keep the chosen input's text. The rounding {@link FileStats} applies to timestamps
 *       (minimum down, maximum up to the millisecond) and its string prefixes commute with taking
 *       the least / greatest, so merging them gives the same bounds as computing them over all
 *       rows.
 * </ul>
 *
 * An input without statistics, or with a {@code nullCount} missing for a column, makes that
 * column's statistics (or all of them) unknown: they are left out.
 */
final class MergedStats {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final List<JsonNode> inputs;
  private final long[] rows;

  private MergedStats(List<JsonNode> inputs, long[] rows) {
    this.inputs = inputs;
    this.rows = rows;
  }

  /**
   * @param schema the Parquet schema of every input and of the merged file
   * @param statsJson each input's {@code AddFile.stats} text, {@code null} when it has none
   * @param rows each input's row count as read from the file
   * @param numRecords rows of the merged file
   * @return the merged statistics as JSON text; only {@code numRecords} when an input has none or
   *     they do not parse
   */
  static String merge(GroupType schema, List<String> statsJson, long[] rows, long numRecords) {
    return merge(schema, statsJson, rows, numRecords, true);
  }

  /**
   * {@link #merge(GroupType, List, long[], long)}, leaving out {@code nullCount} unless {@code
   * nullCounts}: the inputs' bounds still bound a file holding some of their rows, their null
   * counts do not count it.
   */
  static String merge(
      GroupType schema, List<String> statsJson, long[] rows, long numRecords, boolean nullCounts) {
    ObjectNode root = NODES.objectNode();
    root.put("numRecords", numRecords);
    List<JsonNode> inputs = new ArrayList<>(statsJson.size());
    for (String s : statsJson) {
      JsonNode parsed = StatsJson.parse(s);
      if (parsed == null) {
        return root.toString();
      }
      inputs.add(parsed);
    }
    MergedStats merged = new MergedStats(inputs, rows);
    ObjectNode min = root.putObject("minValues");
    ObjectNode max = root.putObject("maxValues");
    ObjectNode nulls = nullCounts ? root.putObject("nullCount") : NODES.objectNode();
    merged.mergeGroup(schema, List.of(), min, max, nulls);
    return root.toString();
  }

  /** The {@code numRecords} of statistics, or -1 when they do not say. */
  static long numRecords(String statsJson) {
    JsonNode stats = StatsJson.parse(statsJson);
    return stats == null ? -1 : StatsJson.count(stats.get("numRecords"));
  }

  private void mergeGroup(
      GroupType group, List<String> path, ObjectNode min, ObjectNode max, ObjectNode nulls) {
    for (Type field : group.getFields()) {
      List<String> fieldPath = new ArrayList<>(path);
      fieldPath.add(field.getName());
      if (!field.isPrimitive() && isStruct(field.asGroupType())) {
        ObjectNode cMin = NODES.objectNode();
        ObjectNode cMax = NODES.objectNode();
        ObjectNode cNulls = NODES.objectNode();
        mergeGroup(field.asGroupType(), fieldPath, cMin, cMax, cNulls);
        // As FileStats: a struct without any bound is left out of min/max.
        putIfNotEmpty(min, field.getName(), cMin);
        putIfNotEmpty(max, field.getName(), cMax);
        putIfNotEmpty(nulls, field.getName(), cNulls);
        continue;
      }
      long[] nullCounts = nullCounts(fieldPath);
      if (nullCounts == null) {
        continue;
      }
      long totalNulls = 0;
      for (long n : nullCounts) {
        totalNulls += n;
      }
      nulls.put(field.getName(), totalNulls);
      Kind kind =
          field.isPrimitive() && !field.isRepetition(Type.Repetition.REPEATED)
              ? Kind.of(field.asPrimitiveType())
              : null;
      if (kind != null) {
        bound(kind, fieldPath, "minValues", nullCounts, -1, min, field.getName());
        bound(kind, fieldPath, "maxValues", nullCounts, 1, max, field.getName());
      }
    }
  }

  private static boolean isStruct(GroupType g) {
    LogicalTypeAnnotation a = g.getLogicalTypeAnnotation();
    return !(a instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
        || a instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
        || g.isRepetition(Type.Repetition.REPEATED));
  }

  private static void putIfNotEmpty(ObjectNode parent, String name, ObjectNode child) {
    if (!child.isEmpty()) {
      parent.set(name, child);
    }
  }

  /** Each input's null count for the column, or {@code null} when one does not say. */
  private long[] nullCounts(List<String> path) {
    long[] counts = new long[inputs.size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = StatsJson.count(at(inputs.get(i), "nullCount", path));
      if (counts[i] < 0) {
        return null;
      }
    }
    return counts;
  }

  /**
   * Puts the least ({@code sign} -1) or greatest ({@code sign} 1) of the inputs' bounds, if every
   * input either has one or holds only nulls in the column.
   */
  private void bound(
      Kind kind,
      List<String> path,
      String section,
      long[] nullCounts,
      int sign,
      ObjectNode out,
      String name) {
    JsonNode best = null;
    Comparable<Object> bestKey = null;
    for (int i = 0; i < inputs.size(); i++) {
      JsonNode v = at(inputs.get(i), section, path);
      if (v == null || v.isNull()) {
        if (nullCounts[i] == rows[i]) {
          continue;
        }
        return;
      }
      Comparable<Object> key = kind.key(v);
      if (key == null) {
        return;
      }
      if (best == null || Integer.signum(key.compareTo(bestKey)) == sign) {
        best = v;
        bestKey = key;
      }
    }
    if (best != null) {
      out.set(name, kind.output(best, bestKey));
    }
  }

  private static JsonNode at(JsonNode root, String section, List<String> path) {
    JsonNode n = root.get(section);
    for (String p : path) {
      if (n == null || !n.isObject()) {
        return null;
      }
      n = n.get(p);
    }
    return n;
  }

  /** How one primitive column's bounds are compared and written back. */
  private record Kind(Form form, int scale) {
    enum Form {
      BOOLEAN,
      INTEGRAL,
      FLOAT,
      DOUBLE,
      DECIMAL,
      STRING,
      DATE,
      TIMESTAMP,
      TIMESTAMP_NTZ
    }

    /** The kind of a column with range statistics, or {@code null} for one without. */
    static Kind of(PrimitiveType t) {
      LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
      if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
        return new Kind(Form.DECIMAL, d.getScale());
      }
      Form form =
          switch (t.getPrimitiveTypeName()) {
            case BOOLEAN -> Form.BOOLEAN;
            case INT32 ->
                a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation
                    ? Form.DATE
                    : Form.INTEGRAL;
            case INT64 ->
                a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
                    ? ts.isAdjustedToUTC() ? Form.TIMESTAMP : Form.TIMESTAMP_NTZ
                    : Form.INTEGRAL;
            case INT96 -> Form.TIMESTAMP;
            case FLOAT -> Form.FLOAT;
            case DOUBLE -> Form.DOUBLE;
            case BINARY ->
                a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation ? Form.STRING : null;
            default -> null;
          };
      return form == null ? null : new Kind(form, 0);
    }

    /** The bound as a comparable value, or {@code null} when it is not one of this kind. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Comparable<Object> key(JsonNode v) {
      String number = StatsJson.number(v);
      try {
        Comparable key =
            switch (form) {
              case BOOLEAN -> v.isBoolean() ? v.booleanValue() : null;
              case INTEGRAL -> number == null ? null : Long.parseLong(number);
                // At the column's scale; more fraction digits than that are not a bound of it.
              case DECIMAL -> number == null ? null : new BigDecimal(number).setScale(scale);
                // Parsed from the text as written: -0.0 stays before 0.0, and a float's shortest
                // representation gives back that float.
              case FLOAT -> Float.parseFloat(floating(number, v));
              case DOUBLE -> Double.parseDouble(floating(number, v));
              case STRING -> v.isTextual() ? new Utf8(v.textValue()) : null;
              case DATE -> v.isTextual() ? LocalDate.parse(v.textValue()) : null;
              case TIMESTAMP ->
                  v.isTextual() ? OffsetDateTime.parse(v.textValue()).toInstant() : null;
              case TIMESTAMP_NTZ -> v.isTextual() ? LocalDateTime.parse(v.textValue()) : null;
            };
        return key;
      } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
        return null;
      }
    }

    /**
     * A float or double bound: a JSON number, or the string Jackson writes for an infinity.
     *
     * @throws NumberFormatException for anything else
     */
    private static String floating(String number, JsonNode v) {
      if (number != null) {
        return number;
      }
      if (v.isTextual() && v.textValue().matches("-?Infinity")) {
        return v.textValue();
      }
      throw new NumberFormatException("not a float bound");
    }

    /** The bound to write: numbers as {@link FileStats} puts them, the rest as the input's text. */
    JsonNode output(JsonNode original, Object key) {
      return switch (form) {
        case INTEGRAL -> NODES.numberNode((Long) key);
        case DECIMAL -> NODES.numberNode((BigDecimal) key);
        case FLOAT -> NODES.numberNode((Float) key);
        case DOUBLE -> NODES.numberNode((Double) key);
        case BOOLEAN -> NODES.booleanNode((Boolean) key);
        default -> original;
      };
    }
  }

  /** A string compared as its UTF-8 bytes, as {@link FileStats} orders strings. */
  private record Utf8(String text) implements Comparable<Utf8> {
    @Override
    public int compareTo(Utf8 o) {
      return FileStats.compareUtf8(text, o.text);
    }
  }
}
