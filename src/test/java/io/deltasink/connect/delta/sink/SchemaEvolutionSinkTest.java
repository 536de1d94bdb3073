package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.standalone.DeltaLog;
import io.delta.standalone.OptimisticTransaction;
import io.delta.standalone.actions.Metadata;
import io.delta.standalone.types.StringType;
import io.delta.standalone.types.StructType;
import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.RecordingReporter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code delta.schema.evolution} through the task's writer, on real tables read back with Kernel:
 * records whose Connect schema gains fields, nested ones, and wider types.
 */
class SchemaEvolutionSinkTest {
  private static final TopicPartition P0 = new TopicPartition("temps", 0);
  private static final TopicPartition P1 = new TopicPartition("temps", 1);
  private static final Schema WIND =
      SchemaBuilder.struct().name("wind").optional().field("speed", Schema.FLOAT64_SCHEMA).build();
  private static final Schema WITH_HUMIDITY = extend(Schema.OPTIONAL_INT32_SCHEMA, null);
  private static final Schema WITH_WIND = extend(Schema.OPTIONAL_INT32_SCHEMA, WIND);
  private static final Schema WITH_LONG_HUMIDITY = extend(Schema.OPTIONAL_INT64_SCHEMA, WIND);

  @TempDir Path dir;
  private final MockTime time = new MockTime(0, 1_000_000, 0);
  private final FakeSinkTaskContext context = new FakeSinkTaskContext();

  private static Schema extend(Schema humidity, Schema wind) {
    SchemaBuilder b = SchemaBuilder.struct().name("temperature");
    Fixtures.TEMPERATURE.fields().forEach(f -> b.field(f.name(), f.schema()));
    b.field("humidity", humidity);
    if (wind != null) {
      b.field("wind", wind);
    }
    return b.build();
  }

