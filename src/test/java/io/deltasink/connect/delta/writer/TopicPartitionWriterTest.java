package io.deltasink.connect.delta.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.connect.errors.DataException;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicPartitionWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ColumnType.Struct SCHEMA =
      new ColumnType.Struct(
          List.of(
              new Column("city", Primitive.STRING, true),
              new Column("seq", Primitive.LONG, false),
              new Column("temp", new ColumnType.Decimal(9, 2), true),
              new Column("ts", Primitive.TIMESTAMP, true)));
  private final Configuration conf = HadoopConf.build(Map.of());

  @TempDir Path dir;

  private TopicPartitionWriter writer(
      List<String> partitionBy, long targetBytes, CompressionCodecName codec) {
    TableLayout layout =
        new TableLayout(new org.apache.hadoop.fs.Path(dir.toUri()), SCHEMA, partitionBy);
    return new TopicPartitionWriter(
        conf, layout, new WriterSettings(codec, targetBytes, 1 << 20, 64 * 1024), "part-t-0");
  }

  private static Object[] row(String city, long seq) {
    return new Object[] {
      city, seq, new BigDecimal(seq).movePointLeft(2), 1_672_531_200_000_000L + seq * 1000 + 1
    };
  }

  @Test
  void writesReadableParquetWithStatsAndOffsets() throws Exception {
    TopicPartitionWriter w = writer(List.of(), 1L << 30, CompressionCodecName.SNAPPY);
    for (long i = 10; i < 110; i++) {
      w.write(row(i % 2 == 0 ? "Paris" : null, i), i);
    }
    List<WrittenFile> files = w.finishFiles();
    assertThat(files).hasSize(1);
    WrittenFile f = files.get(0);
    assertThat(f.records()).isEqualTo(100);
    assertThat(f.firstOffset()).isEqualTo(10);
    assertThat(f.lastOffset()).isEqualTo(109);
    assertThat(f.path()).startsWith("part-t-0-10-").endsWith(".snappy.parquet");
    assertThat(f.sizeBytes()).isEqualTo(Files.size(dir.resolve(f.path())));

    JsonNode stats = JSON.readTree(f.statsJson());
    assertThat(stats.get("numRecords").asLong()).isEqualTo(100);
    assertThat(stats.at("/minValues/seq").asLong()).isEqualTo(10);
    assertThat(stats.at("/maxValues/seq").asLong()).isEqualTo(109);
    assertThat(stats.at("/minValues/temp").decimalValue()).isEqualByComparingTo("0.10");
    assertThat(stats.at("/maxValues/city").asText()).isEqualTo("Paris");
    assertThat(stats.at("/nullCount/city").asLong()).isEqualTo(50);
    assertThat(stats.at("/minValues/ts").asText()).isEqualTo("2023-01-01T00:00:00.010Z");
    // 109 ms + 1 us: the max rounds up so it stays an upper bound.
    assertThat(stats.at("/maxValues/ts").asText()).isEqualTo("2023-01-01T00:00:00.110Z");

    List<Group> rows = read(dir.resolve(f.path()));
    assertThat(rows).hasSize(100);
    assertThat(rows.get(0).getLong("seq", 0)).isEqualTo(10);
    assertThat(rows.get(0).getString("city", 0)).isEqualTo("Paris");
    assertThat(rows.get(1).getFieldRepetitionCount("city")).isZero();
  }

  /**
   * Issue 12 case 12: Java's UTF-8 encoder writes '?' for an unpaired surrogate. Such a row is
   * rejected before anything of it is written (Parquet cannot take back half a record), naming the
   * column; the rows around it are stored, and no file is left for a rejected first row.
   */
  @Test
  void aStringWithAnUnpairedSurrogateIsRejectedAndNothingOfItIsWritten() throws Exception {
    ColumnType.Struct point =
        new ColumnType.Struct(List.of(new Column("name", Primitive.STRING, true)));
    ColumnType.Struct schema =
        new ColumnType.Struct(
            List.of(
                new Column("city", Primitive.STRING, true),
                new Column("seq", Primitive.LONG, false),
                new Column("tags", new ColumnType.Array(Primitive.STRING, true), true),
                new Column(
                    "attrs",
                    new ColumnType.MapType(Primitive.STRING, Primitive.STRING, true),
                    true),
                new Column("point", point, true)));
    TableLayout layout =
        new TableLayout(new org.apache.hadoop.fs.Path(dir.toUri()), schema, List.of());
    TopicPartitionWriter w =
        new TopicPartitionWriter(
            conf,
            layout,
            new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 64 * 1024),
            "part-t-0");
    Object[][] bad = {
      {"a\uD800", 0L, null, null, null},
      {"ok", 1L, List.of("x", "\uDC00y"), null, null},
      {"ok", 2L, null, Map.of("\uDBFFk", "v"), null},
      {"ok", 3L, null, Map.of("k", "\uD83D"), null},
      {"ok", 4L, null, null, new Object[] {"\uDE00\uD83D"}}
    };
    String[] columns = {"city", "tags[]", "attrs{key}", "attrs{value}", "point.name"};
    for (int i = 0; i < bad.length; i++) {
      Object[] row = bad[i];
      long offset = i;
      assertThatThrownBy(() -> w.write(row, offset))
          .isInstanceOf(DataException.class)
          .hasMessageStartingWith("column '" + columns[i] + "': a text with an unpaired surrogate");
    }
    assertThat(w.records()).isZero();
    assertThat(w.finishFiles()).isEmpty();
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
    }

    String emoji = "\uD83D\uDE00";
    w.write(
        new Object[] {emoji, 5L, List.of(emoji), Map.of(emoji, emoji), new Object[] {emoji}}, 5);
    assertThatThrownBy(() -> w.write(bad[0], 6)).isInstanceOf(DataException.class);
    w.write(new Object[] {"b", 7L, null, null, null}, 7);
    WrittenFile f = w.finishFiles().get(0);
    assertThat(f.records()).isEqualTo(2);
    assertThat(f.firstOffset()).isEqualTo(5);
    List<Group> rows = read(dir.resolve(f.path()));
    assertThat(rows).extracting(g -> g.getString("city", 0)).containsExactly(emoji, "b");
  }

  @Test
  void rotatesFilesAtTargetSize() throws Exception {
    TopicPartitionWriter w = writer(List.of(), 16 * 1024, CompressionCodecName.UNCOMPRESSED);
    for (long i = 0; i < 20_000; i++) {
      w.write(row("city-" + i, i), i);
    }
    List<WrittenFile> files = w.finishFiles();
    assertThat(files.size()).isGreaterThan(3);
    assertThat(files.stream().mapToLong(WrittenFile::records).sum()).isEqualTo(20_000);
    long expectedFirst = 0;
    for (WrittenFile f : files) {
      assertThat(f.firstOffset()).isEqualTo(expectedFirst);
      expectedFirst = f.lastOffset() + 1;
    }
  }

  @Test
  void partitionColumnsGoToDirectoriesNotFiles() throws Exception {
    TopicPartitionWriter w = writer(List.of("city"), 1L << 30, CompressionCodecName.SNAPPY);
    w.write(row("Paris", 1), 1);
    w.write(row("a/b=c", 2), 2);
    w.write(row(null, 3), 3);
    List<WrittenFile> files = w.finishFiles();
    assertThat(files)
        .extracting(WrittenFile::partitionValues)
        .containsExactlyInAnyOrder(
            Map.of("city", "Paris"),
            Map.of("city", "a/b=c"),
            java.util.Collections.singletonMap("city", null));
    assertThat(files)
        .extracting(f -> f.path().substring(0, f.path().indexOf('/')))
        .containsExactlyInAnyOrder(
            "city=Paris", "city=a%252Fb%253Dc", "city=__HIVE_DEFAULT_PARTITION__");
    for (WrittenFile f : files) {
      File onDisk = new File(new java.net.URI("file://" + dir + "/" + f.path()));
      assertThat(onDisk).exists();
      assertThat(read(onDisk.toPath()).get(0).getType().containsField("city")).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"snappy", "zstd", "gzip", "uncompressed"})
  void everyCodecWritesReadableFiles(String codec) throws Exception {
    TopicPartitionWriter w = writer(List.of(), 1L << 30, WriterSettings.codec(codec));
    for (long i = 0; i < 1000; i++) {
      w.write(row("c", i), i);
    }
    WrittenFile f = w.finishFiles().get(0);
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(dir.resolve(f.path()).toUri()), conf))) {
      assertThat(r.getFooter().getBlocks().get(0).getColumns().get(0).getCodec())
          .isEqualTo(WriterSettings.codec(codec));
      assertThat(r.getRecordCount()).isEqualTo(1000);
    }
  }

  @Test
  void abortDeletesEveryUncommittedFile() throws Exception {
    TopicPartitionWriter w = writer(List.of("city"), 1L << 30, CompressionCodecName.SNAPPY);
    w.write(row("A", 1), 1);
    w.finishFiles();
    w.write(row("B", 2), 2);
    w.abort();
    try (Stream<Path> s = Files.walk(dir)) {
      assertThat(s.filter(Files::isRegularFile).toList()).isEmpty();
    }
    assertThat(w.records()).isZero();
    assertThat(w.lastOffset()).isEqualTo(-1);
  }

  private List<Group> read(Path file) throws Exception {
    List<Group> out = new ArrayList<>();
    try (ParquetReader<Group> r =
        ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(conf)
            .build()) {
      for (Group g = r.read(); g != null; g = r.read()) {
        out.add(g);
      }
    }
    return out;
  }

  @Test
  void lowCardinalityColumnsKeepTheirDictionaryAndHighCardinalityOnesFallBackToPlain()
      throws Exception {
    TableLayout layout =
        new TableLayout(new org.apache.hadoop.fs.Path(dir.toUri()), SCHEMA, List.of());
    TopicPartitionWriter w =
        new TopicPartitionWriter(
            conf,
            layout,
            new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 24, 64 * 1024, 4 * 1024),
            "part-t-0");
    for (long i = 0; i < 20_000; i++) {
      // temp: 3 values; city: 2,000 values of 20 bytes, each 10 times (dictionary-worthy, but 40 KB
      // of it)
      w.write(
          new Object[] {
            String.format("station-%012d", i % 2000), i, BigDecimal.valueOf(i % 3), null
          },
          i);
    }
    WrittenFile f = w.finishFiles().get(0);
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(dir.resolve(f.path()).toUri()), conf))) {
      var columns = r.getFooter().getBlocks().get(0).getColumns();
      var temp =
          columns.stream()
              .filter(c -> c.getPath().toDotString().equals("temp"))
              .findFirst()
              .orElseThrow();
      var city =
          columns.stream()
              .filter(c -> c.getPath().toDotString().equals("city"))
              .findFirst()
              .orElseThrow();
      assertThat(temp.hasDictionaryPage()).isTrue();
      assertThat(temp.getEncodings()).doesNotContain(org.apache.parquet.column.Encoding.PLAIN);
      assertThat(city.getEncodings()).contains(org.apache.parquet.column.Encoding.PLAIN);
    }
    assertThat(read(dir.resolve(f.path()))).hasSize(20_000);
  }
}
