package io.deltasink.connect.delta.table.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneTableLogTest {
  static final ColumnType.Struct SCHEMA =
      new ColumnType.Struct(
          List.of(
              new Column("city", Primitive.STRING, true),
              new Column("seq", Primitive.LONG, false)));

  @TempDir Path dir;

  private String location() {
    return dir.toUri().toString();
  }

  private StandaloneTableLog table(Configuration conf) {
    return new StandaloneTableLog(location(), conf, "t", "test-engine/1", 10, 1, ms -> {});
  }

  private StandaloneTableLog table() {
    return table(HadoopConf.build(Map.of()));
  }

  private List<WrittenFile> files(
      ColumnType.Struct schema, List<String> partitionBy, long from, long to, Object[]... rows)
      throws Exception {
    TopicPartitionWriter w =
        TestDataFiles.writer(
            HadoopConf.build(Map.of()), location(), schema, partitionBy, "part-t-0");
    if (rows.length > 0) {
      long offset = from;
      for (Object[] r : rows) {
        w.write(r, offset++);
      }
    } else {
      for (long i = from; i <= to; i++) {
        w.write(new Object[] {"c" + (i % 3), i}, i);
      }
    }
    return w.finishFiles();
  }

  @Test
  void createsTableAndRecordsTxnPerPartition() throws Exception {
    StandaloneTableLog t = table();
    assertThat(t.state()).isEmpty();
    assertThat(t.committedVersion("app/topic/0")).isEqualTo(-1);
    CommitOutcome out =
        t.commit(
            SCHEMA,
            List.of(),
            List.of(
                new PartitionCommit("app/topic/0", -1, 99, files(SCHEMA, List.of(), 0, 99)),
                new PartitionCommit("app/topic/1", -1, 49, files(SCHEMA, List.of(), 0, 49))));
    assertThat(out.tableVersion()).isZero();
    assertThat(out.committed()).containsExactlyInAnyOrder("app/topic/0", "app/topic/1");

    KernelReader reader = new KernelReader(location());
    assertThat(reader.rows()).hasSize(150);
    assertThat(reader.txnVersion("app/topic/0")).isEqualTo(99);
    assertThat(reader.txnVersion("app/topic/1")).isEqualTo(49);
    assertThat(t.state()).get().extracting(TableState::schema).isEqualTo(SCHEMA);
    assertThat(t.committedVersions(List.of("app/topic/0", "app/topic/9")))
        .containsEntry("app/topic/0", 99L)
        .containsEntry("app/topic/9", -1L);

    String log = Files.readString(dir.resolve("_delta_log/00000000000000000000.json"));
    assertThat(log)
        .contains("\"engineInfo\":\"test-engine/1")
        .contains("\"operation\":\"STREAMING UPDATE\"")
        .contains("\"appId\":\"app/topic/0\",\"version\":99,\"lastUpdated\":")
        .contains("\"stats\":\"{\\\"numRecords\\\":100");
  }

  @Test
  void committingTheSameBatchTwiceAddsNothing() throws Exception {
    StandaloneTableLog t = table();
    List<WrittenFile> batch = files(SCHEMA, List.of(), 0, 9);
    PartitionCommit pc = new PartitionCommit("a/t/0", -1, 9, batch);
    assertThat(t.commit(SCHEMA, List.of(), List.of(pc)).tableVersion()).isZero();
    CommitOutcome again = t.commit(SCHEMA, List.of(), List.of(pc));
    assertThat(again.tableVersion()).isEqualTo(-1);
    assertThat(again.committed()).containsExactly("a/t/0");
    assertThat(new KernelReader(location()).rows()).hasSize(10);
    assertThat(new KernelReader(location()).snapshot().getVersion()).isZero();
  }

  @Test
  void fencesAPartitionAnotherOwnerAdvanced() throws Exception {
    StandaloneTableLog t = table();
    t.commit(
        SCHEMA,
        List.of(),
        List.of(new PartitionCommit("a/t/0", -1, 20, files(SCHEMA, List.of(), 0, 20))));
    // A stale owner still thinks nothing is committed and holds offsets 0..14 of partition 0.
    CommitOutcome stale =
        t.commit(
            SCHEMA,
            List.of(),
            List.of(
                new PartitionCommit("a/t/0", -1, 14, files(SCHEMA, List.of(), 0, 14)),
                new PartitionCommit("a/t/1", -1, 4, files(SCHEMA, List.of(), 0, 4))));
    assertThat(stale.fenced()).containsExactly(Map.entry("a/t/0", 20L));
    assertThat(stale.committed()).containsExactly("a/t/1");
    assertThat(new KernelReader(location()).rows()).hasSize(21 + 5);
  }

  @Test
  void unknownOutcomeIsResolvedFromTheLogWithoutDuplicates() throws Exception {
    Configuration conf =
        HadoopConf.build(
            Map.of("delta.logStore.file.impl", FailingAfterWriteLogStore.class.getName()));
    StandaloneTableLog t = table(conf);
    FailingAfterWriteLogStore.FAILURES_LEFT.set(1);
    CommitOutcome out =
        t.commit(
            SCHEMA,
            List.of(),
            List.of(new PartitionCommit("a/t/0", -1, 9, files(SCHEMA, List.of(), 0, 9))));
    // The fault fired on the only commit write: the retry found the txn in the log and wrote
    // nothing.
    assertThat(FailingAfterWriteLogStore.FAILURES_LEFT.get()).isZero();
    assertThat(out.committed()).containsExactly("a/t/0");
    KernelReader reader = new KernelReader(location());
    assertThat(reader.rows()).hasSize(10);
    assertThat(reader.snapshot().getVersion()).isZero();
  }

  @Test
  void concurrentWritersOnOneLocalTableLoseNoCommit() throws Exception {
    int writers = 3;
    int commitsEach = 15;
    table()
        .commit(
            SCHEMA,
            List.of(),
            List.of(new PartitionCommit("seed", -1, 0, files(SCHEMA, List.of(), 0, 0))));
    commitConcurrently(
        writers,
        commitsEach,
        () ->
            new StandaloneTableLog(
                location(), HadoopConf.build(Map.of()), "t", "e", 50, 1, ms -> {}),
        (from, to) -> files(SCHEMA, List.of(), from, to));
    KernelReader reader = new KernelReader(location());
    assertThat(reader.snapshot().getVersion()).isEqualTo(writers * commitsEach);
    assertThat(reader.rows()).hasSize(1 + writers * commitsEach * 10);
    for (int w = 0; w < writers; w++) {
      assertThat(reader.txnVersion("a/t/" + w)).isEqualTo(commitsEach * 10L - 1);
    }
  }

  /** Writes the files of offsets {@code from..to} of one partition, ready to commit. */
  @FunctionalInterface
  interface FileMaker {
    List<WrittenFile> files(long from, long to) throws Exception;
  }

  /**
   * {@code writers} threads, each with its own table instance and its own app id {@code a/t/<n>},
   * commit {@code commitsEach} batches of 10 offsets at the same time; every commit must land.
   */
  static void commitConcurrently(
      int writers,
      int commitsEach,
      java.util.function.Supplier<StandaloneTableLog> table,
      FileMaker files)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String appId = "a/t/" + w;
      futures.add(
          pool.submit(
              () -> {
                StandaloneTableLog t = table.get();
                long last = -1;
                for (int c = 0; c < commitsEach; c++) {
                  long next = last + 10;
                  CommitOutcome o =
                      t.commit(
                          SCHEMA,
                          List.of(),
                          List.of(
                              new PartitionCommit(appId, last, next, files.files(last + 1, next))));
                  assertThat(o.committed()).containsExactly(appId);
                  last = next;
                }
                return null;
              }));
    }
    try {
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void refusesTablesWithANewerProtocol() throws Exception {
    Path log = Files.createDirectories(dir.resolve("_delta_log"));
    Files.writeString(
        log.resolve("00000000000000000000.json"),
        String.join(
            "\n",
            "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"deletionVectors\"],\"writerFeatures\":[\"deletionVectors\"]}}",
            "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":\""
                + io.deltasink.connect.delta.schema.DeltaSchemaJson.toJson(SCHEMA)
                    .replace("\"", "\\\"")
                + "\",\"partitionColumns\":[],\"configuration\":{},\"createdTime\":1}}"),
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> table().state())
        .isInstanceOf(io.deltasink.connect.delta.table.NewerProtocolException.class)
        .hasMessageContaining(
            "needs a newer Delta protocol than Delta Standalone writes (reader version 1, writer version 2)");
  }

  @Test
  void filesThatDoNotFitTheTableAreWrittenAgainNotAdded() throws Exception {
    StandaloneTableLog t = table();
    t.commit(
        SCHEMA,
        List.of(),
        List.of(new PartitionCommit("a/t/0", -1, 1, files(SCHEMA, List.of(), 0, 1))));
    ColumnType.Struct other =
        new ColumnType.Struct(List.of(new Column("seq", Primitive.STRING, false)));
    CommitOutcome outcome =
        t.commit(
            other,
            List.of(),
            List.of(
                new PartitionCommit(
                    "a/t/0", 1, 2, files(other, List.of(), 2, 2, new Object[] {"2"}))));
    assertThat(outcome.missing()).containsExactly("a/t/0");
    assertThat(outcome.tableVersion()).isEqualTo(-1);
    assertThat(outcome.state().schema()).isEqualTo(SCHEMA);
    assertThat(t.committedVersion("a/t/0")).isEqualTo(1);
  }

  @Test
  void everyTypeRoundTripsThroughAnIndependentReader() throws Exception {
    ColumnType.Struct point =
        new ColumnType.Struct(
            List.of(
                new Column("x", Primitive.DOUBLE, false),
                new Column("label", Primitive.STRING, true)));
    ColumnType.Struct schema =
        new ColumnType.Struct(
            List.of(
                new Column("b", Primitive.BOOLEAN, true),
                new Column("i8", Primitive.BYTE, true),
                new Column("i16", Primitive.SHORT, true),
                new Column("i32", Primitive.INTEGER, true),
                new Column("i64", Primitive.LONG, true),
                new Column("f32", Primitive.FLOAT, true),
                new Column("f64", Primitive.DOUBLE, true),
                new Column("s", Primitive.STRING, true),
                new Column("bin", Primitive.BINARY, true),
                new Column("d", Primitive.DATE, true),
                new Column("ts", Primitive.TIMESTAMP, true),
                new Column("dec9", new ColumnType.Decimal(9, 2), true),
                new Column("dec18", new ColumnType.Decimal(18, 4), true),
                new Column("dec38", new ColumnType.Decimal(38, 18), true),
                new Column("p", point, true),
                new Column("arr", new ColumnType.Array(Primitive.INTEGER, true), true),
                new Column(
                    "m", new ColumnType.MapType(Primitive.STRING, Primitive.LONG, true), true),
                new Column("day", Primitive.DATE, true)));
    Object[] full = {
      true,
      (byte) -8,
      (short) 1234,
      42,
      1L << 40,
      1.5f,
      -2.25,
      "grüße",
      new byte[] {0, 1, -1},
      19_358,
      1_672_531_200_123_456L,
      new BigDecimal("-1234567.89"),
      new BigDecimal("12345678901234.5678"),
      new BigDecimal("-12345678901234567890.123456789012345678"),
      new Object[] {3.5, null},
      Arrays.asList(1, null, 3),
      Map.of("k", 7L),
      19_000
    };
    Object[] empty = new Object[full.length];
    empty[empty.length - 1] = 19_001;
    List<WrittenFile> written = files(schema, List.of("day"), 0, 1, full, empty);
    table().commit(schema, List.of("day"), List.of(new PartitionCommit("a/t/0", -1, 1, written)));

    List<Map<String, Object>> rows = new KernelReader(location()).rows();
    assertThat(rows).hasSize(2);
    Map<String, Object> r =
        rows.stream()
            .filter(x -> Integer.valueOf(19_000).equals(x.get("day")))
            .findFirst()
            .orElseThrow();
    assertThat(r)
        .containsEntry("b", true)
        .containsEntry("i8", (byte) -8)
        .containsEntry("i16", (short) 1234)
        .containsEntry("i32", 42)
        .containsEntry("i64", 1L << 40)
        .containsEntry("f32", 1.5f)
        .containsEntry("f64", -2.25)
        .containsEntry("s", "grüße")
        .containsEntry("d", 19_358)
        .containsEntry("ts", 1_672_531_200_123_456L)
        .containsEntry("dec9", new BigDecimal("-1234567.89"))
        .containsEntry("dec18", new BigDecimal("12345678901234.5678"))
        .containsEntry("dec38", new BigDecimal("-12345678901234567890.123456789012345678"))
        .containsEntry("arr", Arrays.asList(1, null, 3))
        .containsEntry("m", Map.of("k", 7L));
    assertThat((byte[]) r.get("bin")).containsExactly(0, 1, -1);
    assertThat(r.get("p"))
        .isEqualTo(
            new java.util.LinkedHashMap<>(Map.of("x", 3.5)) {
              {
                put("label", null);
              }
            });
    Map<String, Object> nulls =
        rows.stream()
            .filter(x -> Integer.valueOf(19_001).equals(x.get("day")))
            .findFirst()
            .orElseThrow();
    Set<Object> values = new HashSet<>(nulls.values());
    assertThat(values).containsExactlyInAnyOrder(null, 19_001);
  }

  /**
   * Rows may hold decimals with fewer fraction digits than their column (the JSON mapping keeps
   * 13.6 as parsed); the files, the statistics and the partition values must still carry the
   * column's scale. 20,000 distinct values push the 16-byte column past its dictionary into plain
   * encoding.
   */
  @Test
  void decimalsNarrowerThanTheirColumnAreStoredAtTheColumnScale() throws Exception {
    ColumnType.Decimal d9 = new ColumnType.Decimal(9, 2);
    ColumnType.Decimal d18 = new ColumnType.Decimal(18, 4);
    ColumnType.Decimal d20 = new ColumnType.Decimal(20, 2);
    ColumnType.Decimal d38 = new ColumnType.Decimal(38, 18);
    ColumnType.Struct schema =
        new ColumnType.Struct(
            List.of(
                new Column("id", Primitive.LONG, false),
                new Column("dec9", d9, true),
                new Column("dec18", d18, true),
                new Column("dec20", d20, true),
                new Column("dec38", d38, true),
                new Column("bucket", new ColumnType.Decimal(10, 2), true)));
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      rows.add(
          new Object[] {
            (long) i,
            BigDecimal.valueOf(i - 10_000, 1),
            BigDecimal.valueOf(i * 7L),
            BigDecimal.valueOf(-i),
            BigDecimal.valueOf(i * 1_000_003L - 9_000_000_000L, 3),
            BigDecimal.valueOf(i % 2)
          });
    }
    // The edges of the 128-bit fast path and the BigInteger path behind it.
    BigDecimal[] edges = {
      new BigDecimal("99999999999999999999.999999999999999999"),
      new BigDecimal("-99999999999999999999.9"),
      new BigDecimal("-1E+19"),
      BigDecimal.valueOf(Long.MIN_VALUE, 18),
      BigDecimal.valueOf(Long.MAX_VALUE, 3),
      new BigDecimal("0.000000000000000001"),
      BigDecimal.ZERO
    };
    for (int i = 0; i < edges.length; i++) {
      rows.add(
          new Object[] {
            100_000L + i,
            null,
            null,
            new BigDecimal("-99999999999999999.9").add(BigDecimal.valueOf(i)),
            edges[i],
            BigDecimal.ONE
          });
    }
    List<WrittenFile> written =
        files(schema, List.of("bucket"), 0, rows.size() - 1, rows.toArray(new Object[0][]));
    table()
        .commit(
            schema,
            List.of("bucket"),
            List.of(new PartitionCommit("a/t/0", -1, rows.size() - 1, written)));

    Map<Long, Map<String, Object>> read = new java.util.HashMap<>();
    for (Map<String, Object> r : new KernelReader(location()).rows()) {
      read.put((Long) r.get("id"), r);
    }
    assertThat(read).hasSize(rows.size());
    ColumnType.Decimal[] types = {d9, d18, d20, d38, new ColumnType.Decimal(10, 2)};
    for (Object[] row : rows) {
      Map<String, Object> r = read.get((Long) row[0]);
      String[] names = {"dec9", "dec18", "dec20", "dec38", "bucket"};
      for (int c = 0; c < names.length; c++) {
        Object expected =
            row[c + 1] == null ? null : ((BigDecimal) row[c + 1]).setScale(types[c].scale());
        assertThat(r.get(names[c])).as("%s of row %s", names[c], row[0]).isEqualTo(expected);
      }
    }
    assertThat(written)
        .extracting(WrittenFile::partitionValues)
        .containsExactlyInAnyOrder(Map.of("bucket", "0.00"), Map.of("bucket", "1.00"));
    String log = Files.readString(dir.resolve("_delta_log/00000000000000000000.json"));
    assertThat(log)
        .contains("\\\"dec38\\\":-99999999999999999999.900000000000000000")
        .contains("\\\"dec38\\\":99999999999999999999.999999999999999999")
        .contains("\\\"dec9\\\":-1000.00");
  }

  @Test
  void notNullInsideCollectionsIsRelaxedAndDeltaRejectionsFailFast() throws Exception {
    ColumnType.Struct header =
        new ColumnType.Struct(List.of(new Column("k", Primitive.STRING, false)));
    ColumnType.Struct strict =
        new ColumnType.Struct(
            List.of(
                new Column("id", Primitive.LONG, false),
                new Column("hs", new ColumnType.Array(header, false), true)));
    ColumnType.Struct relaxed = strict.withNullableFieldsInCollections();
    assertThat(relaxed.fields().get(0).nullable()).as("top level keeps NOT NULL").isFalse();
    assertThat(
            ((ColumnType.Struct) ((ColumnType.Array) relaxed.fields().get(1).type()).element())
                .fields()
                .get(0)
                .nullable())
        .isTrue();
    List<WrittenFile> f =
        files(
            relaxed,
            List.of(),
            0,
            0,
            new Object[] {1L, List.<Object>of((Object) new Object[] {"a"})});
    assertThat(
            table()
                .commit(relaxed, List.of(), List.of(new PartitionCommit("a/t/0", -1, 0, f)))
                .tableVersion())
        .isZero();

    // The strict schema is what Delta refuses; that must fail at once, not after ten retries.
    Path other = Files.createDirectories(dir.resolve("other"));
    StandaloneTableLog t2 =
        new StandaloneTableLog(
            other.toUri().toString(),
            HadoopConf.build(Map.of()),
            "t",
            "e",
            10,
            60_000,
            ms -> {
              throw new AssertionError("must not back off");
            });
    assertThatThrownBy(
            () -> t2.commit(strict, List.of(), List.of(new PartitionCommit("a/t/0", -1, 0, f))))
        .isInstanceOf(ConnectException.class)
        .isNotInstanceOf(org.apache.kafka.connect.errors.RetriableException.class)
        .hasMessageContaining("Delta rejected the commit")
        .hasMessageContaining("NOT NULL");
  }
}
