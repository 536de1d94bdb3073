package io.deltasink.connect.delta.writer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;

/**
 * Per-file column statistics in the Delta protocol's form (PROTOCOL.md, "Per-file Statistics"):
 * {@code numRecords}, and per data column {@code minValues}, {@code maxValues}, {@code nullCount},
 * nested structs as nested objects. Min/max are kept for numbers, decimals, dates, timestamps and
 * strings; booleans, binaries, arrays and maps get only a null count. Strings are ordered as their
 * UTF-8 bytes (unsigned), the order Delta, Spark and Parquet compare them in, not Java's UTF-16
 * order. A string longer than {@value #MAX_STRING_STAT} characters keeps a prefix as its minimum
 * (at most that many characters, never cutting a surrogate pair) and drops its maximum (a prefix is
 * never an upper bound); NaN drops min/max of its column for the file. Timestamps are written in
 * milliseconds, the minimum rounded down and the maximum rounded up, so the bounds stay bounds.
 */
final class FileStats {
  static final int MAX_STRING_STAT = 32;
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Column[] columns;
  private final int[] indexes;
  private final Collector[] collectors;
  private long numRecords;

  FileStats(List<Column> dataColumns, int[] dataIndexes) {
    this.columns = dataColumns.toArray(new Column[0]);
    this.indexes = dataIndexes.clone();
    this.collectors = new Collector[columns.length];
    for (int i = 0; i < columns.length; i++) {
      collectors[i] = Collector.of(columns[i].type());
    }
  }

  void add(Object[] row) {
    numRecords++;
    for (int i = 0; i < collectors.length; i++) {
      collectors[i].add(row[indexes[i]]);
    }
  }

  long numRecords() {
    return numRecords;
  }

  /** The stats as the JSON text that goes, as a string, into {@code AddFile.stats}. */
  String toJson() {
    ObjectNode root = NODES.objectNode();
    root.put("numRecords", numRecords);
    ObjectNode min = root.putObject("minValues");
    ObjectNode max = root.putObject("maxValues");
    ObjectNode nulls = root.putObject("nullCount");
    for (int i = 0; i < columns.length; i++) {
      collectors[i].writeTo(columns[i].physicalName(), min, max, nulls);
    }
    return root.toString();
  }

  private abstract static class Collector {
    long nulls;

    static Collector of(ColumnType type) {
      if (type instanceof ColumnType.Struct s) {
        return new StructCollector(s);
      }
      if (type instanceof ColumnType.Decimal
          || type instanceof ColumnType.Primitive p
              && p != ColumnType.Primitive.BOOLEAN
              && p != ColumnType.Primitive.BINARY
              // Null counts only: readers differ on the text of timestamp_ntz bounds.
              && p != ColumnType.Primitive.TIMESTAMP_NTZ) {
        return new RangeCollector(type);
      }
      return new NullCollector();
    }

    abstract void add(Object v);

    abstract void writeTo(String name, ObjectNode min, ObjectNode max, ObjectNode nulls);
  }

  private static final class NullCollector extends Collector {
    @Override
    void add(Object v) {
      if (v == null) {
        nulls++;
      }
    }

    @Override
    void writeTo(String name, ObjectNode min, ObjectNode max, ObjectNode nullCount) {
      nullCount.put(name, nulls);
    }
  }

  private static final class StructCollector extends Collector {
    private final List<Column> fields;
    private final Collector[] children;

    StructCollector(ColumnType.Struct type) {
      this.fields = type.fields();
      this.children = new Collector[fields.size()];
      for (int i = 0; i < children.length; i++) {
        children[i] = Collector.of(fields.get(i).type());
      }
    }

    @Override
    void add(Object v) {
      Object[] values = (Object[]) v;
      for (int i = 0; i < children.length; i++) {
        children[i].add(values == null ? null : values[i]);
      }
    }

