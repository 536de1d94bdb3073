package io.deltasink.connect.delta.convert;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The opt-in Kafka coordinate columns ({@code delta.kafka.columns}): {@code kafka_topic} (string),
 * {@code kafka_partition} (integer), {@code kafka_offset} (long), {@code kafka_timestamp}
 * (timestamp, the record's Kafka timestamp). Values come from the record's original coordinates, so
 * an SMT that renames the topic does not change them. They are appended after the value's columns,
 * nullable.
 */
public final class KafkaColumns {
  /** One coordinate. */
  public enum Coordinate {
    TOPIC("kafka_topic", ColumnType.Primitive.STRING),
    PARTITION("kafka_partition", ColumnType.Primitive.INTEGER),
    OFFSET("kafka_offset", ColumnType.Primitive.LONG),
    TIMESTAMP("kafka_timestamp", ColumnType.Primitive.TIMESTAMP);

    private final String column;
    private final ColumnType type;

    Coordinate(String column, ColumnType type) {
      this.column = column;
      this.type = type;
    }

    public String column() {
      return column;
    }

    /** The coordinate for a config value such as {@code offset}. */
    public static Coordinate parse(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
  }

  private final List<Coordinate> coordinates;
  private final List<String> names;

  public KafkaColumns(List<Coordinate> coordinates) {
    this.coordinates = List.copyOf(coordinates);
    this.names = this.coordinates.stream().map(Coordinate::column).toList();
  }

  /** Column names these coordinates occupy. */
  public List<String> names() {
    return names;
  }

  /** {@code schema} with the coordinate columns appended (those it has already are kept). */
  public ColumnType.Struct appendTo(ColumnType.Struct schema) {
    List<Column> columns = new ArrayList<>(schema.fields());
    for (Coordinate c : coordinates) {
      if (schema.indexOf(c.column) < 0) {
        columns.add(new Column(c.column, c.type, true));
      }
    }
    return new ColumnType.Struct(columns);
  }

  /**
   * {@code schema} with the coordinate columns {@code table} has appended, as {@code table} defines
   * them: schema evolution never adds coordinate columns to an existing table, nor changes them.
   */
  public ColumnType.Struct appendExisting(ColumnType.Struct schema, ColumnType.Struct table) {
    List<Column> columns = new ArrayList<>(schema.fields());
    for (Coordinate c : coordinates) {
      Column existing = table.field(c.column);
      if (existing != null && schema.indexOf(c.column) < 0) {
        columns.add(existing);
      }
    }
    return new ColumnType.Struct(columns);
  }

  /** Positions of the coordinate columns in {@code target}, -1 where absent. */
  public int[] indexesIn(ColumnType.Struct target) {
    int[] idx = new int[coordinates.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = target.indexOf(coordinates.get(i).column);
    }
    return idx;
  }

  /**
   * Writes the record's coordinates into {@code row} at {@code indexes} (from {@link #indexesIn}).
   *
   * @throws DataException when the record's timestamp is out of range ({@link #timestampMicros})
   */
  public void fill(Object[] row, int[] indexes, SinkRecord record) {
    for (int i = 0; i < indexes.length; i++) {
      if (indexes[i] < 0) {
        continue;
      }
      row[indexes[i]] =
          switch (coordinates.get(i)) {
            case TOPIC -> record.originalTopic();
            case PARTITION -> record.originalKafkaPartition();
            case OFFSET -> record.originalKafkaOffset();
            case TIMESTAMP ->
                record.timestamp() == null
                    ? null
                    : timestampMicros(record.timestamp(), Coordinate.TIMESTAMP.column);
          };
    }
  }

  /**
   * A Kafka record timestamp as a Delta timestamp.
   *
   * @param millis milliseconds since 1970-01-01T00:00:00Z
   * @return microseconds since then
   * @throws DataException naming {@code column} when the microseconds do not fit a long (beyond
   *     about 292,000 years from 1970): a producer can set any timestamp
   */
  public static long timestampMicros(long millis, String column) {
    try {
      return Math.multiplyExact(millis, 1000L);
    } catch (ArithmeticException e) {
      throw new DataException(
          "column '"
              + column
              + "': the record's timestamp is out of range for a timestamp column "
              + "(microseconds since 1970 in a long)");
    }
  }
}
