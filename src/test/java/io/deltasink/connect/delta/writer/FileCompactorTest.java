package io.deltasink.connect.delta.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.mapping.IngestionMapping;
import io.deltasink.connect.delta.mapping.KustoJsonConverter;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.standalone.StandaloneTableLog;
import io.deltasink.connect.delta.testing.FaultyFileSystem;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SampleData;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FileCompactorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMOJI = "\uD83D\uDE00";

  /** A partition value that needs Hive escaping and URI encoding: space, colon, percent. */
  private static final String ODD_CITY = "Saint Denis: 50%";

  private static final ColumnType.Struct INNER =
      new ColumnType.Struct(List.of(new Column("n", Primitive.INTEGER, true)));
  private static final ColumnType.Struct POINT =
      new ColumnType.Struct(
          List.of(
              new Column("x", Primitive.DOUBLE, true),
              new Column("label", Primitive.STRING, true),
              new Column("inner", INNER, true)));
  private static final ColumnType.Struct SCHEMA =
      new ColumnType.Struct(
          List.of(
              new Column("city", Primitive.STRING, true),
              new Column("seq", Primitive.LONG, false),
              new Column("name", Primitive.STRING, true),
              new Column("b", Primitive.BYTE, true),
              new Column("s", Primitive.SHORT, true),
              new Column("i", Primitive.INTEGER, true),
              new Column("f", Primitive.FLOAT, true),
              new Column("d", Primitive.DOUBLE, true),
              new Column("temp", new ColumnType.Decimal(9, 2), true),
              new Column("big", new ColumnType.Decimal(38, 18), true),
              new Column("day", Primitive.DATE, true),
              new Column("ts", Primitive.TIMESTAMP, true),
              new Column("flag", Primitive.BOOLEAN, true),
              new Column("raw", Primitive.BINARY, true),
              new Column("point", POINT, true),
              new Column("tags", new ColumnType.Array(Primitive.STRING, true), true),
              new Column(
                  "attrs", new ColumnType.MapType(Primitive.STRING, Primitive.LONG, true), true),
              new Column("sparse", Primitive.STRING, true)));
  private static final List<String> CITIES = Arrays.asList("Paris", ODD_CITY, null);

  /** Small row groups and pages, so that inputs and output have several of each. */
  private static final WriterSettings SETTINGS =
      new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 8 * 1024, 2 * 1024);

  private final Configuration conf = HadoopConf.build(Map.of());

  @TempDir Path dir;

  private org.apache.hadoop.fs.Path root() {
    return new org.apache.hadoop.fs.Path(dir.resolve("table").toUri());
  }

  /**
   * Row {@code seq} of input file {@code file}: every type the sink writes, nulls at every level,
   * strings longer than FileStats keeps (Paris only), a NaN (one file of {@link #ODD_CITY} only),
   * -0.0 and infinity, dates and timestamps before year 1 and after 9999, and a column ({@code
   * sparse}) that is null in every row of the first file.
   */
  private static Object[] row(int file, long seq) {
    String city = CITIES.get((int) (seq % 3));
    int k = (int) seq;
    String name =
        k % 7 == 0
            ? null
            : "Paris".equals(city) && file == 2 && k % 5 == 0
                ? "a long name that FileStats cuts to a prefix " + k
                : (k % 11 == 0 ? EMOJI : "") + "n" + (k * 37 % 101);
    double d = ODD_CITY.equals(city) && file == 1 && k % 13 == 0 ? Double.NaN : k * 0.25 - 40;
    float f = k % 17 == 0 ? -0.0f : k % 19 == 0 ? Float.POSITIVE_INFINITY : k % 23 == 0 ? 0.0f : k;
    Object[] inner = k % 4 == 0 ? null : new Object[] {k % 6 == 0 ? null : k * 3};
    Object[] point =
        k % 9 == 0 ? null : new Object[] {k % 2 == 0 ? null : k / 3.0, "p" + (k % 29), inner};
    List<String> tags =
        k % 8 == 0 ? null : k % 8 == 1 ? List.of() : Arrays.asList("t" + (k % 3), null);
    Map<String, Long> attrs = new LinkedHashMap<>();
    attrs.put("k" + (k % 4), k % 3 == 0 ? null : (long) k);
    return new Object[] {
      city,
      seq,
      name,
      k % 10 == 0 ? null : (byte) (k % 200 - 100),
      (short) (k * 7 % 30_000 - 15_000),
      k % 12 == 0 ? null : k * 1_000 - 500_000,
      f,
      d,
      new BigDecimal(k * 3 - 400).movePointLeft(2),
      k % 6 == 0 ? new BigDecimal("1E-7") : new BigDecimal(k).movePointLeft(18).negate(),
      k % 50 == 0 ? -720_000 : k % 51 == 0 ? 2_932_897 : 19_000 + k,
      k % 40 == 0 ? -62_167_219_200_000_000L : 1_672_531_200_000_001L + k * 1_234_567L,
      k % 5 == 0 ? null : k % 2 == 0,
      k % 6 == 1 ? null : new byte[] {(byte) k, 0, (byte) -k},
      point,
      tags,
      attrs,
      file == 0 || k % 4 == 0 ? null : "s" + (k % 10)
    };
  }

  /** Writes {@code files} files of {@code rowsPerFile} rows each, every one over all cities. */
  private List<WrittenFile> writeInputs(int files, int rowsPerFile) throws IOException {
    List<WrittenFile> out = new ArrayList<>();
    for (int file = 0; file < files; file++) {
      TopicPartitionWriter w = writer(root(), SCHEMA);
      for (long seq = (long) file * rowsPerFile; seq < (long) (file + 1) * rowsPerFile; seq++) {
        w.write(row(file, seq), seq);
      }
      out.addAll(w.finishFiles());
    }
    return out;
  }

  private TopicPartitionWriter writer(
      org.apache.hadoop.fs.Path location, ColumnType.Struct schema) {
    return new TopicPartitionWriter(
        conf, new TableLayout(location, schema, List.of("city")), SETTINGS, "part-t-0");
  }

  private static Map<Map<String, String>, List<WrittenFile>> byPartition(List<WrittenFile> files) {
    Map<Map<String, String>, List<WrittenFile>> out = new LinkedHashMap<>();
    for (WrittenFile f : files) {
      out.computeIfAbsent(f.partitionValues(), k -> new ArrayList<>()).add(f);
    }
    return out;
  }

  private FileCompactor compactor(org.apache.hadoop.fs.Path location) {
    return new FileCompactor(conf, location, SETTINGS, 16 * 1024);
  }

  @Test
  void rewritesEveryRowOnceWithTheStatsFileStatsWouldWrite() throws Exception {
    List<WrittenFile> inputs = writeInputs(4, 600);
    // The same rows in one file per partition, written as the sink writes: the expected stats.
    org.apache.hadoop.fs.Path single = new org.apache.hadoop.fs.Path(dir.resolve("one").toUri());
    TopicPartitionWriter all = writer(single, SCHEMA);
    for (int file = 0; file < 4; file++) {
      for (long seq = file * 600L; seq < (file + 1) * 600L; seq++) {
        all.write(row(file, seq), seq);
      }
    }
    Map<Map<String, String>, List<WrittenFile>> expected = byPartition(all.finishFiles());

    Map<Map<String, String>, List<WrittenFile>> partitions = byPartition(inputs);
    assertThat(partitions).hasSize(3);
    for (List<WrittenFile> group : partitions.values()) {
      assertThat(group).hasSize(4);
      WrittenFile out = compactor(root()).compact(group, "temperatures", 7);

      String directory = group.get(0).path().substring(0, group.get(0).path().lastIndexOf('/') + 1);
      assertThat(out.path())
          .startsWith(directory)
          .matches(".*/part-temperatures-7-c-[0-9a-f-]{36}\\.snappy\\.parquet");
      assertThat(out.partitionValues()).isEqualTo(group.get(0).partitionValues());
      assertThat(out.records()).isEqualTo(group.stream().mapToLong(WrittenFile::records).sum());
      assertThat(out.firstOffset()).isEqualTo(-1);
      assertThat(out.lastOffset()).isEqualTo(-1);
      Path onDisk = local(root(), out);
      assertThat(out.sizeBytes()).isEqualTo(Files.size(onDisk));
      assertThat(onDisk.getParent()).isEqualTo(local(root(), group.get(0)).getParent());
      assertThat(rowGroups(onDisk)).isGreaterThan(1);

      List<String> inputRows = new ArrayList<>();
      for (WrittenFile in : group) {
        inputRows.addAll(rows(local(root(), in)));
      }
      assertThat(inputRows).hasSize(800).doesNotHaveDuplicates();
      assertThat(rows(onDisk)).containsExactlyElementsOf(inputRows);

      WrittenFile reference = expected.get(out.partitionValues()).get(0);
      assertThat(JSON.readTree(out.statsJson())).isEqualTo(JSON.readTree(reference.statsJson()));
    }

    // The cases the merge must get right are in the data, not skipped.
    JsonNode paris = stats(partitions, "Paris");
    assertThat(paris.at("/minValues/name").isTextual()).isTrue();
    assertThat(paris.at("/maxValues/name").isMissingNode()).isTrue();
    assertThat(paris.at("/minValues/day").asText())
        .isEqualTo(java.time.LocalDate.ofEpochDay(-720_000).toString());
    assertThat(paris.at("/maxValues/ts").asText()).startsWith("2023-");
    assertThat(paris.at("/maxValues/day").asText()).isEqualTo("+10000-01-01");
    assertThat(paris.at("/minValues/sparse").isTextual()).isTrue();
    assertThat(paris.at("/minValues/point/inner/n").isInt()).isTrue();
    JsonNode odd = stats(partitions, ODD_CITY);
    assertThat(odd.at("/minValues/d").isMissingNode()).isTrue();
    assertThat(odd.at("/maxValues/name").isTextual()).isTrue();
    assertThat(odd.at("/maxValues/f").asText()).isEqualTo("Infinity");
    assertThat(odd.at("/minValues/big").decimalValue())
        .isEqualByComparingTo("-0.000000000000002398");
  }

  /** The stats of one compaction of {@code city}'s files, done again (compaction is repeatable). */
  private JsonNode stats(Map<Map<String, String>, List<WrittenFile>> partitions, String city)
      throws IOException {
    return JSON.readTree(
        compactor(root()).compact(partitions.get(Map.of("city", city)), "t", 0).statsJson());
  }

  /**
   * The new file uses the settings' codec and file suffix; the reader needs none of the jars the
   * connector does not bundle (commons-pool, aircompressor are not on the test class path either).
   */
  @ParameterizedTest
  @EnumSource(
      value = CompressionCodecName.class,
      names = {"SNAPPY", "ZSTD", "GZIP", "UNCOMPRESSED"})
  void writesWithTheSettingsCodecAndSuffix(CompressionCodecName codec) throws Exception {
    WriterSettings settings = new WriterSettings(codec, 1L << 30, 8 * 1024, 2 * 1024);
    List<WrittenFile> group = new ArrayList<>();
    for (int file = 0; file < 2; file++) {
      TopicPartitionWriter w =
          new TopicPartitionWriter(
              conf, new TableLayout(root(), SCHEMA, List.of("city")), settings, "part-t-0");
      for (long seq = file * 90L; seq < (file + 1) * 90L; seq += 3) {
        w.write(row(file, seq), seq);
      }
      group.addAll(w.finishFiles());
    }
    WrittenFile out = new FileCompactor(conf, root(), settings, 16 * 1024).compact(group, "t", 1);
    assertThat(out.path()).endsWith(codec.getExtension() + ".parquet");
    assertThat(out.records()).isEqualTo(60);
    Path onDisk = local(root(), out);
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(onDisk.toUri()), conf))) {
      assertThat(r.getFooter().getBlocks())
          .allSatisfy(
              b ->
                  assertThat(b.getColumns())
                      .allSatisfy(c -> assertThat(c.getCodec()).isEqualTo(codec)));
    }
    List<String> inputRows = new ArrayList<>(rows(local(root(), group.get(0))));
    inputRows.addAll(rows(local(root(), group.get(1))));
    assertThat(rows(onDisk)).containsExactlyElementsOf(inputRows);
  }

  @Test
  void filesOfAnotherSchemaAreRejectedByNameAndNothingIsLeft() throws Exception {
    List<WrittenFile> inputs = writeInputs(1, 30);
    List<Column> wider = new ArrayList<>(SCHEMA.fields());
    wider.add(new Column("extra", Primitive.LONG, true));
    TopicPartitionWriter w = writer(root(), new ColumnType.Struct(wider));
    Object[] row = Arrays.copyOf(row(1, 30), wider.size());
    row[wider.size() - 1] = 5L;
    w.write(row, 30);
    WrittenFile other = w.finishFiles().get(0);
    WrittenFile first = byPartition(inputs).get(other.partitionValues()).get(0);
    Path partitionDir = local(root(), first).getParent();
    List<Path> before = listing(partitionDir);

    assertThatThrownBy(() -> compactor(root()).compact(List.of(first, other), "t", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different schemas")
        .hasMessageContaining(name(first))
        .hasMessageContaining(name(other));
    assertThat(listing(partitionDir)).isEqualTo(before);
  }

  /** A file that holds fewer rows than the log says fails the rewrite: no row may be lost. */
  @Test
  void aRowCountThatDiffersFromTheLogFailsAndNothingIsLeft() throws Exception {
    List<WrittenFile> group = byPartition(writeInputs(3, 60)).get(Map.of("city", "Paris"));
    WrittenFile in = group.get(1);
    WrittenFile claimsMore =
        new WrittenFile(
            in.path(),
            in.partitionValues(),
            in.sizeBytes(),
            in.modificationTimeMs(),
            in.records() + 1,
            in.statsJson(),
            -1,
            -1);
    Path partitionDir = local(root(), in).getParent();
    List<Path> before = listing(partitionDir);

    assertThatThrownBy(
            () ->
                compactor(root()).compact(List.of(group.get(0), claimsMore, group.get(2)), "t", 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(name(in) + " holds 20 rows, but the table log says 21");
    assertThat(listing(partitionDir)).isEqualTo(before);

    // Unknown counts (-1) fall back to the stats' numRecords, which are checked the same way.
    WrittenFile statsClaimMore =
        new WrittenFile(
            in.path(),
            in.partitionValues(),
            in.sizeBytes(),
            in.modificationTimeMs(),
            -1,
            in.statsJson().replace("\"numRecords\":20", "\"numRecords\":19"),
            -1,
            -1);
    assertThatThrownBy(
            () -> compactor(root()).compact(List.of(group.get(0), statsClaimMore), "t", 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("says 19");
    assertThat(listing(partitionDir)).isEqualTo(before);
  }

  /**
   * Inputs without counts or stats are still copied whole; the result counts what it copied and has
   * no min/max it cannot know.
   */
  @Test
  void inputsWithoutCountsOrStatsAreCopiedAndCounted() throws Exception {
    List<WrittenFile> group = byPartition(writeInputs(2, 30)).get(Map.of("city", "Paris"));
    WrittenFile bare = group.get(1);
    bare =
        new WrittenFile(bare.path(), bare.partitionValues(), bare.sizeBytes(), 0, -1, null, -1, -1);
    WrittenFile out = compactor(root()).compact(List.of(group.get(0), bare), "t", 0);
    assertThat(out.records()).isEqualTo(20);
    assertThat(JSON.readTree(out.statsJson())).isEqualTo(JSON.readTree("{\"numRecords\":20}"));
    assertThat(rows(local(root(), out))).hasSize(20);
  }

  @Test
  void aStorageFailureDeletesTheNewFileAndKeepsPartitionValuesOutOfTheError() throws Exception {
    List<WrittenFile> group = byPartition(writeInputs(2, 300)).get(Map.of("city", ODD_CITY));
    Configuration faulty = new Configuration(conf);
    faulty.set("fs.faulty.impl", FaultyFileSystem.class.getName());
    faulty.setBoolean("fs.faulty.impl.disable.cache", true);
    org.apache.hadoop.fs.Path location =
        new org.apache.hadoop.fs.Path("faulty://" + root().toUri().getPath());
    Path partitionDir = local(root(), group.get(0)).getParent();
    List<Path> before = listing(partitionDir);
    FaultyFileSystem.reset();
    try {
      FaultyFileSystem.WRITE_FAILURES.set(1);
      assertThatThrownBy(
              () -> new FileCompactor(faulty, location, SETTINGS, 16 * 1024).compact(group, "t", 0))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("injected fault")
          .hasMessageContaining("city=*/")
          .hasMessageNotContaining("Saint")
          .hasMessageNotContaining("Denis");
      assertThat(FaultyFileSystem.INJECTED.get()).isPositive();
    } finally {
      FaultyFileSystem.reset();
    }
    assertThat(listing(partitionDir)).isEqualTo(before);
  }

  @Test
  void inputsOfSeveralPartitionsOrAbsolutePathsAreRejected() throws Exception {
    Map<Map<String, String>, List<WrittenFile>> partitions = byPartition(writeInputs(1, 30));
    WrittenFile paris = partitions.get(Map.of("city", "Paris")).get(0);
    WrittenFile odd = partitions.get(Map.of("city", ODD_CITY)).get(0);
    assertThatThrownBy(() -> compactor(root()).compact(List.of(paris, odd), "t", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different partitions")
        .hasMessageNotContaining("Saint");
    assertThatThrownBy(() -> compactor(root()).compact(List.of(paris), "t", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least two");
    WrittenFile absolute =
        new WrittenFile(
            local(root(), paris).toUri().toString(),
            paris.partitionValues(),
            paris.sizeBytes(),
            0,
            -1,
            null,
            -1,
            -1);
    assertThatThrownBy(() -> compactor(root()).compact(List.of(paris, absolute), "t", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absolute path");
  }

  /**
   * The Open-Meteo sample written as the sink writes it with the original Kusto mapping, in 20
   * small files per latitude, compacted into one file per latitude: a Delta table holding only the
   * compacted files has every message, and their stats are what FileStats computes for the same
   * rows.
   */
  @Test
  void openMeteoTemperaturesSurviveCompactionIntoADeltaTable() throws Exception {
    KustoJsonConverter converter =
        new KustoJsonConverter(
            IngestionMapping.parse("m", SampleData.MAPPING_COMMAND),
            new KafkaColumns(List.of()),
            64);
    List<String> lines = SampleData.temperatureLines();
    ColumnType.Struct schema = null;
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      SinkRecord r = new SinkRecord("temperatures", 0, null, null, null, lines.get(i), i);
      schema = schema == null ? converter.schemaFor(r) : schema;
      rows.add(converter.toRow(r, schema));
    }
    String location = dir.resolve("temperatures").toUri().toString();
    TableLayout layout =
        new TableLayout(new org.apache.hadoop.fs.Path(location), schema, List.of("latitude"));
    List<WrittenFile> inputs = new ArrayList<>();
    // The sample is sorted by city: every 20th message per file gives each file all six.
    for (int file = 0; file < 20; file++) {
      TopicPartitionWriter w =
          new TopicPartitionWriter(conf, layout, SETTINGS, "part-temperatures-0");
      for (int i = file; i < rows.size(); i += 20) {
        w.write(rows.get(i), i);
      }
      inputs.addAll(w.finishFiles());
    }
    org.apache.hadoop.fs.Path other = new org.apache.hadoop.fs.Path(dir.resolve("one").toUri());
    TopicPartitionWriter one =
        new TopicPartitionWriter(
            conf, new TableLayout(other, schema, List.of("latitude")), SETTINGS, "part-x-0");
    for (int i = 0; i < rows.size(); i++) {
      one.write(rows.get(i), i);
    }
    Map<Map<String, String>, List<WrittenFile>> expected = byPartition(one.finishFiles());

    List<WrittenFile> compacted = new ArrayList<>();
    Map<Map<String, String>, List<WrittenFile>> partitions = byPartition(inputs);
    assertThat(partitions).hasSize(6);
    FileCompactor compactor =
        new FileCompactor(conf, new org.apache.hadoop.fs.Path(location), SETTINGS, 64 * 1024);
    for (List<WrittenFile> group : partitions.values()) {
      assertThat(group).hasSize(20);
      WrittenFile out = compactor.compact(group, "temperatures", 0);
      assertThat(JSON.readTree(out.statsJson()))
          .isEqualTo(JSON.readTree(expected.get(out.partitionValues()).get(0).statsJson()));
      compacted.add(out);
    }

    try (StandaloneTableLog table =
        new StandaloneTableLog(location, conf, "temperatures", "test/1", 3, 1, ms -> {})) {
      table.commit(
          schema,
          List.of("latitude"),
          List.of(new PartitionCommit("app/temperatures/0", -1, 0, compacted)));
    }
    SampleData.assertTemperatureRows("compacted", new KernelReader(location).rows());
  }

  private static Path local(org.apache.hadoop.fs.Path root, WrittenFile f) {
    return Path.of(
        new org.apache.hadoop.fs.Path(root, new org.apache.hadoop.fs.Path(URI.create(f.path())))
            .toUri());
  }

  private static String name(WrittenFile f) {
    return f.path().substring(f.path().lastIndexOf('/') + 1);
  }

  private static List<Path> listing(Path directory) throws IOException {
    try (Stream<Path> s = Files.list(directory)) {
      return s.sorted().toList();
    }
  }

  private int rowGroups(Path file) throws IOException {
    try (ParquetFileReader r =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf))) {
      return r.getFooter().getBlocks().size();
    }
  }

  /** The file's rows, each as text that holds every value exactly (binaries in hex). */
  private List<String> rows(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    try (ParquetReader<Group> r =
        ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(conf)
            .build()) {
      for (Group g = r.read(); g != null; g = r.read()) {
        out.add(canonical(g));
      }
    }
    return out;
  }

  private static String canonical(Group g) {
    StringBuilder sb = new StringBuilder("{");
    GroupType type = g.getType();
    for (int f = 0; f < type.getFieldCount(); f++) {
      sb.append(type.getFieldName(f)).append("=[");
      for (int r = 0; r < g.getFieldRepetitionCount(f); r++) {
        if (!type.getType(f).isPrimitive()) {
          sb.append(canonical(g.getGroup(f, r)));
        } else if (type.getType(f).asPrimitiveType().getPrimitiveTypeName()
                == PrimitiveTypeName.BINARY
            || type.getType(f).asPrimitiveType().getPrimitiveTypeName()
                == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) {
          sb.append(HexFormat.of().formatHex(g.getBinary(f, r).getBytes()));
        } else {
          sb.append(g.getValueToString(f, r));
        }
        sb.append(';');
      }
      sb.append("] ");
    }
    return sb.append('}').toString();
  }
}
