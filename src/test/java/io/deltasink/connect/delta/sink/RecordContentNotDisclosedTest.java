package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.FaultyFileSystem;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.LogCapture;
import io.deltasink.connect.delta.testing.RecordingReporter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 case 15: a record's content (which can be personal data) appears in no reason for a bad
 * record (dead-letter queue headers, task failures), no other exception message, and no log line
 * above TRACE. Every bad-record path a JSON, Map or Struct record can take carries the same
 * recognisable token.
 */
class RecordContentNotDisclosedTest {
  private static final String TOKEN = "Zq7SecretToken";
  private static final TopicPartition TP = new TopicPartition("people", 0);
  private static final String MAPPING =
      "[{\"column\":\"latitude\",\"path\":\"$.latitude\",\"datatype\":\"decimal\"},"
          + "{\"column\":\"time\",\"path\":\"$.time\",\"datatype\":\"string\"},"
          + "{\"column\":\"ts\",\"path\":\"$.ts\",\"datatype\":\"datetime\"},"
          + "{\"column\":\"span\",\"path\":\"$.span\",\"datatype\":\"timespan\"},"
          + "{\"column\":\"id\",\"path\":\"$.id\",\"datatype\":\"guid\"},"
          + "{\"column\":\"flag\",\"path\":\"$.flag\",\"datatype\":\"bool\"},"
          + "{\"column\":\"n\",\"path\":\"$.n\",\"datatype\":\"int\"},"
          + "{\"column\":\"doc\",\"path\":\"$.doc\",\"datatype\":\"dynamic\"},"
          + "{\"column\":\"bag\",\"path\":\"$.bag\",\"transform\":\"PropertyBagArrayToDictionary\"},"
          + "{\"column\":\"secs\",\"path\":\"$.secs\",\"transform\":\"DateTimeFromUnixSeconds\"}]";

  @TempDir Path dir;
  private final MockTime time = new MockTime(0, 1_000_000, 0);
  private final FakeSinkTaskContext context = new FakeSinkTaskContext();
  private final RecordingReporter reporter = new RecordingReporter();

  @AfterEach
  void tearDown() {
    FaultyFileSystem.reset();
  }

  private SinkWriter writer(String location, boolean tolerate, String... extra) {
    Map<String, String> p = new HashMap<>();
    p.put("delta.table.location", location);
    p.put("delta.flush.records", "1000000");
    p.put("delta.record.max.bytes", "1000");
    if (tolerate) {
      p.put("errors.tolerance", "all");
    }
    for (int i = 0; i < extra.length; i += 2) {
      p.put(extra[i], extra[i + 1]);
    }
    context.reporter = reporter;
    SinkWriter w = new SinkWriter(new DeltaSinkConfig(p), "conn", context, time);
    w.open(List.of(TP));
    return w;
  }

  private SinkWriter jsonWriter(boolean tolerate) {
    return writer(
        dir.toUri().toString(),
        tolerate,
        "delta.mappings.m",
        MAPPING,
        "delta.table.mapping",
        "m",
        "delta.table.partition.columns",
        "time");
  }

