package io.deltasink.connect.delta.testing;

import java.math.BigDecimal;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/** Records shaped like the Open-Meteo temperature messages, as Connect Structs. */
public final class Fixtures {
  public static final Schema DECIMAL_6 =
      Decimal.builder(6).parameter("connect.decimal.precision", "12").optional().build();
  public static final Schema TEMPERATURE =
      SchemaBuilder.struct()
          .name("temperature")
          .field("latitude", Schema.FLOAT64_SCHEMA)
          .field("longitude", Schema.FLOAT64_SCHEMA)
          .field("time", Schema.STRING_SCHEMA)
          .field("temperature_2m", DECIMAL_6)
          .field("seq", Schema.INT64_SCHEMA)
          .build();

  private Fixtures() {}

  public static Struct temperature(long seq) {
    return new Struct(TEMPERATURE)
        .put("latitude", 13.0 + (seq % 6))
        .put("longitude", 77.600006)
        .put("time", "2023-01-01T" + String.format("%02d", seq % 24) + ":00")
        .put("temperature_2m", new BigDecimal(seq % 400).movePointLeft(1).setScale(6))
        .put("seq", seq);
  }

  public static SinkRecord record(String topic, int partition, long offset) {
    return new SinkRecord(
        topic,
        partition,
        null,
        null,
        TEMPERATURE,
        temperature(offset),
        offset,
        1_700_000_000_000L + offset,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME);
  }

  /** {@link #record}s of {@code tp} at offsets {@code from} to {@code to} (exclusive). */
  public static java.util.List<SinkRecord> records(
      org.apache.kafka.common.TopicPartition tp, long from, long to) {
    java.util.List<SinkRecord> out = new java.util.ArrayList<>();
    for (long o = from; o < to; o++) {
      out.add(record(tp.topic(), tp.partition(), o));
    }
    return out;
  }
}
