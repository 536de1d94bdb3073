package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.RecordingReporter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code delta.write.mode=upsert} through the task's writer, on real tables read back with Kernel:
 * the last record per key wins within a flush and across flushes, tombstones delete when asked, a
 * replay changes nothing, and the configuration errors a user gets.
 */
class UpsertSinkTest {
  static final TopicPartition P0 = new TopicPartition("temps", 0);
  static final TopicPartition P1 = new TopicPartition("temps", 1);
  static final Schema KEY =
      SchemaBuilder.struct()
          .name("key")
          .field("latitude", Schema.FLOAT64_SCHEMA)
          .field("longitude", Schema.FLOAT64_SCHEMA)
          .field("time", Schema.STRING_SCHEMA)
          .build();

  @TempDir Path dir;
  final MockTime time = new MockTime(0, 1_000_000, 0);

  /** Settings of the backend under test (none: Delta Standalone's protocol). */
  protected void backend(Map<String, String> settings) {}

  SinkWriter writer(FakeSinkTaskContext context, String... extra) {
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, dir.toUri().toString());
    p.put(DeltaSinkConfig.FLUSH_RECORDS_CONFIG, "100000");
    p.put(DeltaSinkConfig.FLUSH_INTERVAL_MS_CONFIG, "100000");
    p.put("delta.write.mode", "upsert");
    p.put("delta.upsert.key.columns", "latitude,longitude,time");
    backend(p);
    for (int i = 0; i < extra.length; i += 2) {
      p.put(extra[i], extra[i + 1]);
    }
    return new SinkWriter(new DeltaSinkConfig(p), "conn", context, time);
  }

  /**
   * A reading of city {@code city} (0-5) at hour {@code hour} of 2023-01-01 with {@code temp}, at
   * {@code offset}: {@code seq} holds the offset.
   */
  static SinkRecord reading(TopicPartition tp, long offset, int city, int hour, String temp) {
    Struct v =
        new Struct(Fixtures.TEMPERATURE)
            .put("latitude", 13.0 + city)
            .put("longitude", 77.600006)
            .put("time", String.format("2023-01-01T%02d:00", hour))
            .put("temperature_2m", new BigDecimal(temp).setScale(6))
            .put("seq", offset);
    return new SinkRecord(
        tp.topic(), tp.partition(), KEY, keyOf(v), Fixtures.TEMPERATURE, v, offset);
  }

  static Struct keyOf(Struct v) {
    return new Struct(KEY)
        .put("latitude", v.get("latitude"))
        .put("longitude", v.get("longitude"))
        .put("time", v.get("time"));
  }

  static SinkRecord tombstone(TopicPartition tp, long offset, int city, int hour) {
    Struct key = keyOf((Struct) reading(tp, offset, city, hour, "0").value());
    return new SinkRecord(tp.topic(), tp.partition(), KEY, key, null, null, offset);
  }

  /** The table as "city/hour" to (temperature, seq); fails on a key seen twice. */
  Map<String, String> table() {
    Map<String, String> out = new TreeMap<>();
    for (Map<String, Object> row : new KernelReader(dir.toUri().toString()).rows()) {
      String key =
          ((Double) row.get("latitude")).intValue()
              - 13
              + "/"
              + ((String) row.get("time")).substring(11, 13);
      String value =
          ((BigDecimal) row.get("temperature_2m")).stripTrailingZeros().toPlainString()
              + "@"
              + row.get("seq");
      assertThat(out.put(key, value)).as("key %s twice", key).isNull();
    }
    return out;
  }

  @Test
  void theLastRecordOfAKeyWinsWithinAFlushAndAcrossFlushes() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w = writer(context);
    w.open(List.of(P0, P1));
    List<SinkRecord> first = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      first.add(reading(P0, i, i % 6, i / 6, "1." + i)); // 24 keys: cities 0-5, hours 0-3
    }
    first.add(reading(P0, 24, 0, 0, "9.5")); // key 0/00 again in the same batch
    first.add(reading(P1, 0, 5, 10, "7")); // another partition's own key
    w.put(first);
    w.flush();
    Map<String, String> rows = table();
    assertThat(rows).hasSize(25).containsEntry("0/00", "9.5@24").containsEntry("5/10", "7@0");

    w.put(List.of(reading(P0, 25, 1, 0, "-3.25"), reading(P0, 26, 2, 3, "4")));
    w.put(List.of(tombstone(P1, 1, 5, 10))); // delete.on.tombstone is off: ignored
    w.flush();
    assertThat(w.preCommit(Map.of()))
        .containsOnly(
            Map.entry(P0, new OffsetAndMetadata(27)), Map.entry(P1, new OffsetAndMetadata(2)));
    w.close();
    rows = table();
    assertThat(rows)
        .hasSize(25)
        .containsEntry("1/00", "-3.25@25")
        .containsEntry("2/03", "4@26")
        .containsEntry("3/00", "1.3@3")
        .containsEntry("5/10", "7@0");
  }

  @Test
  void aTombstoneDeletesItsKeysRowWhenAsked() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w = writer(context, "delta.upsert.delete.on.tombstone", "true");
    w.open(List.of(P0));
    w.put(List.of(reading(P0, 0, 0, 0, "1"), reading(P0, 1, 1, 0, "2"), reading(P0, 2, 2, 0, "3")));
    w.flush();
    // In one batch: a tombstone for a key in the table, and a key written then deleted.
    w.put(
        List.of(
            tombstone(P0, 3, 1, 0),
            reading(P0, 4, 3, 0, "4"),
            tombstone(P0, 5, 3, 0),
            reading(P0, 6, 0, 0, "5")));
    w.flush();
    w.close();
    assertThat(table()).containsOnly(Map.entry("0/00", "5@6"), Map.entry("2/00", "3@2"));
  }

  @Test
  void tombstoneKeysOfEveryShapeDeleteAndAKeyThatCannotGiveTheColumnIsABadRecord() {
    RecordingReporter dlq = new RecordingReporter();
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    context.reporter = dlq;
    SinkWriter w =
        writer(
            context,
            "delta.upsert.key.columns",
            "seq",
            "delta.upsert.delete.on.tombstone",
            "true",
            "errors.tolerance",
            "all");
    w.open(List.of(P0));
    List<SinkRecord> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rows.add(reading(P0, i, i, 0, "1")); // seq = offset: keys 0-5
    }
    w.put(rows);
    w.flush();
    Schema wide =
        SchemaBuilder.struct()
            .field("seq", Schema.INT64_SCHEMA)
            .field("note", Schema.STRING_SCHEMA);
    w.put(
        List.of(
            // StringConverter's key for a long column
            new SinkRecord("temps", 0, Schema.STRING_SCHEMA, " 1 ", null, null, 6),
            // ByteArrayConverter's
            new SinkRecord("temps", 0, null, "2".getBytes(), null, null, 7),
            // a struct with a field that is not a key column
            new SinkRecord(
                "temps", 0, wide, new Struct(wide).put("seq", 3L).put("note", "x"), null, null, 8),
            // schemaless JSON's map, and a JSON object as text
            new SinkRecord("temps", 0, null, Map.of("seq", 4, "other", true), null, null, 9),
            new SinkRecord("temps", 0, null, "{\"seq\": 5}", null, null, 10),
            // a date cannot be a long
            new SinkRecord("temps", 0, null, new java.util.Date(0), null, null, 11),
            new SinkRecord("temps", 0, Schema.STRING_SCHEMA, "not a number", null, null, 12)));
    w.flush();
    assertThat(w.preCommit(Map.of())).containsEntry(P0, new OffsetAndMetadata(13));
    w.close();
    assertThat(table()).containsOnlyKeys("0/00");
    assertThat(dlq.records).extracting(SinkRecord::kafkaOffset).containsExactly(11L, 12L);
    assertThat(dlq.errors.get(0).getMessage())
        .startsWith("topic 'temps' partition 0 offset 11: the tombstone's Kafka key does not give")
        .contains("column 'seq' is long and the key a Date");
    assertThat(dlq.errors.get(1).getMessage())
        .contains("offset 12")
        .doesNotContain("not a number")
        .contains("NumberFormatException");
  }

  @Test
  void aKustoMappedTableTakesJsonKeyedUpsertsAndTombstones() {
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter w =
        writer(
            context,
            "delta.table.mapping",
            "temperatures_mapping",
            "delta.mappings.temperatures_mapping",
            io.deltasink.connect.delta.testing.SampleData.MAPPING_COMMAND,
            "delta.upsert.delete.on.tombstone",
            "true");
    w.open(List.of(P0));
    List<String> lines = io.deltasink.connect.delta.testing.SampleData.temperatureLines();
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      batch.add(json(i, lines.get(i)));
    }
    w.put(batch);
    w.flush();
    String first = lines.get(0);
    String key = first.substring(0, first.indexOf(",\"temperature_2m\"")) + "}";
    w.put(
        List.of(
            new SinkRecord("temps", 0, Schema.STRING_SCHEMA, key, null, null, 48),
            json(
                49,
                lines
                    .get(1)
                    .replaceAll("\"temperature_2m\":[-0-9.]+", "\"temperature_2m\":99.5"))));
    w.flush();
    w.close();
    Map<String, BigDecimal> byTime = new TreeMap<>();
    for (Map<String, Object> row : new KernelReader(dir.toUri().toString()).rows()) {
      assertThat(byTime.put((String) row.get("time"), (BigDecimal) row.get("temperature_2m")))
          .isNull();
    }
    assertThat(byTime).hasSize(47).doesNotContainKey("2023-01-01T00:00");
    assertThat(byTime.get("2023-01-01T01:00")).isEqualByComparingTo("99.5");
  }

  private static SinkRecord json(long offset, String line) {
    String key = line.replaceAll(",\"temperature_2m\":[^,}]*", "");
    return new SinkRecord(
        "temps",
        0,
        Schema.STRING_SCHEMA,
        key,
        null,
        line.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        offset);
  }

  @Test
  void aReplayAfterARestartChangesNothing() {
    SinkWriter w = writer(new FakeSinkTaskContext());
    w.open(List.of(P0));
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      batch.add(reading(P0, i, i % 6, i / 6, "2." + i));
    }
    w.put(batch);
    w.flush();
    w.close(); // the offsets never reached Kafka
    long version = new KernelReader(dir.toUri().toString()).snapshot().getVersion();
    Map<String, String> before = table();

    FakeSinkTaskContext second = new FakeSinkTaskContext();
    SinkWriter again = writer(second);
    again.open(List.of(P0));
    assertThat(second.offsets).containsEntry(P0, 12L);
    List<SinkRecord> changed = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      changed.add(reading(P0, i, i % 6, i / 6, "-1")); // the same offsets: a replay
    }
    again.put(changed);
    again.flush();
    again.close();
    assertThat(new KernelReader(dir.toUri().toString()).snapshot().getVersion()).isEqualTo(version);
    assertThat(table()).isEqualTo(before);
  }

  @Test
  void aRecordWithoutItsKeyIsABadRecordNamingTheColumn() {
    RecordingReporter reporter = new RecordingReporter();
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    context.reporter = reporter;
    SinkWriter w =
        writer(context, "errors.tolerance", "all", "delta.upsert.key.columns", "seq,humidity");
    w.open(List.of(P0));
    w.put(List.of(reading(P0, 0, 0, 0, "1")));
    w.flush();
    w.close();
    assertThat(reporter.errors)
        .singleElement()
        .extracting(Throwable::getMessage)
        .asString()
        .contains("topic 'temps' partition 0 offset 0", "key column 'humidity'");
  }

  @Test
  void configurationErrorsNameTheSetting() {
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, dir.toUri().toString());
    p.put("delta.write.mode", "upsert");
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("delta.upsert.key.columns")
        .hasMessageContaining("needs key columns");
    p.put("delta.upsert.key.columns", "time");
    p.put("delta.input.format", "bronze");
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bronze");
    p.remove("delta.input.format");
    p.remove("delta.table.location");
    p.put("delta.tables.root", dir.toUri().toString());
    p.put(
        "delta.tables.topics.mapping",
        "[{'topic':'a','table':'a','writeMode':'upsert','keyColumns':''},{'topic':'b','table':'b'}]");
    p.put("delta.write.mode", "append");
    assertThatThrownBy(() -> new DeltaSinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("entry for topic 'a'")
        .hasMessageContaining("needs key columns");
    p.put(
        "delta.tables.topics.mapping",
        "[{'topic':'a','table':'a','writeMode':'upsert','keyColumns':'time'},{'topic':'b','table':'b'}]");
    DeltaSinkConfig ok = new DeltaSinkConfig(p);
    assertThat(ok.routes().route("a").writeMode().upsert()).isTrue();
    assertThat(ok.routes().route("a").writeMode().keyColumns()).containsExactly("time");
    assertThat(ok.routes().route("b").writeMode().upsert()).isFalse();
  }

  @Test
  void aKeyInTwoPartitionsOfOneBatchGetsOneRow() {
    SinkWriter w = writer(new FakeSinkTaskContext());
    w.open(List.of(P0, P1));
    w.put(List.of(reading(P0, 0, 0, 0, "1"), reading(P1, 0, 0, 0, "2")));
    w.flush();
    w.close();
    assertThat(table()).hasSize(1);
  }
}
