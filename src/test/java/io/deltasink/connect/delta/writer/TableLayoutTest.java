package io.deltasink.connect.delta.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TableLayoutTest {
  private static final TableLayout LAYOUT =
      new TableLayout(
          new Path("file:/t"),
          new ColumnType.Struct(
              List.of(
                  new Column("city", Primitive.STRING, true),
                  new Column("n", Primitive.LONG, true))),
          List.of("city"));

  @Test
  void aDirectoryNameOf255BytesIsTakenAnd256AreNot() {
    // "city=" is 5 bytes; 'é' is 2 UTF-8 bytes, ':' escapes to 3 (%3A), an emoji is 4.
    assertThat(LAYOUT.partitionDirectory(new String[] {"é".repeat(125)})).hasSize(5 + 125 + 1);
    assertThat(LAYOUT.partitionDirectory(new String[] {"\uD83D\uDE00".repeat(62) + "ab"}))
        .endsWith("ab/");
    assertThatThrownBy(() -> LAYOUT.partitionDirectory(new String[] {"é".repeat(125) + "x"}))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "partition column 'city': the value makes a directory name of 256 bytes, more than the 255 a file system takes");
    assertThatThrownBy(() -> LAYOUT.partitionDirectory(new String[] {":".repeat(84)}))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("257 bytes");
  }

  /** Years before 1: ISO's proleptic year (0000, -0001), not the year of an era without its era. */
  @Test
  void timestampAndDatePartitionValuesUseTheProlepticYear() {
    long year0 = -62_167_219_200_000_000L; // 0000-01-01T00:00:00Z in microseconds
    assertThat(TableLayout.serialize(Primitive.TIMESTAMP, year0))
        .isEqualTo("0000-01-01T00:00:00.000000Z");
    assertThat(TableLayout.serialize(Primitive.TIMESTAMP, year0 - 86_400_000_000L * 365 + 1))
        .isEqualTo("-0001-01-01T00:00:00.000001Z");
    assertThat(TableLayout.serialize(Primitive.DATE, -719_528)).isEqualTo("0000-01-01");
    assertThat(TableLayout.serialize(Primitive.TIMESTAMP, 1_672_531_200_123_456L))
        .isEqualTo("2023-01-01T00:00:00.123456Z");
  }

  /** PROTOCOL.md, "Partition Value Serialization": timestamp without time zone. */
  @Test
  void timestampNtzPartitionValuesHaveNoZone() {
    assertThat(TableLayout.serialize(Primitive.TIMESTAMP_NTZ, 1_672_531_200_123_456L))
        .isEqualTo("2023-01-01 00:00:00.123456");
    assertThat(TableLayout.serialize(Primitive.TIMESTAMP_NTZ, -1L))
        .isEqualTo("1969-12-31 23:59:59.999999");
  }

  /**
   * Issue 12 case 13: -0.0 == 0.0, so both are one partition (one directory, one partition value).
   */
  @Test
  void negativeAndPositiveZeroAreOnePartitionValue() {
    assertThat(TableLayout.serialize(Primitive.DOUBLE, -0.0d))
        .isEqualTo("0.0")
        .isEqualTo(TableLayout.serialize(Primitive.DOUBLE, 0.0d));
    assertThat(TableLayout.serialize(Primitive.FLOAT, -0.0f))
        .isEqualTo("0.0")
        .isEqualTo(TableLayout.serialize(Primitive.FLOAT, 0.0f));
    assertThat(TableLayout.serialize(Primitive.DOUBLE, -1.5d)).isEqualTo("-1.5");
    assertThat(TableLayout.serialize(Primitive.DOUBLE, Double.NaN)).isEqualTo("NaN");
    TableLayout byDouble =
        new TableLayout(
            new Path("file:/t"),
            new ColumnType.Struct(
                List.of(
                    new Column("x", Primitive.DOUBLE, true),
                    new Column("n", Primitive.LONG, true))),
            List.of("x"));
    assertThat(byDouble.partitionValues(new Object[] {-0.0d, 1L}))
        .containsExactly(byDouble.partitionValues(new Object[] {0.0d, 2L}));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\uD800", "a\uDC00", "\uDE00\uD83D"})
  void anUnpairedSurrogateCannotBeADirectoryName(String value) {
    assertThatThrownBy(() -> LAYOUT.partitionDirectory(new String[] {value}))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "partition column 'city': the value holds an unpaired UTF-16 surrogate, which no directory name can hold");
  }
}
