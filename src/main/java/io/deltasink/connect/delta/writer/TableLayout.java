package io.deltasink.connect.delta.writer;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.text.Unicode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.connect.errors.DataException;

/**
 * A table's physical layout: its root, full schema, and which columns are partition columns.
 * Partition columns are not stored in data files; their values go into the directory name ({@code
 * col=value/}, Hive-escaped) and into {@code AddFile.partitionValues}, serialized as PROTOCOL.md
 * "Partition Value Serialization" says.
 */
public final class TableLayout {
  /** Directory name and serialized form Hive, Spark and Delta use for a null partition value. */
  public static final String NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";

  /**
   * Longest file or directory name, in UTF-8 bytes, that common file systems take (ext4, XFS,
   * HDFS's default {@code dfs.namenode.fs-limits.max-component-length}, ADLS Gen2 path segments).
   */
  static final int MAX_NAME_BYTES = 255;

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** PROTOCOL.md, "Partition Value Serialization": timestamp without time zone. */
  private static final DateTimeFormatter NTZ =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

  private final Path root;
  private final ColumnType.Struct schema;
  private final List<String> partitionColumns;
  private final List<Column> dataColumns = new ArrayList<>();
  private final int[] dataIndexes;
  private final int[] partitionIndexes;

  /**
   * The partition columns' physical names: the keys of {@code AddFile.partitionValues} and of the
   * directories (the logical names unless the table uses column mapping).
   */
  private final String[] partitionKeys;

  private final ColumnType[] partitionTypes;

  /** Positions in {@link #dataColumns} of the columns that are or contain strings. */
  private final int[] textColumns;

