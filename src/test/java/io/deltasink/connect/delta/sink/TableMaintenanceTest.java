package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.KernelReader;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.test.TestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's own table maintenance through a task's {@link SinkWriter}: compaction of the small
 * files its flushes write, and the deletion of data files no version references.
 */
class TableMaintenanceTest {
  private static final TopicPartition P0 = new TopicPartition("temps", 0);
  private static final TopicPartition P1 = new TopicPartition("temps", 1);

  @TempDir Path dir;
  private final MockTime time = new MockTime(0, 1_000_000, 0);

  private SinkWriter writer(String... extra) {
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, dir.toUri().toString());
    p.put(DeltaSinkConfig.FLUSH_RECORDS_CONFIG, "100000");
    p.put(DeltaSinkConfig.FLUSH_INTERVAL_MS_CONFIG, "1000");
    p.put(DeltaSinkConfig.KAFKA_COLUMNS_CONFIG, "partition,offset");
    p.put(DeltaSinkConfig.FILE_TARGET_BYTES_CONFIG, "1048576");
    p.put("delta.compaction.min.files", "4");
    for (int i = 0; i < extra.length; i += 2) {
      p.put(extra[i], extra[i + 1]);
    }
    return new SinkWriter(new DeltaSinkConfig(p), "conn", new FakeSinkTaskContext(), time);
  }

  /** {@code flushes} commits of 25 records in each of P0 and P1: one small file each. */
  private void flushes(SinkWriter w, int flushes) {
    w.open(List.of(P0, P1));
    for (int i = 0; i < flushes; i++) {
      w.put(Fixtures.records(P0, i * 25L, i * 25L + 25));
      w.put(Fixtures.records(P1, i * 25L, i * 25L + 25));
      time.sleep(1_000);
      w.preCommit(Map.of());
    }
  }

  private long liveFiles() {
    return new KernelReader(dir.toUri().toString()).liveFiles();
  }

  private Set<String> expected(int flushes) {
    Set<String> out = new HashSet<>(ExactlyOnce.offsets(0, 0, flushes * 25L));
    out.addAll(ExactlyOnce.offsets(1, 0, flushes * 25L));
    return out;
  }

  private List<String> commitsWith(String operation) throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("_delta_log"))) {
      return s.filter(p -> p.toString().endsWith(".json"))
          .map(p -> readQuietly(p))
          .filter(text -> text.contains("\"operation\":\"" + operation + "\""))
          .toList();
    }
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void smallFilesOfManyFlushesAreCompactedAndEveryRowStaysOnce() throws Exception {
    SinkWriter w = writer();
    flushes(w, 40);
    w.close(); // waits for a compaction in flight
    List<String> optimize = commitsWith("OPTIMIZE");
    assertThat(optimize).isNotEmpty();
    assertThat(optimize)
        .allSatisfy(
            c ->
                assertThat(c)
                    .contains("\"remove\"", "\"add\"")
                    .doesNotContain("\"dataChange\":true"));
    // 80 files were written; tiers of 4 (4, 16, 64 flush files) leave at most 3 per tier and
    // partition file prefix ownership.
    assertThat(liveFiles()).isLessThan(30);
    ExactlyOnce.assertEachOffsetOnce(new KernelReader(dir.toUri().toString()).rows(), expected(40));
  }

  /**
   * Two tasks of one connector write and compact one table at once, each its own partition: every
   * row once, both compact, the table ends with few files.
   */
  @Test
  void twoTasksCompactingOneTableLoseAndDuplicateNothing() throws Exception {
    SinkWriter a = writer();
    SinkWriter b = writer();
    a.open(List.of(P0));
    b.open(List.of(P1));
    for (int i = 0; i < 40; i++) {
      a.put(Fixtures.records(P0, i * 25L, i * 25L + 25));
      b.put(Fixtures.records(P1, i * 25L, i * 25L + 25));
      time.sleep(1_000);
      a.preCommit(Map.of());
      b.preCommit(Map.of());
    }
    a.close();
    b.close();
    List<String> optimize = commitsWith("OPTIMIZE");
    assertThat(optimize).anySatisfy(c -> assertThat(c).contains("part-temps-0-c-"));
    assertThat(optimize).anySatisfy(c -> assertThat(c).contains("part-temps-1-c-"));
    assertThat(liveFiles()).isLessThan(30);
    ExactlyOnce.assertEachOffsetOnce(new KernelReader(dir.toUri().toString()).rows(), expected(40));
  }

  /**
   * Records gain a field halfway: files from before and after the schema change are compacted apart
   * (one Parquet file holds one schema), the maintenance never fails on a mixed bin, and every row
   * keeps its values.
   */
  @Test
  void filesOfTwoSchemasAreCompactedApart() throws Exception {
    org.apache.kafka.connect.data.SchemaBuilder builder =
        org.apache.kafka.connect.data.SchemaBuilder.struct().name("temperature");
    Fixtures.TEMPERATURE.fields().forEach(f -> builder.field(f.name(), f.schema()));
    org.apache.kafka.connect.data.Schema wider =
        builder
            .field("humidity", org.apache.kafka.connect.data.Schema.OPTIONAL_INT32_SCHEMA)
            .build();
    try (io.deltasink.connect.delta.testing.LogCapture logs =
        new io.deltasink.connect.delta.testing.LogCapture(
            Map.of(
                io.deltasink.connect.delta.maintenance.TableMaintenance.class.getName(),
                org.apache.logging.log4j.Level.WARN))) {
      SinkWriter w = writer();
      flushes(w, 20);
      for (int i = 20; i < 40; i++) {
        for (TopicPartition tp : List.of(P0, P1)) {
          List<org.apache.kafka.connect.sink.SinkRecord> batch = new java.util.ArrayList<>();
          for (long o = i * 25L; o < i * 25L + 25; o++) {
            batch.add(
                new org.apache.kafka.connect.sink.SinkRecord(
                    tp.topic(), tp.partition(), null, null, wider, withHumidity(wider, o), o));
          }
          w.put(batch);
        }
        time.sleep(1_000);
        w.preCommit(Map.of());
      }
      w.close();
      assertThat(logs.text()).doesNotContain("failed");
    }
    assertThat(commitsWith("OPTIMIZE")).hasSizeGreaterThan(4);
    assertThat(liveFiles()).isLessThan(30);
    List<Map<String, Object>> rows = new KernelReader(dir.toUri().toString()).rows();
    ExactlyOnce.assertEachOffsetOnce(rows, expected(40));
    assertThat(rows)
        .allSatisfy(
            r -> {
              long offset = (Long) r.get("kafka_offset");
              assertThat(r.get("humidity")).isEqualTo(offset >= 500 ? (Object) (int) offset : null);
            });
  }

  private static org.apache.kafka.connect.data.Struct withHumidity(
      org.apache.kafka.connect.data.Schema wider, long offset) {
    org.apache.kafka.connect.data.Struct base = Fixtures.temperature(offset);
    org.apache.kafka.connect.data.Struct s = new org.apache.kafka.connect.data.Struct(wider);
    Fixtures.TEMPERATURE.fields().forEach(f -> s.put(f.name(), base.get(f)));
    return s.put("humidity", (int) offset);
  }

  @Test
  void withCompactionOffEveryFlushFileStays() throws Exception {
    SinkWriter w = writer("delta.compaction.enabled", "false");
    flushes(w, 12);
    w.close();
    assertThat(commitsWith("OPTIMIZE")).isEmpty();
    assertThat(liveFiles()).isEqualTo(24);
    ExactlyOnce.assertEachOffsetOnce(new KernelReader(dir.toUri().toString()).rows(), expected(12));
  }

  /**
   * After its first commit of P0 and P1, the task deletes the data files of P0 and P1 that no
   * version references and that are over an hour old (what a crashed flush leaves); a younger one,
   * one of a partition it does not own, and the committed files stay.
   */
  @Test
  void uncommittedFilesOfOwnedPartitionsOlderThanAnHourAreDeleted() throws Exception {
    long twoHoursAgo = System.currentTimeMillis() - 2 * 3600_000L;
    File oldOrphan =
        plant("part-temps-0-5000-" + UUID.randomUUID() + ".snappy.parquet", twoHoursAgo);
    File oldCompaction =
        plant("part-temps-1-c-" + UUID.randomUUID() + ".snappy.parquet", twoHoursAgo);
    File young =
        plant(
            "part-temps-1-6000-" + UUID.randomUUID() + ".snappy.parquet",
            System.currentTimeMillis());
    File notOwned = plant("part-temps-7-0-" + UUID.randomUUID() + ".snappy.parquet", twoHoursAgo);
    File dashedTopic =
        plant("part-temps-0-1-0-" + UUID.randomUUID() + ".snappy.parquet", twoHoursAgo);
    SinkWriter w = writer("delta.compaction.enabled", "false");
    flushes(w, 2);
    TestUtils.waitForCondition(
        () -> !oldOrphan.exists() && !oldCompaction.exists(),
        30_000,
        "the orphan files older than an hour were deleted");
    w.close();
    assertThat(young).exists();
    assertThat(notOwned).exists();
    assertThat(dashedTopic).as("a file of topic temps-0 partition 1").exists();
    ExactlyOnce.assertEachOffsetOnce(new KernelReader(dir.toUri().toString()).rows(), expected(2));
  }

  private File plant(String name, long mtimeMs) throws Exception {
    File f = dir.resolve(name).toFile();
    Files.write(f.toPath(), new byte[] {'P', 'A', 'R', '1'});
    assertThat(f.setLastModified(mtimeMs)).isTrue();
    return f;
  }
}