    @Override
    void writeTo(String name, ObjectNode min, ObjectNode max, ObjectNode nullCount) {
      ObjectNode cMin = NODES.objectNode();
      ObjectNode cMax = NODES.objectNode();
      ObjectNode cNulls = NODES.objectNode();
      for (int i = 0; i < children.length; i++) {
        children[i].writeTo(fields.get(i).physicalName(), cMin, cMax, cNulls);
      }
      if (!cMin.isEmpty()) {
        min.set(name, cMin);
      }
      if (!cMax.isEmpty()) {
        max.set(name, cMax);
      }
      nullCount.set(name, cNulls);
    }
  }

  /**
   * Compares strings in Unicode code point order, which is the unsigned byte order of their UTF-8
   * encodings. UTF-16 order differs only where both chars are at or above U+D800: there a surrogate
   * (part of a code point above U+FFFF) must sort after U+E000-U+FFFF, so both are shifted (ICU's
   * code point order fix-up).
   */
  static int compareUtf8(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        return x >= 0xD800 && y >= 0xD800 ? codePointOrder(x) - codePointOrder(y) : x - y;
      }
    }
    return a.length() - b.length();
  }

  private static int codePointOrder(char c) {
    return c >= 0xE000 ? c - 0x800 : c + 0x2000;
  }

  /**
   * At most {@value #MAX_STRING_STAT} chars of {@code s}, ending before a pair rather than inside
   * it.
   */
  static String prefix(String s) {
    int end = MAX_STRING_STAT;
    return s.substring(0, Character.isHighSurrogate(s.charAt(end - 1)) ? end - 1 : end);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class RangeCollector extends Collector {
    private final ColumnType type;
    private final Comparator<Object> order;
    private Object min;
    private Object max;
    private boolean maxDropped;
    private boolean poisoned;

    RangeCollector(ColumnType type) {
      this.type = type;
      this.order =
          type == ColumnType.Primitive.STRING
              ? (a, b) -> compareUtf8((String) a, (String) b)
              : (a, b) -> ((Comparable) a).compareTo(b);
    }

    @Override
    void add(Object v) {
      if (v == null) {
        nulls++;
        return;
      }
      if (poisoned) {
        return;
      }
      if (v instanceof Double d && d.isNaN() || v instanceof Float f && f.isNaN()) {
        poisoned = true;
        return;
      }
      if (v instanceof String s && s.length() > MAX_STRING_STAT) {
        maxDropped = true;
        String p = prefix(s);
        if (min == null || order.compare(p, min) < 0) {
          min = p;
        }
        return;
      }
      if (min == null || order.compare(v, min) < 0) {
        min = v;
      }
      if (max == null || order.compare(v, max) > 0) {
        max = v;
      }
    }

    @Override
    void writeTo(String name, ObjectNode minNode, ObjectNode maxNode, ObjectNode nullCount) {
      nullCount.put(name, nulls);
      if (poisoned) {
        return;
      }
      if (min != null) {
        put(minNode, name, min, false);
      }
      if (max != null && !maxDropped) {
        put(maxNode, name, max, true);
      }
    }

    private void put(ObjectNode node, String name, Object v, boolean upper) {
      if (type instanceof ColumnType.Decimal d) {
        node.put(name, ((BigDecimal) v).setScale(d.scale()));
        return;
      }
      switch ((ColumnType.Primitive) type) {
        case BYTE, SHORT, INTEGER -> node.put(name, ((Number) v).intValue());
        case LONG -> node.put(name, (Long) v);
        case FLOAT -> node.put(name, (Float) v);
        case DOUBLE -> node.put(name, (Double) v);
        case STRING -> node.put(name, (String) v);
        case DATE -> node.put(name, LocalDate.ofEpochDay((Integer) v).toString());
        case TIMESTAMP -> {
          long micros = (Long) v;
          long millis = Math.floorDiv(micros, 1000L);
          if (upper && Math.floorMod(micros, 1000L) != 0) {
            millis++;
          }
          node.put(name, TS.format(Instant.ofEpochMilli(millis)));
        }
        default -> throw new IllegalStateException("no range stats for " + type);
      }
    }
  }
}
