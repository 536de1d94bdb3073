package io.deltasink.connect.delta.testing;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads a Delta table back with Delta Kernel, an implementation independent of the Delta Standalone
 * library the connector writes with: what any Delta reader would see.
 */
public final class KernelReader {
  private final Engine engine;
  private final String location;

  public KernelReader(String location) {
    this(location, new Configuration());
  }

  /**
   * Reads with the file systems of {@code conf}, for example a test double for {@code abfss://}.
   */
  public KernelReader(String location, Configuration conf) {
    this.location = location;
    this.engine = DefaultEngine.create(conf);
  }

  public Snapshot snapshot() {
    return Table.forPath(engine, location).getLatestSnapshot(engine);
  }

  /** The latest {@code txn} version for {@code appId}, or -1. */
  public long txnVersion(String appId) {
    return snapshot().getLatestTransactionVersion(engine, appId).orElse(-1L);
  }

  /** Every row of the latest snapshot, partition columns included, as column name to value. */
  public List<Map<String, Object>> rows() {
    Snapshot snapshot = snapshot();
    Scan scan = snapshot.getScanBuilder().build();
    Row scanState = scan.getScanState(engine);
    StructType readSchema = ScanStateRow.getPhysicalDataReadSchema(scanState);
    List<Map<String, Object>> out = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> fileRows = files.next().getRows()) {
          while (fileRows.hasNext()) {
            Row fileRow = fileRows.next();
            FileStatus status = InternalScanFileUtils.getAddFileStatus(fileRow);
            CloseableIterator<ColumnarBatch> physical =
                engine
                    .getParquetHandler()
                    .readParquetFiles(single(status), readSchema, Optional.empty())
                    .map(FileReadResult::getData);
            try (CloseableIterator<FilteredColumnarBatch> data =
                Scan.transformPhysicalData(engine, scanState, fileRow, physical)) {
              while (data.hasNext()) {
                try (CloseableIterator<Row> rows = data.next().getRows()) {
                  while (rows.hasNext()) {
                    out.add(toMap(rows.next()));
                  }
                }
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * The data files (paths relative to the table) a scan with {@code filter} reads: Kernel's
   * partition pruning and data skipping on the files' {@code minValues}/{@code maxValues} drop the
   * others.
   */
  /** The number of live data files in the latest version. */
  public long liveFiles() {
    long n = 0;
    try (CloseableIterator<FilteredColumnarBatch> files =
        snapshot().getScanBuilder().build().getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> rows = files.next().getRows()) {
          while (rows.hasNext()) {
            rows.next();
            n++;
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return n;
  }

  /**
   * The live data files of the latest version: path relative to the table (decoded) to size in
   * bytes.
   */
  public Map<String, Long> liveFileSizes() {
    String root = new org.apache.hadoop.fs.Path(location).toUri().getPath() + "/";
    Map<String, Long> out = new LinkedHashMap<>();
    try (CloseableIterator<FilteredColumnarBatch> files =
        snapshot().getScanBuilder().build().getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> fileRows = files.next().getRows()) {
          while (fileRows.hasNext()) {
            FileStatus status = InternalScanFileUtils.getAddFileStatus(fileRows.next());
            String path = new org.apache.hadoop.fs.Path(status.getPath()).toUri().getPath();
            out.put(path.startsWith(root) ? path.substring(root.length()) : path, status.getSize());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public List<String> filesMatching(Predicate filter) {
    Scan scan = snapshot().getScanBuilder().withFilter(filter).build();
    String root = new org.apache.hadoop.fs.Path(location).toUri().getPath() + "/";
    List<String> out = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> fileRows = files.next().getRows()) {
          while (fileRows.hasNext()) {
            String path =
                new org.apache.hadoop.fs.Path(
                        InternalScanFileUtils.getAddFileStatus(fileRows.next()).getPath())
                    .toUri()
                    .getPath();
            out.add(path.startsWith(root) ? path.substring(root.length()) : path);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static CloseableIterator<FileStatus> single(FileStatus s) {
    return io.delta.kernel.internal.util.Utils.singletonCloseableIterator(s);
  }

  static Map<String, Object> toMap(Row row) {
    Map<String, Object> m = new LinkedHashMap<>();
    StructType schema = row.getSchema();
    for (int i = 0; i < schema.length(); i++) {
      StructField f = schema.at(i);
      m.put(f.getName(), row.isNullAt(i) ? null : value(row, i, f.getDataType()));
    }
    return m;
  }

  private static Object value(Row row, int i, DataType t) {
    if (t instanceof BooleanType) return row.getBoolean(i);
    if (t instanceof ByteType) return row.getByte(i);
    if (t instanceof ShortType) return row.getShort(i);
    if (t instanceof IntegerType || t instanceof DateType) return row.getInt(i);
    if (t instanceof LongType || t instanceof TimestampType || t instanceof TimestampNTZType)
      return row.getLong(i);
    if (t instanceof FloatType) return row.getFloat(i);
    if (t instanceof DoubleType) return row.getDouble(i);
    if (t instanceof StringType) return row.getString(i);
    if (t instanceof BinaryType) return row.getBinary(i);
    if (t instanceof DecimalType) return row.getDecimal(i);
    if (t instanceof StructType) return toMap(row.getStruct(i));
    if (t instanceof ArrayType a)
      return list(row.getArray(i).getElements(), row.getArray(i).getSize(), a.getElementType());
    if (t instanceof MapType mt) {
      MapValue mv = row.getMap(i);
      List<Object> keys = list(mv.getKeys(), mv.getSize(), mt.getKeyType());
      List<Object> values = list(mv.getValues(), mv.getSize(), mt.getValueType());
      Map<Object, Object> out = new LinkedHashMap<>();
      for (int k = 0; k < keys.size(); k++) {
        out.put(keys.get(k), values.get(k));
      }
      return out;
    }
    throw new IllegalArgumentException("unhandled type " + t);
  }

  private static List<Object> list(ColumnVector v, int size, DataType t) {
    List<Object> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(v.isNullAt(i) ? null : vectorValue(v, i, t));
    }
    return out;
  }

  private static Object vectorValue(ColumnVector v, int i, DataType t) {
    if (t instanceof BooleanType) return v.getBoolean(i);
    if (t instanceof ByteType) return v.getByte(i);
    if (t instanceof ShortType) return v.getShort(i);
    if (t instanceof IntegerType || t instanceof DateType) return v.getInt(i);
    if (t instanceof LongType || t instanceof TimestampType || t instanceof TimestampNTZType)
      return v.getLong(i);
    if (t instanceof FloatType) return v.getFloat(i);
    if (t instanceof DoubleType) return v.getDouble(i);
    if (t instanceof StringType) return v.getString(i);
    if (t instanceof BinaryType) return v.getBinary(i);
    if (t instanceof DecimalType) return v.getDecimal(i);
    if (t instanceof StructType st) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int c = 0; c < st.length(); c++) {
        ColumnVector child = v.getChild(c);
        m.put(
            st.at(c).getName(),
            child.isNullAt(i) ? null : vectorValue(child, i, st.at(c).getDataType()));
      }
      return m;
    }
    if (t instanceof ArrayType a) {
      ArrayValue av = v.getArray(i);
      return list(av.getElements(), av.getSize(), a.getElementType());
    }
    throw new IllegalArgumentException("unhandled element type " + t);
  }
}
