package io.deltasink.connect.delta.writer;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Copy-on-write for upserts (issue #17): a table's data file rewritten without the rows whose key
 * is in a set, so that a commit can {@code remove} the old file and {@code add} the new one with
 * the batch's rows. Rows are copied as Parquet records ({@link FileCompactor}'s reading and
 * writing), never converted, so kept rows keep their bytes. The new file's statistics are the old
 * file's bounds (still bounds of a subset) and its exact row count, without null counts.
 *
 * <p>Not for every file: one with a deletion vector would get its deleted rows back, and on a
 * row-tracking table the rows' ids would change; the caller must leave such tables to their
 * engines. The new file's statistics have no null counts, so a later compaction of it keeps no
 * bounds.
 *
 * <p>Key values are read from the file's own Parquet types, whichever engine wrote it: integers,
 * decimals (INT32, INT64, binary), strings, dates, timestamps (micros, millis, nanos, INT96),
 * floating point, booleans, binary; normalized as {@link RowKeys} normalizes a row's.
 */
public final class FileRewriter {
  private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;
  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private final FileCompactor files;

  /**
   * @param files the table's data file reading and writing
   */
  public FileRewriter(FileCompactor files) {
    this.files = files;
  }

  /**
   * @param file the new file, null when no row is left (the old file is only removed)
   * @param kept rows copied
   * @param removed rows left out (their keys matched)
   */
  public record Result(WrittenFile file, long kept, long removed) {}

