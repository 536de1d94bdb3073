package io.deltasink.connect.delta.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The raw "bronze" layout: the payload kept untouched, with its Kafka coordinates and ingestion
 * time, partitioned by ingestion date. Columns:
 *
 * <pre>
 *   key             string    the key as text (UTF-8), or base64 when its bytes are not UTF-8
 *   key_encoding    string    "utf-8" or "base64"; null when the key is null
 *   value           string    the value, likewise (Map/List/Struct values as JSON text)
 *   value_encoding  string
 *   headers         array&lt;struct&lt;key:string, value:string, value_encoding:string&gt;&gt;
 *   topic           string    original topic, before any SMT
 *   partition       integer
 *   offset          long
 *   timestamp       timestamp Kafka record timestamp
 *   ingestion_time  timestamp when the sink received the record (UTC)
 *   ingestion_date  date      UTC date of ingestion_time: the partition column
 * </pre>
 *
 * Almost no record can fail, which makes it the safe default for schemaless data without a mapping:
 * only a Kafka timestamp whose microseconds overflow a long ({@link KafkaColumns#timestampMicros}),
 * and a {@code String} key, value or header with an unpaired surrogate, which has no UTF-8 form
 * (the writer refuses it), are bad records.
 */
public final class BronzeRecordConverter implements RecordConverter {
  public static final String PARTITION_COLUMN = "ingestion_date";

  /**
   * The partition columns of a new bronze table: the configured ones, or {@value #PARTITION_COLUMN}
   * when none are.
   */
  public static java.util.List<String> partitionColumns(java.util.List<String> configured) {
    return configured.isEmpty()
        ? java.util.List.of(PARTITION_COLUMN)
        : java.util.List.copyOf(configured);
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ColumnType.Struct HEADER =
      new ColumnType.Struct(
          List.of(
              new Column("key", Primitive.STRING, true),
              new Column("value", Primitive.STRING, true),
              new Column("value_encoding", Primitive.STRING, true)));

  /** The bronze table schema. */
  public static final ColumnType.Struct SCHEMA =
      new ColumnType.Struct(
          List.of(
              new Column("key", Primitive.STRING, true),
              new Column("key_encoding", Primitive.STRING, true),
              new Column("value", Primitive.STRING, true),
              new Column("value_encoding", Primitive.STRING, true),
              new Column("headers", new ColumnType.Array(HEADER, false), true),
              new Column("topic", Primitive.STRING, false),
              new Column("partition", Primitive.INTEGER, false),
              new Column("offset", Primitive.LONG, false),
              new Column("timestamp", Primitive.TIMESTAMP, true),
              new Column("ingestion_time", Primitive.TIMESTAMP, false),
              new Column(PARTITION_COLUMN, Primitive.DATE, false)));

  private final Clock clock;

  public BronzeRecordConverter(Clock clock) {
    this.clock = clock;
  }

  @Override
  public ColumnType.Struct schemaFor(SinkRecord record) {
    return SCHEMA;
  }

  @Override
  public Object[] toRow(SinkRecord r, ColumnType.Struct target) {
    if (!target.sameColumns(SCHEMA)) {
      throw new org.apache.kafka.connect.errors.ConnectException(
          "the table is not a bronze table: its schema is not "
              + "the bronze layout; write bronze data to a new table location");
    }
    long nowMicros = clock.millis() * 1000L;
    String[] key = encode(r.key());
    String[] value = encode(r.value());
    List<Object> headers = null;
    if (r.headers() != null && !r.headers().isEmpty()) {
      headers = new ArrayList<>();
      for (Header h : r.headers()) {
        String[] hv = encode(h.value());
        headers.add(new Object[] {h.key(), hv[0], hv[1]});
      }
    }
    return new Object[] {
      key[0],
      key[1],
      value[0],
      value[1],
      headers,
      r.originalTopic(),
      r.originalKafkaPartition(),
      r.originalKafkaOffset(),
      r.timestamp() == null ? null : KafkaColumns.timestampMicros(r.timestamp(), "timestamp"),
      nowMicros,
      (int) Math.floorDiv(nowMicros, 86_400_000_000L)
    };
  }

  /** A payload as {text, encoding}; both null for null. */
  static String[] encode(Object v) {
    if (v == null) {
      return new String[] {null, null};
    }
    if (v instanceof byte[] b) {
      return bytes(b);
    }
    if (v instanceof ByteBuffer bb) {
      ByteBuffer d = bb.duplicate();
      byte[] b = new byte[d.remaining()];
      d.get(b);
      return bytes(b);
    }
    if (v instanceof String s) {
      return new String[] {s, "utf-8"};
    }
    if (v instanceof Map<?, ?> || v instanceof Collection<?> || v instanceof Struct) {
      return new String[] {toJson(v).toString(), "utf-8"};
    }
    return new String[] {v.toString(), "utf-8"};
  }

  private static String[] bytes(byte[] b) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(b));
      return new String[] {chars.toString(), "utf-8"};
    } catch (CharacterCodingException e) {
      return new String[] {Base64.getEncoder().encodeToString(b), "base64"};
    }
  }

  private static JsonNode toJson(Object v) {
    if (v instanceof Struct s) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      for (Field f : s.schema().fields()) {
        o.set(f.name(), toJson(s.get(f)));
      }
      return o;
    }
    if (v instanceof Map<?, ?> m) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        o.set(String.valueOf(e.getKey()), toJson(e.getValue()));
      }
      return o;
    }
    if (v instanceof Collection<?> c) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      for (Object e : c) {
        a.add(toJson(e));
      }
      return a;
    }
    if (v instanceof byte[] b) {
      return JsonNodeFactory.instance.textNode(Base64.getEncoder().encodeToString(b));
    }
    if (v instanceof java.util.Date d) {
      return JsonNodeFactory.instance.numberNode(d.getTime());
    }
    return JSON.valueToTree(v);
  }
}
