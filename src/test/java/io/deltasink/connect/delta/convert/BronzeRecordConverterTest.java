package io.deltasink.connect.delta.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class BronzeRecordConverterTest {
  private final BronzeRecordConverter converter =
      new BronzeRecordConverter(Clock.fixed(Instant.parse("2026-11-21T10:15:30Z"), ZoneOffset.UTC));

  @Test
  void keepsThePayloadUntouchedWithCoordinates() {
    ConnectHeaders headers = new ConnectHeaders();
    headers.addString("trace", "abc");
    headers.addBytes("bin", new byte[] {(byte) 0xFF, 0x00});
    SinkRecord r =
        new SinkRecord(
            "renamed",
            1,
            null,
            "k1".getBytes(StandardCharsets.UTF_8),
            null,
            "{\"latitude\":13.0}",
            77,
            1_700_000_000_000L,
            TimestampType.CREATE_TIME,
            headers,
            "temperatures",
            4,
            1077L);
    Object[] row = converter.toRow(r, converter.schemaFor(r));
    assertThat(row).hasSize(11);
    assertThat(row[0]).isEqualTo("k1");
    assertThat(row[1]).isEqualTo("utf-8");
    assertThat(row[2]).isEqualTo("{\"latitude\":13.0}");
    assertThat(row[3]).isEqualTo("utf-8");
    @SuppressWarnings("unchecked")
    List<Object[]> h = (List<Object[]>) row[4];
    assertThat(h.get(0)).containsExactly("trace", "abc", "utf-8");
    assertThat(h.get(1))
        .containsExactly(
            "bin", Base64.getEncoder().encodeToString(new byte[] {(byte) 0xFF, 0x00}), "base64");
    assertThat(new Object[] {row[5], row[6], row[7]}).containsExactly("temperatures", 4, 1077L);
    assertThat(row[8]).isEqualTo(1_700_000_000_000_000L);
    assertThat(row[9]).isEqualTo(Instant.parse("2026-11-21T10:15:30Z").toEpochMilli() * 1000);
    assertThat(row[10]).isEqualTo((int) java.time.LocalDate.parse("2026-11-21").toEpochDay());
  }

  /**
   * A bronze table on which another engine enabled column mapping (every column gets a physical
   * name and an id) is still a bronze table: its values and tombstones are written, not refused.
   */
  @Test
  void aBronzeTableWithColumnMappingIsStillBronze() {
    java.util.List<io.deltasink.connect.delta.schema.Column> mapped = new java.util.ArrayList<>();
    int id = 1;
    for (io.deltasink.connect.delta.schema.Column c : BronzeRecordConverter.SCHEMA.fields()) {
      mapped.add(
          new io.deltasink.connect.delta.schema.Column(
              c.name(), c.type(), c.nullable(), "col-" + id, id++));
    }
    io.deltasink.connect.delta.schema.ColumnType.Struct table =
        new io.deltasink.connect.delta.schema.ColumnType.Struct(mapped);
    assertThat(table).isNotEqualTo(BronzeRecordConverter.SCHEMA);
    assertThat(table.sameColumns(BronzeRecordConverter.SCHEMA)).isTrue();
    SinkRecord tombstone = new SinkRecord("t", 0, null, "k", null, null, 5L);
    Object[] row = converter.toRow(tombstone, table);
    assertThat(row[2]).isNull();
    assertThat(row[7]).isEqualTo(5L);
    assertThat(
            new AutoRecordConverter(
                    new StructRecordConverter(new KafkaColumns(java.util.List.of())), converter)
                .toRow(tombstone, table))
        .isEqualTo(row);
  }

  @Test
  void invalidUtf8BecomesBase64AndStructuredValuesJson() {
    byte[] bad = {'{', (byte) 0xC3, (byte) 0x28, '}'};
    assertThat(BronzeRecordConverter.encode(bad))
        .containsExactly(Base64.getEncoder().encodeToString(bad), "base64");
    assertThat(BronzeRecordConverter.encode(Map.of("a", List.of(1, 2))))
        .containsExactly("{\"a\":[1,2]}", "utf-8");
    Schema s = SchemaBuilder.struct().field("x", Schema.INT32_SCHEMA).build();
    assertThat(BronzeRecordConverter.encode(new Struct(s).put("x", 3)))
        .containsExactly("{\"x\":3}", "utf-8");
    assertThat(BronzeRecordConverter.encode(null)).containsExactly(null, null);
  }

  /**
   * Issue 12 case 13: milliseconds beyond what microseconds in a long hold used to wrap around
   * silently.
   */
  @Test
  void aTimestampBeyondTheMicrosecondsOfALongIsABadRecord() {
    long limit = Long.MAX_VALUE / 1000;
    SinkRecord ok =
        new SinkRecord("t", 0, null, null, null, "v", 1, limit, TimestampType.CREATE_TIME);
    assertThat(converter.toRow(ok, converter.schemaFor(ok))[8]).isEqualTo(limit * 1000);
    for (long ms : new long[] {limit + 1, Long.MIN_VALUE / 1000 - 1, Long.MAX_VALUE}) {
      SinkRecord r =
          new SinkRecord("t", 0, null, null, null, "v", 1, ms, TimestampType.CREATE_TIME);
      assertThatThrownBy(() -> converter.toRow(r, converter.schemaFor(r)))
          .isInstanceOf(DataException.class)
          .hasMessage(
              "column 'timestamp': the record's timestamp is out of range for a timestamp column "
                  + "(microseconds since 1970 in a long)");
    }
  }
}
