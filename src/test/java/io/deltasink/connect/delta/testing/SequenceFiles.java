package io.deltasink.connect.delta.testing;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import io.deltasink.connect.delta.writer.TableLayout;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WriterSettings;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/** Real data files of rows {@code ("c" + i % 3, i)}, written as the sink writes them. */
public final class SequenceFiles {
  /** {@code city} (string), {@code seq} (long, not null). */
  public static final ColumnType.Struct SCHEMA =
      new ColumnType.Struct(
          List.of(
              new Column("city", Primitive.STRING, true),
              new Column("seq", Primitive.LONG, false)));

  private SequenceFiles() {}

  /**
   * Rows for offsets {@code from..to} (inclusive) in closed files under the unpartitioned table.
   */
  public static List<WrittenFile> files(String location, long from, long to) throws IOException {
    return files(location, SCHEMA, from, to, i -> new Object[] {"c" + (i % 3), i});
  }

  /** Rows {@code row.apply(i)} of {@code schema} for offsets {@code from..to}, in closed files. */
  public static List<WrittenFile> files(
      String location,
      ColumnType.Struct schema,
      long from,
      long to,
      java.util.function.LongFunction<Object[]> row)
      throws IOException {
    TopicPartitionWriter w =
        new TopicPartitionWriter(
            HadoopConf.build(Map.of()),
            new TableLayout(new Path(location), schema, List.of()),
            new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 64 * 1024),
            "part-t-" + from);
    for (long i = from; i <= to; i++) {
      w.write(row.apply(i), i);
    }
    return w.finishFiles();
  }
}