  /**
   * {@code input} without its rows whose key is one of {@code batch}'s.
   *
   * @param pruning the table's key columns and how keys compare with a file's partition values
   * @param batch the keys whose rows are to go; only those whose partition values are exactly
   *     {@code input}'s can be in it
   * @param topic the topic of the Kafka partition the rewrite is for, for the new file's name
   * @param partition that Kafka partition, for the file name
   * @return null when no row matches (the file stays as it is; also when a key column is missing
   *     from the file, whose rows then hold no key)
   * @throws IOException when reading or writing fails; the new file is deleted
   * @throws IllegalStateException when the file's partition values cannot be compared with the
   *     keys' ({@link KeyPruning#dataKeysIn})
   */
  public Result without(
      WrittenFile input,
      KeyPruning pruning,
      java.util.Collection<RowKeys.Key> batch,
      String topic,
      int partition)
      throws IOException {
    Set<List<Object>> keys = pruning.dataKeysIn(input, batch);
    if (keys.isEmpty()) {
      return null;
    }
    List<String> keyColumns = pruning.dataColumns();
    io.deltasink.connect.delta.schema.ColumnType[] tableTypes = pruning.dataTypes();
    String decoded = java.net.URI.create(input.path()).getPath();
    String relativePath =
        decoded.substring(0, decoded.lastIndexOf('/') + 1)
            + TopicPartitionWriter.filePrefix(topic, partition)
            + "-u-"
            + UUID.randomUUID()
            + files.settings().fileSuffix();
    Path output = new Path(files.tableRoot(), relativePath);
    long kept = 0;
    long removed = 0;
    boolean done = false;
    try (ParquetFileReader reader = files.open(input)) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      int[] fields = new int[keyColumns.size()];
      PrimitiveType[] types = new PrimitiveType[fields.length];
      for (int i = 0; i < fields.length; i++) {
        if (!schema.containsField(keyColumns.get(i))
            || !schema.getType(keyColumns.get(i)).isPrimitive()) {
          return null; // written before the key column existed: its rows hold no key
        }
        fields[i] = schema.getFieldIndex(keyColumns.get(i));
        types[i] = schema.getType(fields[i]).asPrimitiveType();
      }
      try (ParquetWriter<Group> out = files.openWriter(output, schema)) {
        MessageColumnIO columns = new ColumnIOFactory().getColumnIO(schema);
        PageReadStore rowGroup;
        while ((rowGroup = reader.readNextRowGroup()) != null) {
          RecordReader<Group> records =
              columns.getRecordReader(rowGroup, new DetachedGroups(schema));
          for (long r = rowGroup.getRowCount(); r > 0; r--) {
            Group g = records.read();
            if (keys.contains(keyOf(g, fields, types, tableTypes))) {
              removed++;
            } else {
              out.write(g);
              kept++;
            }
          }
        }
      }
      if (removed == 0) {
        return null;
      }
      if (kept == 0) {
        return new Result(null, 0, removed);
      }
      FileStatus status = output.getFileSystem(files.conf()).getFileStatus(output);
      WrittenFile file =
          new WrittenFile(
              DataFileWriter.encode(relativePath),
              input.partitionValues(),
              status.getLen(),
              status.getModificationTime(),
              kept,
              MergedStats.merge(schema, statsOf(input), new long[] {kept + removed}, kept, false),
              -1,
              -1);
      done = true;
      return new Result(file, kept, removed);
    } finally {
      if (!done) {
        DataFileWriter.deleteQuietly(files.conf(), output);
      }
    }
  }

  /** Deletes a file {@link #without} wrote that no commit references. */
  public void delete(WrittenFile written) {
    DataFileWriter.deleteQuietly(
        files.conf(), new Path(files.tableRoot(), new Path(java.net.URI.create(written.path()))));
  }

  private static List<String> statsOf(WrittenFile input) {
    List<String> stats = new ArrayList<>(1);
    stats.add(input.statsJson());
    return stats;
  }

  private static List<Object> keyOf(
      Group g,
      int[] fields,
      PrimitiveType[] types,
      io.deltasink.connect.delta.schema.ColumnType[] tableTypes) {
    Object[] values = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      values[i] = asTableType(value(g, fields[i], types[i]), types[i], tableTypes[i]);
    }
    return java.util.Arrays.asList(values);
  }

  /**
   * A file's value as the key of the table's column type: a date file column of a column widened to
   * a timestamp holds days, the key microseconds; a string some engine stored without the UTF8
   * annotation is still a string.
   */
  private static Object asTableType(
      Object v, PrimitiveType fileType, io.deltasink.connect.delta.schema.ColumnType tableType) {
    if (v instanceof Long days
        && fileType.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation
        && (tableType == io.deltasink.connect.delta.schema.ColumnType.Primitive.TIMESTAMP_NTZ
            || tableType == io.deltasink.connect.delta.schema.ColumnType.Primitive.TIMESTAMP)) {
      return days * MICROS_PER_DAY;
    }
    if (v instanceof BigDecimal d
        && tableType instanceof io.deltasink.connect.delta.schema.ColumnType.Decimal type) {
      return RowKeys.decimalKey(d, type);
    }
    if (v instanceof ByteBuffer b
        && tableType == io.deltasink.connect.delta.schema.ColumnType.Primitive.STRING) {
      return java.nio.charset.StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }
    return v;
  }

  /**
   * A top-level value of {@code g}, normalized as {@link RowKeys} does except decimals, which are
   * normalized for the table's type ({@link #asTableType}); null when absent.
   */
  static Object value(Group g, int field, PrimitiveType type) {
    if (g.getFieldRepetitionCount(field) == 0) {
      return null;
    }
    LogicalTypeAnnotation ann = type.getLogicalTypeAnnotation();
    int scale =
        ann instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d ? d.getScale() : -1;
    switch (type.getPrimitiveTypeName()) {
      case INT32:
        {
          int v = g.getInteger(field, 0);
          return scale >= 0 ? BigDecimal.valueOf(v, scale) : (Object) (long) v;
        }
      case INT64:
        {
          long v = g.getLong(field, 0);
          if (scale >= 0) {
            return BigDecimal.valueOf(v, scale);
          }
          if (ann instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
            return switch (ts.getUnit()) {
              case MILLIS -> v * 1000;
              case NANOS -> Math.floorDiv(v, 1000L);
              default -> v;
            };
          }
          return v;
        }
      case INT96:
        {
          // Spark's legacy timestamp: nanoseconds of the day, then the Julian day, little-endian.
          ByteBuffer b =
              g.getInt96(field, 0).toByteBuffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
          long nanos = b.getLong();
          long day = b.getInt();
          return (day - JULIAN_DAY_OF_EPOCH) * MICROS_PER_DAY + nanos / 1000;
        }
      case FLOAT:
        return RowKeys.doubleKey(g.getFloat(field, 0));
      case DOUBLE:
        return RowKeys.doubleKey(g.getDouble(field, 0));
      case BOOLEAN:
        return g.getBoolean(field, 0);
      default:
        {
          byte[] bytes = g.getBinary(field, 0).getBytes();
          if (scale >= 0) {
            return new BigDecimal(new BigInteger(bytes), scale);
          }
          if (ann instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
          }
          return ByteBuffer.wrap(bytes);
        }
    }
  }
}
