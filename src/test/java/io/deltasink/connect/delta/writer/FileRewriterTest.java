package io.deltasink.connect.delta.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copy-on-write of real data files: the rows of matched keys left out, the others kept as is. */
class FileRewriterTest {
  private static final ColumnType.Struct SCHEMA = KeyPruningTest.SCHEMA;
  private static final long HOUR = KeyPruningTest.HOUR;
  private static final WriterSettings SETTINGS =
      new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 64 * 1024);

  @TempDir Path dir;
  private final Configuration conf = HadoopConf.build(Map.of());

  private WrittenFile file() throws Exception {
    TopicPartitionWriter w =
        new TopicPartitionWriter(
            conf,
            new TableLayout(new org.apache.hadoop.fs.Path(dir.toUri()), SCHEMA, List.of("city")),
            SETTINGS,
            "part-t-0");
    for (long h = 0; h < 24; h++) {
      w.write(new Object[] {"São Paulo", new BigDecimal("-23.5"), h * HOUR, h * 0.5, null}, h);
    }
    return w.finishFiles().get(0);
  }

  private FileRewriter rewriter() {
    return new FileRewriter(
        new FileCompactor(conf, new org.apache.hadoop.fs.Path(dir.toUri()), SETTINGS, 1 << 20));
  }

  private List<Group> rows(WrittenFile f) throws Exception {
    FileCompactor io =
        new FileCompactor(conf, new org.apache.hadoop.fs.Path(dir.toUri()), SETTINGS, 1 << 20);
    List<Group> out = new ArrayList<>();
    try (ParquetFileReader reader = io.open(f)) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      PageReadStore rg;
      while ((rg = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records =
            new ColumnIOFactory()
                .getColumnIO(schema)
                .getRecordReader(rg, new DetachedGroups(schema));
        for (long r = rg.getRowCount(); r > 0; r--) {
          out.add(records.read());
        }
      }
    }
    return out;
  }

  private static final RowKeys KEYS = new RowKeys(SCHEMA, List.of("city", "latitude", "time"));
  private static final KeyPruning PRUNING = new KeyPruning(SCHEMA, List.of("city"), KEYS);

  private static List<RowKeys.Key> keys(String city, long... hours) {
    List<RowKeys.Key> out = new ArrayList<>();
    for (long h : hours) {
      // -23.500000 and -23.5 are one key.
      out.add(KEYS.keyOf(new Object[] {city, new BigDecimal("-23.500000"), h * HOUR, null, null}));
    }
    return out;
  }

  @Test
  void theMatchedRowsAreLeftOutAndTheOthersKept() throws Exception {
    WrittenFile input = file();
    FileRewriter.Result r =
        rewriter().without(input, PRUNING, keys("São Paulo", 0, 5, 23, 99), "temps", 3);
    assertThat(r.removed()).isEqualTo(3);
    assertThat(r.kept()).isEqualTo(21);
    WrittenFile out = r.file();
    assertThat(out.partitionValues()).isEqualTo(input.partitionValues());
    assertThat(out.path())
        .startsWith(input.path().substring(0, input.path().indexOf('/') + 1) + "part-temps-3-u-");
    assertThat(out.records()).isEqualTo(21);
    assertThat(out.statsJson())
        .contains("\"numRecords\":21")
        .contains("minValues")
        .doesNotContain("nullCount");
    List<Group> rows = rows(out);
    assertThat(rows).hasSize(21);
    assertThat(rows.stream().map(g -> g.getLong("time", 0) / HOUR))
        .doesNotContain(0L, 5L, 23L)
        .contains(1L, 22L);
    assertThat(rows.get(0).getDouble("temperature", 0)).isEqualTo(0.5);
  }

  @Test
  void noMatchLeavesTheFileAndEveryMatchLeavesNothing() throws Exception {
    WrittenFile input = file();
    assertThat(rewriter().without(input, PRUNING, keys("São Paulo", 99), "temps", 3)).isNull();
    // The same latitude and hours in another partition are another key.
    assertThat(rewriter().without(input, PRUNING, keys("Paris", 0, 5), "temps", 3)).isNull();
    long[] all = new long[24];
    for (int h = 0; h < 24; h++) {
      all[h] = h;
    }
    FileRewriter.Result r = rewriter().without(input, PRUNING, keys("São Paulo", all), "temps", 3);
    assertThat(r.file()).isNull();
    assertThat(r.removed()).isEqualTo(24);
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().contains("-u-"))).isEmpty();
    }
  }

  /** A file written before the key column was added holds no key: it stays. */
  @Test
  void aFileWithoutAKeyColumnStays() throws Exception {
    WrittenFile input = file();
    ColumnType.Struct wider =
        new ColumnType.Struct(
            java.util.stream.Stream.concat(
                    SCHEMA.fields().stream(),
                    Stream.of(
                        new io.deltasink.connect.delta.schema.Column(
                            "id",
                            io.deltasink.connect.delta.schema.ColumnType.Primitive.LONG,
                            true)))
                .toList());
    RowKeys byId = new RowKeys(wider, List.of("id"));
    KeyPruning pruning = new KeyPruning(wider, List.of("city"), byId);
    assertThat(
            rewriter()
                .without(
                    input,
                    pruning,
                    List.of(byId.keyOf(new Object[] {"São Paulo", null, null, null, null, 7L})),
                    "temps",
                    3))
        .isNull();
  }
}
