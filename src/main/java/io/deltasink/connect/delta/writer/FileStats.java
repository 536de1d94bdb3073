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
import java.util.List;

/**
 * Per-file column statistics in the Delta protocol's form (PROTOCOL.md, "Per-file Statistics"):
 * {@code numRecords}, and per data column {@code minValues}, {@code maxValues}, {@code nullCount},
 * nested structs as nested objects. Min/max are kept for numbers, decimals, dates, timestamps and
 * strings; booleans, binaries, arrays and maps get only a null count. A string longer than
 * {@value #MAX_STRING_STAT} characters keeps a prefix as its minimum and drops its maximum (a prefix is
 * never an upper bound); NaN drops min/max of its column for the file. Timestamps are written in
 * milliseconds, the minimum rounded down and the maximum rounded up, so the bounds stay bounds.
 */
final class FileStats {
  static final int MAX_STRING_STAT = 32;
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
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
      collectors[i].writeTo(columns[i].name(), min, max, nulls);
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
          || type instanceof ColumnType.Primitive p && p != ColumnType.Primitive.BOOLEAN && p != ColumnType.Primitive.BINARY) {
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
        children[i].writeTo(fields.get(i).name(), cMin, cMax, cNulls);
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

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class RangeCollector extends Collector {
    private final ColumnType type;
    private Comparable min;
    private Comparable max;
    private boolean maxDropped;
    private boolean poisoned;

    RangeCollector(ColumnType type) {
      this.type = type;
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
      Comparable c = (Comparable) v;
      if (v instanceof Double d && d.isNaN() || v instanceof Float f && f.isNaN()) {
        poisoned = true;
        return;
      }
      if (v instanceof String s && s.length() > MAX_STRING_STAT) {
        maxDropped = true;
        c = s.substring(0, MAX_STRING_STAT);
        if (min == null || c.compareTo(min) < 0) {
          min = c;
        }
        return;
      }
      if (min == null || c.compareTo(min) < 0) {
        min = c;
      }
      if (max == null || c.compareTo(max) > 0) {
        max = c;
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