  /**
   * @throws IllegalArgumentException if a partition column is missing from the schema, is not a
   *     primitive or decimal, is binary, or every column is a partition column
   */
  public TableLayout(Path root, ColumnType.Struct schema, List<String> partitionColumns) {
    this.root = root;
    this.schema = schema;
    this.partitionColumns = List.copyOf(partitionColumns);
    this.partitionIndexes = new int[partitionColumns.size()];
    this.partitionTypes = new ColumnType[partitionColumns.size()];
    this.partitionKeys = new String[partitionColumns.size()];
    for (int i = 0; i < partitionColumns.size(); i++) {
      String name = partitionColumns.get(i);
      int idx = schema.indexOf(name);
      if (idx < 0) {
        throw new IllegalArgumentException(
            "partition column '"
                + name
                + "' is not a column of the table; columns: "
                + schema.fields().stream().map(Column::name).toList());
      }
      ColumnType t = schema.fields().get(idx).type();
      if (!(t instanceof ColumnType.Decimal) && !(t instanceof ColumnType.Primitive)
          || t == ColumnType.Primitive.BINARY) {
        throw new IllegalArgumentException(
            "partition column '"
                + name
                + "' has type "
                + t.deltaName()
                + "; partition columns must be strings, numbers, booleans, dates, timestamps or decimals");
      }
      partitionIndexes[i] = idx;
      partitionTypes[i] = t;
      partitionKeys[i] = schema.fields().get(idx).physicalName();
    }
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < schema.fields().size(); i++) {
      if (!this.partitionColumns.contains(schema.fields().get(i).name())) {
        dataColumns.add(schema.fields().get(i));
        idx.add(i);
      }
    }
    if (dataColumns.isEmpty()) {
      throw new IllegalArgumentException(
          "every column is a partition column; a data file needs at least one other");
    }
    this.dataIndexes = idx.stream().mapToInt(Integer::intValue).toArray();
    List<Integer> withText = new ArrayList<>();
    for (int i = 0; i < dataColumns.size(); i++) {
      if (holdsStrings(dataColumns.get(i).type())) {
        withText.add(i);
      }
    }
    this.textColumns = withText.stream().mapToInt(Integer::intValue).toArray();
  }

  private static boolean holdsStrings(ColumnType t) {
    if (t instanceof ColumnType.Struct s) {
      return s.fields().stream().anyMatch(f -> holdsStrings(f.type()));
    }
    if (t instanceof ColumnType.Array a) {
      return holdsStrings(a.element());
    }
    if (t instanceof ColumnType.MapType m) {
      return holdsStrings(m.key()) || holdsStrings(m.value());
    }
    return t == ColumnType.Primitive.STRING;
  }

  public Path root() {
    return root;
  }

  public ColumnType.Struct schema() {
    return schema;
  }

  public List<String> partitionColumns() {
    return partitionColumns;
  }

  List<Column> dataColumns() {
    return dataColumns;
  }

  int[] dataIndexes() {
    return dataIndexes;
  }

  boolean partitioned() {
    return partitionIndexes.length > 0;
  }

  /**
   * Checks that {@code row} can be written as {@link TopicPartitionWriter#write} would, without
   * writing it: for rows kept in memory until their commit (upserts).
   *
   * @throws org.apache.kafka.connect.errors.DataException as {@link TopicPartitionWriter#write}
   */
  public void checkRow(Object[] row) {
    checkText(row);
    partitionDirectory(partitionValues(row));
  }

  /**
   * Checks that every string in the row's data columns can be stored as UTF-8 unchanged, before any
   * of the row is written: a Parquet writer cannot take back half a record.
   *
   * @throws DataException naming the column (nested: {@code point.name}, {@code tags[]}, {@code
   *     attrs{key}}) and the position, never the text, for a string with an unpaired surrogate
   */
  void checkText(Object[] row) {
    for (int c : textColumns) {
      Object v = row[dataIndexes[c]];
      if (v != null) {
        checkText(dataColumns.get(c).type(), v, dataColumns.get(c).name());
      }
    }
  }

  private static void checkText(ColumnType type, Object v, String path) {
    if (type == ColumnType.Primitive.STRING) {
      int at = Unicode.unpairedSurrogate((String) v);
      if (at >= 0) {
        throw new DataException(
            "column '"
                + path
                + "': a text with an unpaired surrogate at character "
                + at
                + " cannot be stored as UTF-8");
      }
    } else if (type instanceof ColumnType.Struct s) {
      Object[] values = (Object[]) v;
      for (int i = 0; i < values.length; i++) {
        if (values[i] != null) {
          checkText(s.fields().get(i).type(), values[i], path + "." + s.fields().get(i).name());
        }
      }
    } else if (type instanceof ColumnType.Array a) {
      for (Object e : (List<?>) v) {
        if (e != null) {
          checkText(a.element(), e, path + "[]");
        }
      }
    } else if (type instanceof ColumnType.MapType m) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        checkText(m.key(), e.getKey(), path + "{key}");
        if (e.getValue() != null) {
          checkText(m.value(), e.getValue(), path + "{value}");
        }
      }
    }
  }

  /** The serialized partition values of a row, in partition column order. */
  String[] partitionValues(Object[] row) {
    String[] values = new String[partitionIndexes.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = serialize(partitionTypes[i], row[partitionIndexes[i]]);
    }
    return values;
  }

  Map<String, String> partitionValueMap(String[] values) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      map.put(partitionKeys[i], values[i]);
    }
    return map;
  }

  /**
   * The relative directory of a partition, such as {@code date=2023-01-01/}; empty when
   * unpartitioned.
   *
   * @throws DataException naming the partition column (never the value, which is record content)
   *     when a value cannot be a directory name: an unpaired UTF-16 surrogate (no UTF-8 file name
   *     holds one) or a {@code col=value} name over {@value #MAX_NAME_BYTES} UTF-8 bytes once
   *     escaped
   */
  String partitionDirectory(String[] values) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      String column = partitionColumns.get(i);
      String value = values[i];
      if (value != null && Unicode.unpairedSurrogate(value) >= 0) {
        throw new DataException(
            "partition column '"
                + column
                + "': the value holds an unpaired UTF-16 surrogate, "
                + "which no directory name can hold");
      }
      int start = sb.length();
      sb.append(escapePathName(partitionKeys[i]))
          .append('=')
          .append(value == null || value.isEmpty() ? NULL_PARTITION : escapePathName(value));
      int bytes = Unicode.utf8Length(sb, start, sb.length());
      if (bytes > MAX_NAME_BYTES) {
        throw new DataException(
            "partition column '"
                + column
                + "': the value makes a directory name of "
                + bytes
                + " bytes, more than the "
                + MAX_NAME_BYTES
                + " a file system takes");
      }
      sb.append('/');
    }
    return sb.toString();
  }

  static String serialize(ColumnType type, Object v) {
    if (v == null) {
      return null;
    }
    if (type instanceof ColumnType.Decimal d) {
      return ((BigDecimal) v).setScale(d.scale()).toPlainString();
    }
    return switch ((ColumnType.Primitive) type) {
      case DATE -> LocalDate.ofEpochDay(((Number) v).intValue()).toString();
      case TIMESTAMP -> {
        long micros = ((Number) v).longValue();
        Instant instant =
            Instant.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        yield TS.format(instant);
      }
      case TIMESTAMP_NTZ -> {
        long micros = ((Number) v).longValue();
        yield NTZ.format(
            java.time.LocalDateTime.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1000,
                ZoneOffset.UTC));
      }
        // -0.0 == 0.0: one value, so one partition (Float/Double.toString would write "-0.0").
      case FLOAT, DOUBLE -> ((Number) v).doubleValue() == 0 ? "0.0" : v.toString();
      default -> v.toString();
    };
  }

  /** Hive's escaping of a path segment: the characters it reserves become {@code %XX}. */
  static String escapePathName(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (needsEscape(c)) {
        if (sb == null) {
          sb = new StringBuilder(s.length() + 8).append(s, 0, i);
        }
        sb.append('%').append(String.format("%02X", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || c == 0x7F || "\"#%'*/:=?\\{[]^".indexOf(c) >= 0;
  }
}