  private SinkWriter writer(String... extra) {
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, dir.toUri().toString());
    p.put(DeltaSinkConfig.FLUSH_RECORDS_CONFIG, "100000");
    p.put(DeltaSinkConfig.FLUSH_INTERVAL_MS_CONFIG, "100000");
    for (int i = 0; i < extra.length; i += 2) {
      p.put(extra[i], extra[i + 1]);
    }
    return new SinkWriter(new DeltaSinkConfig(p), "conn", context, time);
  }

  private static SinkRecord record(TopicPartition tp, long offset, Schema schema) {
    Struct base = Fixtures.temperature(offset);
    Struct s = new Struct(schema);
    Fixtures.TEMPERATURE.fields().forEach(f -> s.put(f.name(), base.get(f)));
    if (schema.field("humidity") != null) {
      s.put(
          "humidity",
          schema.field("humidity").schema().type() == Schema.Type.INT64
              ? (Object) (5_000_000_000L + offset)
              : (Object) (int) offset);
    }
    if (schema.field("wind") != null) {
      s.put("wind", new Struct(WIND).put("speed", offset * 0.5));
    }
    return new SinkRecord(tp.topic(), tp.partition(), null, null, schema, s, offset);
  }

  private static List<SinkRecord> records(TopicPartition tp, long from, long to, Schema schema) {
    List<SinkRecord> out = new ArrayList<>();
    for (long o = from; o < to; o++) {
      out.add(record(tp, o, schema));
    }
    return out;
  }

  private KernelReader reader() {
    return new KernelReader(dir.toUri().toString());
  }

  @Test
  void newFieldsAndNestedFieldsBecomeColumnsInTheCommitOfTheirFirstRows() {
    SinkWriter w = writer();
    w.open(List.of(P0, P1));
    w.put(records(P0, 0, 10, Fixtures.TEMPERATURE));
    w.put(records(P1, 0, 10, Fixtures.TEMPERATURE));
    w.flush();
    w.put(records(P0, 10, 20, WITH_HUMIDITY));
    w.put(records(P1, 10, 20, Fixtures.TEMPERATURE)); // an older producer: nulls
    w.put(records(P0, 20, 30, WITH_WIND));
    w.flush();
    assertThat(w.preCommit(Map.of()))
        .containsOnly(
            Map.entry(P0, new OffsetAndMetadata(30)), Map.entry(P1, new OffsetAndMetadata(20)));
    w.close();
    KernelReader reader = reader();
    assertThat(reader.snapshot().getVersion()).as("one version per flush").isEqualTo(1);
    assertThat(reader.snapshot().getSchema().fieldNames())
        .containsExactly(
            "latitude", "longitude", "time", "temperature_2m", "seq", "humidity", "wind");
    List<Map<String, Object>> rows = reader.rows();
    assertThat(rows).hasSize(50);
    assertThat(rows)
        .filteredOn(r -> (Long) r.get("seq") < 10)
        .allSatisfy(r -> assertThat(r.get("humidity")).isNull());
    assertThat(rows)
        .filteredOn(r -> (Long) r.get("seq") >= 20)
        .hasSize(10)
        .allSatisfy(
            r -> {
              assertThat(r.get("humidity")).isEqualTo(((Long) r.get("seq")).intValue());
              assertThat(r.get("wind").toString()).contains("speed=" + (Long) r.get("seq") * 0.5);
            });
  }

  @Test
  void aWiderTypeIsABadRecordOnATableWithoutTypeWideningSayingHowToEnableIt() {
    RecordingReporter dlq = new RecordingReporter();
    context.reporter = dlq;
    SinkWriter w = writer("delta.schema.evolution", "add-and-widen", "errors.tolerance", "all");
    w.open(List.of(P0));
    w.put(records(P0, 0, 5, WITH_WIND));
    w.put(records(P0, 5, 7, WITH_LONG_HUMIDITY));
    w.put(records(P0, 7, 10, WITH_WIND));
    w.flush();
    w.close();
    assertThat(dlq.records).extracting(SinkRecord::kafkaOffset).containsExactly(5L, 6L);
    assertThat(dlq.errors.get(0))
        .hasMessageStartingWith(
            "topic 'temps' partition 0 offset 5: field 'humidity': record type long cannot be"
                + " written to table column type integer")
        .hasMessageContaining("'delta.enableTypeWidening' = 'true'");
    assertThat(reader().rows()).hasSize(8);
  }

  @Test
  void anIntegerWidensToLongOnATableWithTypeWidening() {
    SinkWriter w =
        writer(
            "delta.schema.evolution",
            "add-and-widen",
            "delta.table.properties.delta.enableTypeWidening",
            "true");
    w.open(List.of(P0));
    w.put(records(P0, 0, 5, WITH_WIND));
    w.flush();
    w.put(records(P0, 5, 10, WITH_LONG_HUMIDITY));
    w.put(records(P0, 10, 12, WITH_WIND)); // the old schema still fits the wider column
    w.flush();
    w.close();
    KernelReader reader = reader();
    assertThat(reader.snapshot().getSchema().get("humidity").getDataType().toString())
        .isEqualTo("long");
    assertThat(reader.rows())
        .extracting(r -> r.get("seq") + "=" + r.get("humidity"))
        .contains("0=0", "4=4", "5=5000000005", "9=5000000009", "11=11")
        .hasSize(12);
  }

  @Test
  void withEvolutionOffANewFieldIsABadRecordNamingIt() {
    SinkWriter w = writer("delta.schema.evolution", "none");
    w.open(List.of(P0));
    w.put(records(P0, 0, 5, Fixtures.TEMPERATURE));
    assertThatThrownBy(() -> w.put(records(P0, 5, 6, WITH_HUMIDITY)))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "topic 'temps' partition 0 offset 5: field 'humidity' is not a column of the table");
  }

  /**
   * Another engine adds a column while the task writes: the task's files without it still land, and
   * its next files take the table's new schema, so records with that field fill it.
   */
  @Test
  void aColumnAnotherEngineAddedIsPickedUpNotFought() {
    SinkWriter w = writer();
    w.open(List.of(P0));
    w.put(records(P0, 0, 5, Fixtures.TEMPERATURE));
    w.flush();
    w.put(records(P0, 5, 10, Fixtures.TEMPERATURE));
    addColumnAsAnotherEngine("station");
    w.flush();
    Schema withStation =
        SchemaBuilder.struct()
            .name("temperature")
            .field("station", Schema.OPTIONAL_STRING_SCHEMA)
            .field("seq", Schema.INT64_SCHEMA)
            .field("latitude", Schema.FLOAT64_SCHEMA)
            .field("longitude", Schema.FLOAT64_SCHEMA)
            .field("time", Schema.STRING_SCHEMA)
            .build();
    Struct v =
        new Struct(withStation)
            .put("station", "BLR")
            .put("seq", 10L)
            .put("latitude", 1.0)
            .put("longitude", 2.0)
            .put("time", "t");
    w.put(List.of(new SinkRecord("temps", 0, null, null, withStation, v, 10)));
    w.flush();
    w.close();
    KernelReader reader = reader();
    assertThat(reader.snapshot().getSchema().fieldNames())
        .containsExactly("latitude", "longitude", "time", "temperature_2m", "seq", "station");
    assertThat(reader.rows())
        .extracting(r -> r.get("seq") + ":" + r.get("station"))
        .contains("9:null", "10:BLR")
        .hasSize(11);
  }

  /**
   * Another task added the same new field with another type first: this task's files do not fit and
   * are not added; it rewinds, and its records are then bad records naming the field.
   */
  @Test
  void filesThatNoLongerFitAreWrittenAgainAndTheirRecordsJudgedByTheNewSchema() {
    RecordingReporter dlq = new RecordingReporter();
    context.reporter = dlq;
    SinkWriter a = writer("errors.tolerance", "all");
    a.open(List.of(P0));
    a.put(records(P0, 0, 5, Fixtures.TEMPERATURE));
    a.flush();
    a.put(records(P0, 5, 10, WITH_HUMIDITY));
    Schema textHumidity = extend(Schema.OPTIONAL_STRING_SCHEMA, null);
    FakeSinkTaskContext otherContext = new FakeSinkTaskContext();
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, dir.toUri().toString());
    SinkWriter b = new SinkWriter(new DeltaSinkConfig(p), "conn", otherContext, time);
    b.open(List.of(P1));
    Struct s = new Struct(textHumidity);
    Fixtures.TEMPERATURE.fields().forEach(f -> s.put(f.name(), Fixtures.temperature(0).get(f)));
    s.put("humidity", "damp");
    b.put(List.of(new SinkRecord("temps", 1, null, null, textHumidity, s, 0)));
    b.flush();
    b.close();
    assertThatThrownBy(a::flush).isInstanceOf(RetriableException.class);
    assertThat(context.offsets).containsEntry(P0, 5L);
    a.put(records(P0, 5, 10, WITH_HUMIDITY));
    a.flush();
    a.close();
    assertThat(dlq.records).extracting(SinkRecord::kafkaOffset).containsExactly(5L, 6L, 7L, 8L, 9L);
    assertThat(dlq.errors.get(0))
        .hasMessageContaining("field 'humidity': record type integer cannot be written");
    assertThat(reader().rows()).hasSize(6);
    assertThat(reader().txnVersion("conn/temps/0")).isEqualTo(9);
  }

  /** A record that goes to the dead-letter queue changes nothing of the table. */
  @Test
  void aBadRecordWithANewFieldAddsNoColumn() {
    RecordingReporter dlq = new RecordingReporter();
    context.reporter = dlq;
    SinkWriter w = writer("errors.tolerance", "all");
    w.open(List.of(P0));
    w.put(records(P0, 0, 5, Fixtures.TEMPERATURE));
    Schema optionalSeq =
        SchemaBuilder.struct()
            .field("seq", Schema.OPTIONAL_INT64_SCHEMA)
            .field("humidity", Schema.OPTIONAL_INT32_SCHEMA)
            .build();
    w.put(
        List.of(
            new SinkRecord(
                "temps",
                0,
                null,
                null,
                optionalSeq,
                new Struct(optionalSeq).put("humidity", 1),
                5)));
    w.put(records(P0, 6, 8, Fixtures.TEMPERATURE));
    w.flush();
    w.close();
    assertThat(dlq.records).extracting(SinkRecord::kafkaOffset).containsExactly(5L);
    assertThat(reader().snapshot().getSchema().fieldNames()).doesNotContain("humidity");
    assertThat(reader().rows()).hasSize(7);
  }

  /** An AUTO table that is bronze stays bronze when a Struct record comes: it is a bronze row. */
  @Test
  void aBronzeTableKeepsItsSchemaForAStructRecord() {
    SinkWriter w = writer();
    w.open(List.of(P0));
    w.put(List.of(new SinkRecord("temps", 0, null, null, null, "not a struct", 0)));
    w.put(records(P0, 1, 3, WITH_HUMIDITY));
    w.flush();
    w.close();
    var schema = reader().snapshot().getSchema();
    assertThat(schema.fieldNames()).doesNotContain("humidity", "latitude");
    assertThat(reader().rows()).hasSize(3);
  }

  /**
   * The bad record's advice followed while the task runs: after {@code delta.enableTypeWidening} is
   * set on the table, the next commit brings the table's new properties and wider records widen the
   * column, without a restart.
   */
  @Test
  void typeWideningEnabledWhileRunningIsUsedAfterTheNextCommit() {
    RecordingReporter dlq = new RecordingReporter();
    context.reporter = dlq;
    SinkWriter w = writer("delta.schema.evolution", "add-and-widen", "errors.tolerance", "all");
    w.open(List.of(P0));
    w.put(records(P0, 0, 5, WITH_WIND));
    w.flush();
    w.put(records(P0, 5, 6, WITH_LONG_HUMIDITY));
    assertThat(dlq.records).hasSize(1);
    io.deltasink.connect.delta.testing.FeatureTables.setProperties(
        dir.toUri().toString(), Map.of("delta.enableTypeWidening", "true"));
    w.put(records(P0, 6, 8, WITH_WIND));
    w.flush();
    w.put(records(P0, 8, 10, WITH_LONG_HUMIDITY));
    w.flush();
    w.close();
    assertThat(dlq.records).hasSize(1);
    assertThat(reader().snapshot().getSchema().get("humidity").getDataType().toString())
        .isEqualTo("long");
    assertThat(reader().rows()).hasSize(9);
  }

  /** Kafka coordinate columns the table lacks are not added by schema evolution. */
  @Test
  void coordinateColumnsAreNotAddedToATableWithoutThem() {
    SinkWriter first = writer();
    first.open(List.of(P0));
    first.put(records(P0, 0, 3, Fixtures.TEMPERATURE));
    first.flush();
    first.close();
    SinkWriter w = writer("delta.kafka.columns", "partition,offset");
    w.open(List.of(P0));
    w.put(records(P0, 3, 6, WITH_HUMIDITY));
    w.flush();
    w.close();
    assertThat(reader().snapshot().getSchema().fieldNames())
        .contains("humidity")
        .doesNotContain("kafka_partition", "kafka_offset");
    assertThat(reader().rows()).hasSize(6);
  }

  private void addColumnAsAnotherEngine(String name) {
    DeltaLog log = DeltaLog.forTable(HadoopConf.build(Map.of()), dir.toString());
    OptimisticTransaction txn = log.startTransaction();
    Metadata m = txn.metadata();
    StructType schema = m.getSchema().add(name, new StringType(), true);
    txn.updateMetadata(m.copyBuilder().schema(schema).build());
    txn.commit(
        List.of(),
        new io.delta.standalone.Operation(io.delta.standalone.Operation.Name.ADD_COLUMNS),
        "other-engine");
  }
}
