package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.RecordingReporter;
import io.deltasink.connect.delta.testing.SampleData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad records with and without errors.tolerance=all, on the JSON path with the real mapping. */
class BadRecordsTest {
  private static final TopicPartition P0 = new TopicPartition("temperatures", 0);
  private static final TopicPartition P1 = new TopicPartition("temperatures", 1);
  private static final String GOOD =
      "{\"latitude\":13.0,\"longitude\":77.6,\"time\":\"2023-01-01T00:00\",\"temperature_2m\":13.6}";

  @TempDir Path dir;
  private final MockTime time = new MockTime(0, 1_000_000, 0);
  private final FakeSinkTaskContext context = new FakeSinkTaskContext();
  private final RecordingReporter reporter = new RecordingReporter();

  private SinkWriter writer(boolean tolerate, String... extra) {
    Map<String, String> p = new HashMap<>();
    p.put("delta.table.location", dir.toUri().toString());
    p.put("delta.table.mapping", "temperatures_mapping");
    p.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    p.put("delta.flush.records", "1000000");
    p.put("delta.record.max.bytes", "200");
    if (tolerate) {
      p.put("errors.tolerance", "all");
    }
    for (int i = 0; i < extra.length; i += 2) {
      p.put(extra[i], extra[i + 1]);
    }
    context.reporter = reporter;
    SinkWriter w = new SinkWriter(new DeltaSinkConfig(p), "conn", context, time);
    w.open(List.of(P0, P1));
    return w;
  }

  private static SinkRecord rec(TopicPartition tp, long offset, Object value) {
    return new SinkRecord(tp.topic(), tp.partition(), null, "k" + offset, null, value, offset);
  }

  private List<Map<String, Object>> rows() {
    return new KernelReader(dir.toUri().toString()).rows();
  }

  @Test
  void everyKindOfBadRecordGoesToTheDeadLetterQueueAndTheRestIsWritten() {
    SinkWriter w = writer(true, "delta.tombstone.policy", "dlq");
    List<SinkRecord> batch = new ArrayList<>();
    Object[][] cases = {
      {"{\"latitude\":", "malformed JSON"},
      {"[1,2,3]", "the JSON value must be an object, got an array"},
      {
        "{\"latitude\":\"north\"}",
        "column 'latitude': a text of 5 characters is not a valid decimal"
      },
      {
        "{\"latitude\":123456789012345678901}",
        "column 'latitude': a number with 21 integer and 0 fraction digits is out of range for decimal(38,18)"
      },
      {
        "{\"latitude\":NaN}",
        "column 'latitude': NaN (not a finite number) cannot be stored in decimal(38,18)"
      },
      {"{\"latitude\":Infinity}", "cannot be stored in decimal(38,18)"},
      {null, "tombstone (null value)"},
      {
        "{\"time\":\"" + "x".repeat(300) + "\"}",
        "the record's value has 311 bytes, more than delta.record.max.bytes=200"
      },
      {
        new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
        "malformed JSON: invalid UTF-8 at byte 6"
      },
      {"{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}", "nesting depth"},
    };
    long offset = 0;
    for (Object[] c : cases) {
      batch.add(rec(P0, offset++, GOOD));
      batch.add(rec(P0, offset++, c[0]));
    }
    batch.add(rec(P1, 0, GOOD));
    w.put(batch);
    w.flush();

    assertThat(reporter.records).hasSize(cases.length);
    for (int i = 0; i < cases.length; i++) {
      long badOffset = 2L * i + 1;
      assertThat(reporter.records.get(i).kafkaOffset()).isEqualTo(badOffset);
      assertThat(reporter.records.get(i).value()).isSameAs(cases[i][0]);
      assertThat(reporter.errors.get(i))
          .isInstanceOf(DataException.class)
          .hasMessageStartingWith("topic 'temperatures' partition 0 offset " + badOffset + ": ")
          .hasMessageContaining((String) cases[i][1]);
    }
    assertThat(rows()).hasSize(cases.length + 1);
    // The last record of partition 0 was bad: its offset is still recorded as done, so a restart
    // does
    // not report it again.
    assertThat(new KernelReader(dir.toUri().toString()).txnVersion("conn/temperatures/0"))
        .isEqualTo(2L * cases.length - 1);
    assertThat(w.preCommit(Map.of())).containsEntry(P0, new OffsetAndMetadata(2L * cases.length));
  }

  @Test
  void aPoisonedRecordIsReportedOnceNotOncePerRetry() {
    SinkWriter w = writer(true);
    List<SinkRecord> batch = List.of(rec(P0, 0, GOOD), rec(P0, 1, "not json"), rec(P0, 2, GOOD));
    w.put(batch);
    w.put(batch); // Connect redelivers a batch after a RetriableException
    w.flush();
    assertThat(reporter.records).hasSize(1);
    assertThat(rows()).hasSize(2);
  }

