package io.deltasink.connect.delta.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys of an upsert and the files that may hold them, on real files whose statistics the writer
 * computed: the Open-Meteo key (latitude, longitude, time) in a table partitioned by city.
 */
class KeyPruningTest {
  static final ColumnType.Struct SCHEMA =
      new ColumnType.Struct(
          List.of(
              new Column("city", Primitive.STRING, true),
              new Column("latitude", new ColumnType.Decimal(10, 6), true),
              new Column("time", Primitive.TIMESTAMP, true),
              new Column("temperature", Primitive.DOUBLE, true),
              new Column("station", Primitive.STRING, true)));
  static final long HOUR = 3_600_000_000L;
  private static final long JAN_1_2023 = 1_672_531_200_000_000L;

  @TempDir Path dir;

  private static Object[] row(String city, String latitude, long hour, String station) {
    return new Object[] {city, new BigDecimal(latitude), JAN_1_2023 + hour * HOUR, 1.5, station};
  }

  /** One file per city: hours 0-23 of 2023-01-01. */
  private List<WrittenFile> files() throws Exception {
    TopicPartitionWriter w =
        new TopicPartitionWriter(
            HadoopConf.build(Map.of()),
            new TableLayout(new org.apache.hadoop.fs.Path(dir.toUri()), SCHEMA, List.of("city")),
            new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 64 * 1024),
            "part-t-0");
    long offset = 0;
    for (long h = 0; h < 24; h++) {
      w.write(row("Bengaluru", "13.0", h, "s-" + h), offset++);
      w.write(row("Paris", "48.90001", h, "x".repeat(40) + h), offset++);
    }
    return w.finishFiles();
  }

  private static WrittenFile of(List<WrittenFile> files, String city) {
    return files.stream()
        .filter(f -> city.equals(f.partitionValues().get("city")))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aFileIsSkippedOnlyWhenEveryKeyIsProvablyOutsideIt() throws Exception {
    List<WrittenFile> files = files();
    RowKeys keys = new RowKeys(SCHEMA, List.of("city", "latitude", "time"));
    KeyPruning pruning = new KeyPruning(SCHEMA, List.of("city"), keys);
    WrittenFile bengaluru = of(files, "Bengaluru");
    WrittenFile paris = of(files, "Paris");
    RowKeys.Key inside = keys.keyOf(row("Bengaluru", "13.000000", 5, null));
    RowKeys.Key laterHour = keys.keyOf(row("Bengaluru", "13.0", 30, null));
    RowKeys.Key otherLatitude = keys.keyOf(row("Bengaluru", "12.5", 5, null));
    assertThat(pruning.mayHold(bengaluru, List.of(inside))).isTrue();
    assertThat(pruning.mayHold(paris, List.of(inside))).as("another partition").isFalse();
    assertThat(pruning.mayHold(bengaluru, List.of(laterHour))).as("after the max time").isFalse();
    assertThat(pruning.mayHold(bengaluru, List.of(otherLatitude))).isFalse();
    assertThat(pruning.mayHold(bengaluru, List.of(laterHour, otherLatitude, inside))).isTrue();
    // Within the last millisecond of the maximum: engines write millisecond bounds.
    RowKeys.Key lastMicros =
        keys.keyOf(
            new Object[] {
              "Bengaluru", new BigDecimal("13"), JAN_1_2023 + 23 * HOUR + 999, 0.0, null
            });
    assertThat(pruning.mayHold(bengaluru, List.of(lastMicros))).isTrue();
  }

  @Test
  void aColumnWithoutBoundsNeverRulesAFileOut() throws Exception {
    List<WrittenFile> files = files();
    RowKeys byStation = new RowKeys(SCHEMA, List.of("station"));
    KeyPruning pruning = new KeyPruning(SCHEMA, List.of("city"), byStation);
    // Paris's stations are longer than the 32 characters kept: the file has no maximum.
    RowKeys.Key far = byStation.keyOf(row("Paris", "1", 0, "zzzz"));
    assertThat(pruning.mayHold(of(files, "Paris"), List.of(far))).isTrue();
    assertThat(pruning.mayHold(of(files, "Bengaluru"), List.of(far))).isFalse();
    WrittenFile noStats =
        new WrittenFile("x.parquet", Map.of("city", "Paris"), 1, 1, 1, null, -1, -1);
    assertThat(pruning.mayHold(noStats, List.of(far))).isTrue();
  }

  @Test
  void keysAreEqualWhateverTheValuesShapeAndTheLastRowPerKeyWins() {
    RowKeys keys = new RowKeys(SCHEMA, List.of("latitude", "temperature"));
    Object[] a = {null, new BigDecimal("13.50"), 0L, -0.0, "first"};
    Object[] b = {null, new BigDecimal("13.5"), 0L, 0.0, "second"};
    Object[] c = {null, new BigDecimal("14"), 0L, 0.0, "third"};
    assertThat(keys.keyOf(a)).isEqualTo(keys.keyOf(b));
    Map<RowKeys.Key, Object[]> last = keys.lastByKey(List.of(a, c, b));
    assertThat(last.values()).extracting(r -> r[4]).containsExactly("second", "third");
    assertThat(keys.keyOf(a).toString()).doesNotContain("13.5");
  }

  @Test
  void keyColumnsAreCheckedAndNullKeysAreBadRecords() {
    assertThatThrownBy(() -> new RowKeys(SCHEMA, List.of("nope")))
        .hasMessageStartingWith("key column 'nope' is not a column of the table");
    RowKeys keys = new RowKeys(SCHEMA, List.of("city", "time"));
    assertThatThrownBy(() -> keys.keyOf(new Object[] {"Paris", null, null, null, null}))
        .isInstanceOf(DataException.class)
        .hasMessage("key column 'time' is null");
  }

  @Test
  void aDateKeyWidenedToATimestampEqualsTheWidenedRowsKey() {
    ColumnType.Struct dates =
        new ColumnType.Struct(
            List.of(
                new io.deltasink.connect.delta.schema.Column(
                    "day", ColumnType.Primitive.DATE, false)));
    ColumnType.Struct timestamps =
        new ColumnType.Struct(
            List.of(
                new io.deltasink.connect.delta.schema.Column(
                    "day", ColumnType.Primitive.TIMESTAMP_NTZ, false)));
    RowKeys before = new RowKeys(dates, List.of("day"));
    RowKeys after = new RowKeys(timestamps, List.of("day"));
    RowKeys.Key asDate = before.keyOf(new Object[] {19_358});
    RowKeys.Key asTimestamp = after.keyOf(new Object[] {19_358L * 86_400_000_000L});
    assertThat(asDate).isNotEqualTo(asTimestamp);
    assertThat(after.widenedFrom(asDate, before)).isEqualTo(asTimestamp);
    assertThat(after.widenedFrom(asTimestamp, after)).isSameAs(asTimestamp);
  }

  @Test
  void floatBoundsAreReadAsFloats() {
    ColumnType.Struct schema =
        new ColumnType.Struct(List.of(new Column("f", Primitive.FLOAT, true)));
    RowKeys keys = new RowKeys(schema, List.of("f"));
    KeyPruning pruning = new KeyPruning(schema, List.of(), keys);
    WrittenFile f =
        new WrittenFile(
            "f.parquet",
            Map.of(),
            1,
            1,
            1,
            "{\"numRecords\":2,\"minValues\":{\"f\":0.1},\"maxValues\":{\"f\":0.7}}",
            -1,
            -1);
    assertThat(pruning.mayHold(f, List.of(keys.keyOf(new Object[] {0.1f})))).isTrue();
    assertThat(pruning.mayHold(f, List.of(keys.keyOf(new Object[] {0.7f})))).isTrue();
    assertThat(pruning.mayHold(f, List.of(keys.keyOf(new Object[] {0.8f})))).isFalse();
  }

  /**
   * Partition values are compared as values (a decimal written as 1.500 is the key 1.5); one in a
   * form not read here (a timestamp without a zone) never rules a file out, and never lets its rows
   * be deleted on a guess.
   */
  @Test
  void partitionValuesCompareAsValuesAndUnreadableOnesAreNeverGuessed() {
    ColumnType.Struct schema =
        new ColumnType.Struct(
            List.of(
                new Column("price", new ColumnType.Decimal(10, 3), true),
                new Column("at", Primitive.TIMESTAMP, true),
                new Column("n", Primitive.LONG, true)));
    RowKeys byPrice = new RowKeys(schema, List.of("price", "n"));
    KeyPruning pruning = new KeyPruning(schema, List.of("price"), byPrice);
    WrittenFile decimal =
        new WrittenFile("p.parquet", Map.of("price", "1.500"), 1, 1, 1, null, -1, -1);
    RowKeys.Key key = byPrice.keyOf(new Object[] {new BigDecimal("1.5"), null, 3L});
    assertThat(pruning.mayHold(decimal, List.of(key))).isTrue();
    assertThat(pruning.dataKeysIn(decimal, List.of(key))).containsExactly(List.of(3L));
    RowKeys.Key other = byPrice.keyOf(new Object[] {new BigDecimal("2"), null, 3L});
    assertThat(pruning.mayHold(decimal, List.of(other))).isFalse();

    RowKeys byTime = new RowKeys(schema, List.of("at", "n"));
    KeyPruning timePruning = new KeyPruning(schema, List.of("at"), byTime);
    WrittenFile spark =
        new WrittenFile("t.parquet", Map.of("at", "2023-01-01 00:00:00"), 1, 1, 1, null, -1, -1);
    RowKeys.Key t = byTime.keyOf(new Object[] {null, JAN_1_2023 + HOUR, 3L});
    assertThat(timePruning.mayHold(spark, List.of(t))).isTrue();
    assertThatThrownBy(() -> timePruning.dataKeysIn(spark, List.of(t)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot be compared");
  }
}
