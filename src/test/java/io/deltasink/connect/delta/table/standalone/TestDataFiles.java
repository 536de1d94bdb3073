package io.deltasink.connect.delta.table.standalone;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.writer.TableLayout;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WriterSettings;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/** Real Parquet data files for the backend tests, written as the sink writes them. */
final class TestDataFiles {
  private TestDataFiles() {}

  /** A writer of files named {@code prefix...} into the table at {@code location}. */
  static TopicPartitionWriter writer(
      Configuration conf,
      String location,
      ColumnType.Struct schema,
      List<String> partitionBy,
      String prefix) {
    return new TopicPartitionWriter(
        conf,
        new TableLayout(new Path(location), schema, partitionBy),
        new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 64 * 1024),
        prefix);
  }

  /**
   * Rows {@code ("c" + i % 3, i)} of {@link StandaloneTableLogTest#SCHEMA} at offsets {@code from}
   * to {@code to} (inclusive), in closed files.
   */
  static List<WrittenFile> sequence(
      Configuration conf, String location, String prefix, long from, long to) throws IOException {
    TopicPartitionWriter w =
        writer(conf, location, StandaloneTableLogTest.SCHEMA, List.of(), prefix);
    for (long i = from; i <= to; i++) {
      w.write(new Object[] {"c" + (i % 3), i}, i);
    }
    return w.finishFiles();
  }
}