  private static byte[] withBytes(String before, byte[] middle, String after) {
    byte[] a = before.getBytes(StandardCharsets.UTF_8);
    byte[] c = after.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[a.length + middle.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(middle, 0, out, a.length, middle.length);
    System.arraycopy(c, 0, out, a.length + middle.length, c.length);
    return out;
  }

  /** One bad value per path a schemaless record can fail on, each holding the token. */
  private static List<Object> badJson() {
    List<Object> bad =
        new ArrayList<>(
            List.of(
                "{\"latitude\":" + TOKEN + "}", // Jackson: Unrecognized token '<token>'
                "{\"latitude\":1.0} " + TOKEN, // trailing content
                "{\"latitude\":1.0," + TOKEN + ":1}", // unexpected character
                "{\"latitude\":-" + TOKEN + "}", // a number that is not one
                "{\"latitude\":1" + TOKEN + "}", // characters in a number
                "{\"time\":\"\\q" + TOKEN + "\"}", // invalid escape
                "{\"time\":\"" + TOKEN, // unterminated string
                "[\"" + TOKEN + "\"]", // not an object
                "\"" + TOKEN + "\"",
                "{\"latitude\":\"" + TOKEN + "\"}", // text in a decimal column
                "{\"ts\":\"" + TOKEN + "\"}", // not a datetime
                "{\"ts\":\"2023-02-31T" + TOKEN + "\"}",
                "{\"span\":\"" + TOKEN + "\"}", // not a timespan
                "{\"id\":\"" + TOKEN + "\"}", // not a guid
                "{\"flag\":\"" + TOKEN + "\"}", // not a bool
                "{\"n\":\"" + TOKEN + "\"}", // not an int
                "{\"bag\":\"" + TOKEN + "\"}", // not an array
                "{\"secs\":\"" + TOKEN + "\"}", // not a number
                "{\"time\":\""
                    + TOKEN
                    + "x".repeat(300)
                    + "\"}", // partition value too long for a directory
                "{\"time\":\"" + TOKEN + "\\uD800\"}", // unpaired surrogate in a partition value
                "{\"doc\":{\"" + TOKEN + "\":\"\\uDC00\"}}", // unpaired surrogate in a data column
                "{\"time\":\"" + TOKEN.repeat(80) + "\"}")); // over delta.record.max.bytes
    bad.add(
        withBytes(
            "{\"time\":\"" + TOKEN,
            new byte[] {(byte) 0xC0, (byte) 0xAF},
            "\"}")); // overlong UTF-8
    bad.add(
        withBytes(
            "{\"time\":\"" + TOKEN, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"}"));
    bad.add(Map.of("latitude", TOKEN)); // JsonConverter Map
    bad.add(Map.of(TOKEN, new Object())); // a Map Jackson cannot turn into a tree
    return bad;
  }

  @Test
  void noBadRecordReasonOrLogLineAboveTraceHoldsTheRecordsContent() {
    List<Object> bad = badJson();
    String logs;
    try (LogCapture capture = new LogCapture(Map.of("io.deltasink", Level.DEBUG))) {
      SinkWriter w = jsonWriter(true);
      List<SinkRecord> batch = new ArrayList<>();
      long offset = 0;
      for (Object value : bad) {
        batch.add(new SinkRecord(TP.topic(), 0, null, "k", null, value, offset++));
      }
      batch.add(
          new SinkRecord(
              TP.topic(),
              0,
              null,
              "k",
              null,
              "{\"latitude\":1.5,\"time\":\"" + TOKEN + "\"}",
              offset));
      w.put(batch);
      w.flush();
      w.close();
      logs = capture.text();
    }
    assertThat(reporter.errors)
        .hasSize(bad.size())
        .allSatisfy(e -> assertThat(e).isInstanceOf(DataException.class));
    for (int i = 0; i < bad.size(); i++) {
      assertThat(messages(reporter.errors.get(i)))
          .as("reason for bad value %d", i)
          .startsWith("topic 'people' partition 0 offset " + i + ": ")
          .doesNotContain(TOKEN);
    }
    assertThat(logs).contains("Bad record sent to the error handler").doesNotContain(TOKEN);
    // The good record with the token as its partition value is written, and only its row holds the
    // token.
    assertThat(new KernelReader(dir.toUri().toString()).rows())
        .extracting(r -> r.get("time"))
        .containsExactly(TOKEN);
  }

  @Test
  void withoutToleranceTheFailureHoldsNoContentEither() {
    SinkWriter w = jsonWriter(false);
    assertThatThrownBy(
            () ->
                w.put(
                    List.of(
                        new SinkRecord(
                            TP.topic(), 0, null, "k", null, "{\"latitude\":" + TOKEN + "}", 0))))
        .isInstanceOf(DataException.class)
        .satisfies(
            e ->
                assertThat(messages(e))
                    .startsWith("topic 'people' partition 0 offset 0: malformed JSON: ")
                    .doesNotContain(TOKEN));
  }

  @Test
  void aConnectStringThatCannotBeStoredIsReportedWithoutItsText() {
    String logs;
    try (LogCapture capture = new LogCapture(Map.of("io.deltasink", Level.DEBUG))) {
      SinkWriter w = writer(dir.toUri().toString(), true);
      SinkRecord r = Fixtures.record(TP.topic(), 0, 0);
      ((Struct) r.value()).put("time", TOKEN + "\uD800");
      w.put(List.of(r));
      w.flush();
      logs = capture.text();
    }
    assertThat(reporter.errors).hasSize(1);
    assertThat(messages(reporter.errors.get(0))).contains("column 'time'").doesNotContain(TOKEN);
    assertThat(logs).doesNotContain(TOKEN);
  }

  /**
   * A storage error's message names the data file's path, whose partition directory holds a value.
   */
  @Test
  void aStorageErrorOnAPartitionDirectoryHidesThePartitionValue() {
    FaultyFileSystem.reset();
    String logs;
    RetriableException failure;
    try (LogCapture capture = new LogCapture(Map.of("io.deltasink", Level.DEBUG))) {
      SinkWriter w =
          writer(
              "faulty://" + dir.toAbsolutePath(),
              false,
              "delta.hadoop.fs.faulty.impl",
              FaultyFileSystem.class.getName(),
              "delta.hadoop.fs.faulty.impl.disable.cache",
              "true",
              "delta.table.partition.columns",
              "time",
              "delta.hadoop.delta.logStore.faulty.impl",
              "io.delta.storage.AzureLogStore");
      SinkRecord first = Fixtures.record(TP.topic(), 0, 0);
      SinkRecord secret = withTime(Fixtures.record(TP.topic(), 0, 1), TOKEN);
      w.put(List.of(first));
      FaultyFileSystem.CREATE_FAILURES.set(
          1); // creating the file in the token's partition directory
      failure = catchRetriable(() -> w.put(List.of(secret)));
      // Connect redelivers from the rewound offset.
      w.put(List.of(first, secret));
      w.flush();
      logs = capture.text();
    }
    assertThat(FaultyFileSystem.INJECTED.get()).isEqualTo(1);
    assertThat(messages(failure)).contains("injected fault: create").doesNotContain(TOKEN);
    assertThat(logs).contains("injected fault: create").doesNotContain(TOKEN);
    assertThat(new KernelReader(dir.toUri().toString()).rows()).hasSize(2);
  }

  private static RetriableException catchRetriable(Runnable r) {
    try {
      r.run();
    } catch (RetriableException e) {
      return e;
    }
    throw new AssertionError("expected a RetriableException");
  }

  private static SinkRecord withTime(SinkRecord r, String value) {
    ((Struct) r.value()).put("time", value);
    return r;
  }

  /** Every message of {@code e} and its causes, one per line. */
  private static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t.getMessage()).append('\n');
      for (Throwable s : t.getSuppressed()) {
        sb.append(s.getMessage()).append('\n');
      }
    }
    return sb.toString();
  }
}