  @Test
  void withoutToleranceTheTaskFailsWithTheSameMessageAndWritesNothingOfTheBatch() {
    SinkWriter w = writer(false);
    List<SinkRecord> batch =
        List.of(rec(P0, 0, GOOD), rec(P0, 1, "{\"temperature_2m\":\"warm\"}"), rec(P1, 0, GOOD));
    assertThatThrownBy(() -> w.put(batch))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "topic 'temperatures' partition 0 offset 1: column 'temperature_2m': a text of 4 characters is not a valid decimal");
    w.close();
    assertThat(reporter.records).isEmpty();
    assertThat(dir.resolve("_delta_log")).doesNotExist();
  }

  @Test
  void tombstonesAreIgnoredByDefaultOrFailTheTask() {
    SinkWriter ignoring = writer(false);
    ignoring.put(List.of(rec(P0, 0, GOOD), rec(P0, 1, null)));
    ignoring.flush();
    assertThat(rows()).hasSize(1);
    assertThat(new KernelReader(dir.toUri().toString()).txnVersion("conn/temperatures/0"))
        .isEqualTo(1);

    SinkWriter failing = writer(true, "delta.tombstone.policy", "fail");
    assertThatThrownBy(() -> failing.put(List.of(rec(P0, 2, null))))
        .isInstanceOf(ConnectException.class)
        .isNotInstanceOf(DataException.class)
        .hasMessageContaining("offset 2: tombstone (null value) and delta.tombstone.policy=fail");
  }

  /**
   * Issue 12 case 7: a partition value whose directory name the file system refuses (over 255 bytes
   * once escaped; an unpaired surrogate, which no file name can hold) is the record's fault, not
   * the storage's: a bad record naming the partition column, never its value, and the partition
   * moves on.
   */
  @Test
  void aPartitionValueThatCannotBeADirectoryNameIsABadRecord() {
    SinkWriter w =
        writer(true, "delta.table.partition.columns", "time", "delta.record.max.bytes", "4096");
    String tooLong = "{\"latitude\":1.0,\"time\":\"" + "x".repeat(300) + "\"}";
    // 90 ':' escape to 270 bytes (%3A each): short as text, too long as a directory name.
    String escapedTooLong = "{\"latitude\":2.0,\"time\":\"" + ":".repeat(90) + "\"}";
    String unpaired = "{\"latitude\":3.0,\"time\":\"a\\uD800b\"}";
    w.put(
        List.of(
            rec(P0, 0, GOOD),
            rec(P0, 1, tooLong),
            rec(P0, 2, escapedTooLong),
            rec(P0, 3, unpaired),
            rec(P0, 4, GOOD)));
    w.flush();

    assertThat(reporter.records).extracting(SinkRecord::kafkaOffset).containsExactly(1L, 2L, 3L);
    for (int i = 0; i < 3; i++) {
      assertThat(reporter.errors.get(i))
          .isInstanceOf(DataException.class)
          .hasMessageStartingWith(
              "topic 'temperatures' partition 0 offset " + (i + 1) + ": partition column 'time': ")
          .hasMessageNotContaining("xxxx")
          .hasMessageNotContaining("::::")
          .hasMessageNotContaining("%3A");
    }
    assertThat(rows())
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.get("time")).isEqualTo("2023-01-01T00:00"));
    assertThat(new KernelReader(dir.toUri().toString()).txnVersion("conn/temperatures/0"))
        .isEqualTo(4);
    assertThat(w.preCommit(Map.of())).containsEntry(P0, new OffsetAndMetadata(5));

    SinkWriter failing =
        writer(false, "delta.table.partition.columns", "time", "delta.record.max.bytes", "4096");
    assertThatThrownBy(() -> failing.put(List.of(rec(P1, 0, tooLong))))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "topic 'temperatures' partition 1 offset 0: partition column 'time': ");
  }

  /**
   * Issue 12 case 12: invalid UTF-8 that Jackson decodes anyway (a CESU-8 surrogate, an overlong
   * encoding) and unpaired surrogates (a JSON escape; a Connect String), which Java's encoder used
   * to write as '?', are bad records.
   */
  @Test
  void invalidUnicodeIsABadRecord() {
    SinkWriter w = writer(true);
    byte[] cesu = {
      '{', '"', 't', 'i', 'm', 'e', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'
    };
    byte[] overlong = {'{', '"', 'x', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
    String escaped = "{\"latitude\":1.0,\"time\":\"x\\uDC00\"}";
    w.put(
        List.of(
            rec(P0, 0, GOOD),
            rec(P0, 1, cesu),
            rec(P0, 2, overlong),
            rec(P0, 3, escaped),
            rec(P0, 4, GOOD)));
    w.flush();
    assertThat(reporter.records).extracting(SinkRecord::kafkaOffset).containsExactly(1L, 2L, 3L);
    assertThat(reporter.errors)
        .extracting(Throwable::getMessage)
        .containsExactly(
            "topic 'temperatures' partition 0 offset 1: malformed JSON: invalid UTF-8 at byte 9",
            "topic 'temperatures' partition 0 offset 2: malformed JSON: invalid UTF-8 at byte 6",
            "topic 'temperatures' partition 0 offset 3: column 'time': a text with an unpaired surrogate at character 1 "
                + "cannot be stored as UTF-8");
    assertThat(rows()).hasSize(2);
    assertThat(w.preCommit(Map.of())).containsEntry(P0, new OffsetAndMetadata(5));
  }

  @Test
  void aConnectStringWithAnUnpairedSurrogateIsABadRecord() {
    Map<String, String> p = new HashMap<>();
    p.put("delta.table.location", dir.toUri().toString());
    p.put("errors.tolerance", "all");
    context.reporter = reporter;
    SinkWriter w = new SinkWriter(new DeltaSinkConfig(p), "conn", context, time);
    w.open(List.of(P0));
    SinkRecord bad = Fixtures.record(P0.topic(), 0, 1);
    ((Struct) bad.value()).put("time", "2023-01-01T00:00\uD800");
    w.put(List.of(Fixtures.record(P0.topic(), 0, 0), bad, Fixtures.record(P0.topic(), 0, 2)));
    w.flush();
    assertThat(reporter.errors)
        .extracting(Throwable::getMessage)
        .containsExactly(
            "topic 'temperatures' partition 0 "
                + "offset 1: column 'time': a text with an unpaired surrogate at character 16 cannot be stored as UTF-8");
    assertThat(rows()).extracting(r -> r.get("seq")).containsExactlyInAnyOrder(0L, 2L);
  }

  /**
   * Issue 12 case 13: an overflow is a bad record, not an ArithmeticException that fails the task.
   */
  @Test
  void aTimestampThatOverflowsIsABadRecordNotATaskFailure() {
    SinkWriter w = writer(true, "delta.kafka.columns", "timestamp");
    SinkRecord absurd =
        new SinkRecord(
            P0.topic(),
            0,
            null,
            "k1",
            null,
            GOOD,
            1,
            Long.MAX_VALUE,
            org.apache.kafka.common.record.TimestampType.CREATE_TIME);
    SinkRecord good =
        new SinkRecord(
            P0.topic(),
            0,
            null,
            "k2",
            null,
            GOOD,
            2,
            1_700_000_000_000L,
            org.apache.kafka.common.record.TimestampType.CREATE_TIME);
    w.put(List.of(rec(P0, 0, GOOD), absurd, good));
    w.flush();
    assertThat(reporter.errors)
        .extracting(Throwable::getMessage)
        .containsExactly(
            "topic 'temperatures' partition 0 "
                + "offset 1: column 'kafka_timestamp': the record's timestamp is out of range for a timestamp column "
                + "(microseconds since 1970 in a long)");
    assertThat(rows())
        .extracting(r -> r.get("kafka_timestamp"))
        .containsExactlyInAnyOrder(null, 1_700_000_000_000_000L);
  }

  @Test
  void aTopicWithoutARouteIsABadRecord() {
    Map<String, String> p = new HashMap<>();
    p.put("delta.tables.root", dir.toUri().toString());
    p.put(
        "delta.tables.topics.mapping", "[{'topic':'temperatures','table':'t','format':'bronze'}]");
    p.put("errors.tolerance", "all");
    context.reporter = reporter;
    SinkWriter w = new SinkWriter(new DeltaSinkConfig(p), "conn", context, time);
    TopicPartition other = new TopicPartition("other", 0);
    w.open(List.of(P0, other));
    w.put(List.of(rec(other, 0, "x"), rec(P0, 0, "y"), rec(other, 1, "z")));
    w.put(List.of(rec(other, 0, "x")));
    w.flush();
    assertThat(reporter.errors)
        .hasSize(2)
        .allSatisfy(
            e ->
                assertThat(e)
                    .hasMessageContaining(
                        "topic 'other' has no entry in delta.tables.topics.mapping and there is no '*' entry"));
    assertThat(w.preCommit(Map.of()))
        .containsEntry(other, new OffsetAndMetadata(2))
        .containsEntry(P0, new OffsetAndMetadata(1));
  }
}
