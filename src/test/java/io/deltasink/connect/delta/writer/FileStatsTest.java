package io.deltasink.connect.delta.writer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.standalone.StandaloneTableLog;
import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileStatsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ColumnType.Struct SCHEMA =
      new ColumnType.Struct(
          List.of(new Column("s", Primitive.STRING, true), new Column("n", Primitive.LONG, true)));

  /**
   * U+FFFD: UTF-16 0xFFFD sorts after every surrogate, UTF-8 EF BF BD before every 4-byte sequence.
   */
  private static final String REPLACEMENT = "\uFFFD";

  private static final String PRIVATE_USE = "\uE000";

  /** U+1F600, UTF-16 D83D DE00, UTF-8 F0 9F 98 80. */
  private static final String EMOJI = "\uD83D\uDE00";

  @TempDir Path dir;

  private static JsonNode stats(String... values) throws Exception {
    FileStats stats = new FileStats(SCHEMA.fields(), new int[] {0, 1});
    for (String v : values) {
      stats.add(new Object[] {v, 1L});
    }
    return JSON.readTree(stats.toJson());
  }

  private static final Comparator<String> UTF8 =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  @Test
  void stringMinAndMaxFollowUtf8ByteOrderNotUtf16() throws Exception {
    JsonNode stats = stats(REPLACEMENT, EMOJI, PRIVATE_USE);
    assertThat(stats.at("/minValues/s").textValue()).isEqualTo(PRIVATE_USE);
    assertThat(stats.at("/maxValues/s").textValue()).isEqualTo(EMOJI);
    assertThat(UTF8.compare(PRIVATE_USE, REPLACEMENT)).isNegative();
    assertThat(UTF8.compare(REPLACEMENT, EMOJI)).isNegative();

    JsonNode prefixes = stats("a\uFFFF", "a" + EMOJI, "a\uE000");
    assertThat(prefixes.at("/minValues/s").textValue()).isEqualTo("a\uE000");
    assertThat(prefixes.at("/maxValues/s").textValue()).isEqualTo("a" + EMOJI);
  }

  @Test
  void theComparisonAgreesWithUnsignedUtf8BytesOnRandomStrings() {
    // Chars from the ranges where UTF-16 and UTF-8 orders differ, as valid (paired) strings.
    String[] pieces = {
      "a",
      "z",
      "\u00E9",
      "\u07FF",
      "\u0800",
      "\uD7FF",
      PRIVATE_USE,
      REPLACEMENT,
      "\uFFFF",
      "\uD800\uDC00",
      EMOJI,
      "\uDBFF\uDFFF"
    };
    java.util.Random random = new java.util.Random(12);
    for (int i = 0; i < 20_000; i++) {
      String a = randomString(random, pieces);
      String b = randomString(random, pieces);
      assertThat(Integer.signum(FileStats.compareUtf8(a, b)))
          .as("%s vs %s", a, b)
          .isEqualTo(Integer.signum(UTF8.compare(a, b)));
    }
  }

  private static String randomString(java.util.Random random, String[] pieces) {
    StringBuilder sb = new StringBuilder();
    for (int n = random.nextInt(4); n >= 0; n--) {
      sb.append(pieces[random.nextInt(pieces.length)]);
    }
    return sb.toString();
  }

  /**
   * A long string keeps a prefix of {@value FileStats#MAX_STRING_STAT} characters as its minimum,
   * cut before a surrogate pair rather than through it, and no maximum (a prefix is no upper
   * bound).
   */
  @ParameterizedTest
  @ValueSource(ints = {30, 31, 32})
  void aLongStringKeepsAWholeCodePointPrefixAsMinimumAndNoMaximum(int before) throws Exception {
    String longValue = "b".repeat(before) + EMOJI + "z".repeat(10);
    JsonNode stats = stats(longValue, "c");
    String min = stats.at("/minValues/s").textValue();
    assertThat(min).isEqualTo(longValue.substring(0, before == 31 ? 31 : 32));
    assertThat(min.codePoints().allMatch(Character::isValidCodePoint)).isTrue();
    assertThat(Character.isHighSurrogate(min.charAt(min.length() - 1))).isFalse();
    assertThat(UTF8.compare(min, longValue)).isNegative();
    assertThat(stats.at("/maxValues/s").isMissingNode()).isTrue();
    assertThat(stats.at("/nullCount/s").asLong()).isZero();
  }

  @Test
  void timestampStatsBeforeYearOneUseTheProlepticYear() throws Exception {
    ColumnType.Struct schema =
        new ColumnType.Struct(List.of(new Column("ts", Primitive.TIMESTAMP, true)));
    FileStats stats = new FileStats(schema.fields(), new int[] {0});
    stats.add(new Object[] {-62_167_219_200_000_000L}); // 0000-01-01T00:00:00Z
    stats.add(new Object[] {1_672_531_200_000_001L});
    JsonNode json = JSON.readTree(stats.toJson());
    assertThat(json.at("/minValues/ts").textValue()).isEqualTo("0000-01-01T00:00:00.000Z");
    assertThat(json.at("/maxValues/ts").textValue()).isEqualTo("2023-01-01T00:00:00.001Z");
  }

  /**
   * What a reader does with the stats: Delta Kernel's data skipping must not drop a file that
   * matches.
   */
  @Test
  void dataSkippingKeepsTheFileThatHoldsTheValue() throws Exception {
    String location = dir.toUri().toString();
    WrittenFile mixed = file(location, 0, REPLACEMENT, EMOJI);
    WrittenFile ascii = file(location, 10, "a", "b");
    try (StandaloneTableLog table =
        new StandaloneTableLog(
            location, HadoopConf.build(Map.of()), "t", "test/1", 3, 1, ms -> {})) {
      table.commit(
          SCHEMA,
          List.of(),
          List.of(new PartitionCommit("app/t/0", -1, 11, List.of(mixed, ascii))));
    }
    KernelReader reader = new KernelReader(location);
    assertThat(reader.filesMatching(equalTo(REPLACEMENT))).containsExactly(mixed.path());
    assertThat(reader.filesMatching(equalTo(EMOJI))).containsExactly(mixed.path());
    assertThat(reader.filesMatching(equalTo("a"))).containsExactly(ascii.path());
    assertThat(reader.filesMatching(equalTo(PRIVATE_USE))).isEmpty();
  }

  private static Predicate equalTo(String value) {
    return new Predicate("=", new io.delta.kernel.expressions.Column("s"), Literal.ofString(value));
  }

  private WrittenFile file(String location, long offset, String... values) throws Exception {
    TableLayout layout =
        new TableLayout(new org.apache.hadoop.fs.Path(location), SCHEMA, List.of());
    TopicPartitionWriter w =
        new TopicPartitionWriter(
            HadoopConf.build(Map.of()),
            layout,
            new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 64 * 1024),
            "part-t-0");
    for (String v : values) {
      w.write(new Object[] {v, offset}, offset++);
    }
    return w.finishFiles().get(0);
  }
}
