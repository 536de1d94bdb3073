package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.HookedTable;
import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkWriterTest {
  private static final TopicPartition P0 = new TopicPartition("temps", 0);
  private static final TopicPartition P1 = new TopicPartition("temps", 1);

  @TempDir Path dir;
  private final MockTime time = new MockTime(0, 1_000_000, 0);
  private final FakeSinkTaskContext context = new FakeSinkTaskContext();

  private Map<String, String> props(String... extra) {
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, dir.toUri().toString());
    p.put(DeltaSinkConfig.FLUSH_RECORDS_CONFIG, "100");
    p.put(DeltaSinkConfig.FLUSH_INTERVAL_MS_CONFIG, "10000");
    for (int i = 0; i < extra.length; i += 2) {
      p.put(extra[i], extra[i + 1]);
    }
    return p;
  }

  private SinkWriter writer(String... extra) {
    return new SinkWriter(new DeltaSinkConfig(props(extra)), "conn", context, time);
  }

  private static List<SinkRecord> records(TopicPartition tp, long from, long to) {
    return Fixtures.records(tp, from, to);
  }

  /**
   * Four topics routed to four tables under {@code dir}, each table's Delta commit behind {@code
   * hook}.
   */
  private SinkWriter fourTables(java.util.function.Function<String, Runnable> hook) {
    StringBuilder routes = new StringBuilder("[");
    for (int t = 0; t < 4; t++) {
      routes
          .append(t == 0 ? "" : ",")
          .append("{'topic':'t")
          .append(t)
          .append("','db':'db','table':'t")
          .append(t)
          .append("'}");
    }
    // Commits only at the flush interval, when the test moves the clock.
    Map<String, String> p =
        props(
            DeltaSinkConfig.TABLES_ROOT_CONFIG,
            dir.toUri().toString(),
            DeltaSinkConfig.TABLES_ROUTING_CONFIG,
            routes.append(']').toString(),
            DeltaSinkConfig.FLUSH_RECORDS_CONFIG,
            "1000");
    p.remove(DeltaSinkConfig.TABLE_LOCATION_CONFIG);
    org.apache.hadoop.conf.Configuration conf =
        io.deltasink.connect.delta.config.HadoopConf.build(Map.of());
    return new SinkWriter(
        new DeltaSinkConfig(p),
        "conn",
        context,
        time,
        (location, name) ->
            new HookedTable(
                new io.deltasink.connect.delta.table.standalone.StandaloneTableLog(
                    location, conf, name, "test", 1, 1, ms -> {}),
                hook.apply(location)));
  }

  private static List<TopicPartition> fourTopics() {
    return List.of(
        new TopicPartition("t0", 0),
        new TopicPartition("t1", 0),
        new TopicPartition("t2", 0),
        new TopicPartition("t3", 0));
  }

  private long rowsIn(String table) {
    return new KernelReader(dir.resolve("db/" + table).toUri().toString()).rows().size();
  }

  @Test
  void aTableWithAFeatureTheConnectorCannotWriteFailsTheTaskWithTheFeatureNamed() throws Exception {
    // Another engine added a CHECK constraint after the connector was validated.
    io.deltasink.connect.delta.testing.FeatureTables.writeVersionZero(
        dir,
        "{\"minReaderVersion\":1,\"minWriterVersion\":3}",
        "{\"type\":\"struct\",\"fields\":[{\"name\":\"seq\",\"type\":\"long\","
            + "\"nullable\":true,\"metadata\":{}}]}",
        "{\"delta.constraints.positive\":\"seq > 0\"}");
    SinkWriter w = writer();
    assertThatThrownBy(() -> w.open(List.of(P0)))
        .isInstanceOf(org.apache.kafka.connect.errors.ConnectException.class)
        .hasMessageStartingWith(
            "Delta table "
                + dir.toUri().toString().replaceAll("/$", "")
                + " uses the table feature 'checkConstraints', which this connector cannot write");
    w.close();
  }

  @Test
  void tablesCommitAtTheSameTime() {
    // Each Delta commit waits until all four are under way: commits one after the other never get
    // there.
    java.util.concurrent.CyclicBarrier allFour = new java.util.concurrent.CyclicBarrier(4);
    SinkWriter w =
        fourTables(
            location ->
                () -> {
                  try {
                    allFour.await(20, java.util.concurrent.TimeUnit.SECONDS);
                  } catch (Exception e) {
                    throw new IllegalStateException("the four tables' commits did not overlap", e);
                  }
                });
    w.open(fourTopics());
    for (TopicPartition tp : fourTopics()) {
      w.put(records(tp, 0, 25));
    }
    time.sleep(10_000);
    Map<TopicPartition, OffsetAndMetadata> committed = w.preCommit(Map.of());
    assertThat(committed).hasSize(4).allSatisfy((tp, o) -> assertThat(o.offset()).isEqualTo(25));
    for (int t = 0; t < 4; t++) {
      assertThat(rowsIn("t" + t)).isEqualTo(25);
    }
    w.close();
  }

  @Test
  void aTableWhoseCommitFailsDoesNotHoldBackTheOthersAndCommitsOnceLater() {
    java.util.concurrent.atomic.AtomicInteger failures =
        new java.util.concurrent.atomic.AtomicInteger(1);
    SinkWriter w =
        fourTables(
            location ->
                location.replaceAll("/+$", "").endsWith("/t2")
                    ? () -> {
                      if (failures.getAndDecrement() > 0) {
                        throw new org.apache.kafka.connect.errors.RetriableException(
                            "injected: the log of t2 is unreachable");
                      }
                    }
                    : () -> {});
    w.open(fourTopics());
    for (TopicPartition tp : fourTopics()) {
      w.put(records(tp, 0, 25));
    }
    time.sleep(10_000);
    Map<TopicPartition, OffsetAndMetadata> first = w.preCommit(Map.of());
    assertThat(first)
        .as("the three other tables committed; t2 not yet")
        .hasSize(3)
        .doesNotContainKey(new TopicPartition("t2", 0));
    assertThat(rowsIn("t0")).isEqualTo(25);
    time.sleep(10_000);
    Map<TopicPartition, OffsetAndMetadata> second = w.preCommit(Map.of());
    assertThat(second).hasSize(4).allSatisfy((tp, o) -> assertThat(o.offset()).isEqualTo(25));
    for (int t = 0; t < 4; t++) {
      assertThat(rowsIn("t" + t)).as("table t%d", t).isEqualTo(25);
    }
    w.close();
  }

  /**
   * Issue 12 case 1: the task thread is interrupted while its Delta commits run on the commit
   * threads. It must not give up on them (a commit left running could land after the task dropped
   * its files): the flush waits for them, records their outcome, and the interrupt is kept for the
   * caller.
   */
  @Test
  void anInterruptedFlushWaitsForTheCommitsItStarted() throws Exception {
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(4);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    SinkWriter w =
        fourTables(
            location ->
                () -> {
                  started.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                });
    w.open(fourTopics());
    for (TopicPartition tp : fourTopics()) {
      w.put(records(tp, 0, 25));
    }
    java.util.concurrent.CountDownLatch flushed = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean interruptKept =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread task =
        new Thread(
            () -> {
              try {
                w.flush();
              } catch (Throwable t) {
                failure.set(t);
              } finally {
                interruptKept.set(Thread.currentThread().isInterrupted());
                flushed.countDown();
              }
            });
    task.start();
    assertThat(started.await(30, java.util.concurrent.TimeUnit.SECONDS))
        .as("the four commits started")
        .isTrue();
    task.interrupt();
    assertThat(flushed.await(1, java.util.concurrent.TimeUnit.SECONDS))
        .as("the flush returned while its commits ran")
        .isFalse();
    release.countDown();
    assertThat(flushed.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(failure.get()).isNull();
    assertThat(interruptKept.get()).as("the interrupt is kept").isTrue();
    assertThat(w.preCommit(Map.of()))
        .hasSize(4)
        .allSatisfy((tp, o) -> assertThat(o.offset()).isEqualTo(25));
    w.close();
    for (int t = 0; t < 4; t++) {
      assertThat(rowsIn("t" + t)).isEqualTo(25);
    }
  }

  private KernelReader reader() {
    return new KernelReader(dir.toUri().toString());
  }

  @Test
  void flushesOnRecordCountAndReportsOnlyCommittedOffsets() {
    SinkWriter w = writer();
    w.open(List.of(P0, P1));
    w.put(records(P0, 0, 60));
    assertThat(w.preCommit(Map.of())).isEmpty();
    assertThat(Files.exists(dir.resolve("_delta_log"))).isFalse();
    w.put(records(P1, 0, 40));
    assertThat(w.preCommit(Map.of()))
        .containsOnly(
            Map.entry(P0, new OffsetAndMetadata(60)), Map.entry(P1, new OffsetAndMetadata(40)));
    assertThat(reader().rows()).hasSize(100);
    assertThat(reader().txnVersion("conn/temps/0")).isEqualTo(59);
    assertThat(reader().snapshot().getVersion()).as("one commit per flush").isZero();
  }

  @Test
  void flushesOnTimeInPreCommit() {
    SinkWriter w = writer();
    w.open(List.of(P0));
    w.put(records(P0, 0, 5));
    time.sleep(9_999);
    assertThat(w.preCommit(Map.of())).isEmpty();
    time.sleep(1);
    assertThat(w.preCommit(Map.of())).containsOnly(Map.entry(P0, new OffsetAndMetadata(5)));
  }

  @Test
  void flushesOnBytes() {
    SinkWriter w =
        writer(
            DeltaSinkConfig.FLUSH_RECORDS_CONFIG,
            "1000000",
            DeltaSinkConfig.FLUSH_BYTES_CONFIG,
            "4096");
    w.open(List.of(P0));
    w.put(records(P0, 0, 3000));
    assertThat(reader().rows().size()).isPositive();
  }

  @Test
  void openRewindsToTheLogAndReplaysAreSkipped() {
    SinkWriter first = writer();
    first.open(List.of(P0));
    first.put(records(P0, 0, 100));
    first.close();

    FakeSinkTaskContext ctx2 = new FakeSinkTaskContext();
    SinkWriter second = new SinkWriter(new DeltaSinkConfig(props()), "conn", ctx2, time);
    second.open(List.of(P0, P1));
    assertThat(ctx2.offsets).containsOnly(Map.entry(P0, 100L));
    // The consumer group was reset to 0: everything below 100 is in the table already.
    second.put(records(P0, 0, 150));
    second.put(records(P1, 0, 50));
    second.flush();
    List<Map<String, Object>> rows = reader().rows();
    assertThat(rows).hasSize(200);
    assertThat(rows.stream().map(r -> r.get("seq")).distinct().count()).isEqualTo(150);
  }

  @Test
  void redeliveredBatchIsNotBufferedTwice() {
    SinkWriter w = writer();
    w.open(List.of(P0));
    w.put(records(P0, 0, 30));
    w.put(records(P0, 0, 30));
    w.put(records(P0, 30, 40));
    w.flush();
    assertThat(reader().rows()).hasSize(40);
  }

  @Test
  void closeCommitsTheRowsOfThePartitionsItGivesUpAndTheNextOwnerResumesAfterThem() {
    SinkWriter w = writer(DeltaSinkConfig.KAFKA_COLUMNS_CONFIG, "partition,offset");
    w.open(List.of(P0, P1));
    w.put(records(P0, 0, 10));
    w.put(records(P1, 0, 10));
    w.close(List.of(P0));
    assertThat(reader().txnVersion("conn/temps/0")).isEqualTo(9);
    assertThat(reader().txnVersion("conn/temps/1"))
        .as("the table's other rows go in the same commit")
        .isEqualTo(9);

    FakeSinkTaskContext ctx2 = new FakeSinkTaskContext();
    SinkWriter next =
        new SinkWriter(
            new DeltaSinkConfig(props(DeltaSinkConfig.KAFKA_COLUMNS_CONFIG, "partition,offset")),
            "conn",
            ctx2,
            time);
    next.open(List.of(P0));
    assertThat(ctx2.offsets).containsEntry(P0, 10L);
    next.put(records(P0, 0, 15)); // a replay from the consumer group's older offset
    next.flush();
    Set<String> expected = ExactlyOnce.offsets(0, 0, 15);
    expected.addAll(ExactlyOnce.offsets(1, 0, 10));
    ExactlyOnce.assertEachOffsetOnce(reader().rows(), expected);
  }

  @Test
  void aBadRecordThatFailsTheTaskLeavesNothingOfTheBatchToCommitOnClose() {
    SinkWriter w = writer(DeltaSinkConfig.TOMBSTONE_POLICY_CONFIG, "dlq");
    w.open(List.of(P0));
    List<SinkRecord> batch = new ArrayList<>(records(P0, 0, 10));
    batch.add(new SinkRecord("temps", 0, null, null, null, null, 10));
    assertThatThrownBy(() -> w.put(batch))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("offset 10");
    w.close(List.of(P0));
    assertThat(Files.exists(dir.resolve("_delta_log"))).as("no commit").isFalse();
  }

  @Test
  void afterAnErrorInPutCloseCommitsNothing() {
    SinkWriter w =
        writer(DeltaSinkConfig.TOMBSTONE_POLICY_CONFIG, "dlq", "errors.tolerance", "all");
    context.reporter =
        (record, error) -> {
          throw new OutOfMemoryError("simulated");
        };
    w.open(List.of(P0));
    w.put(records(P0, 0, 10));
    List<SinkRecord> tombstone = List.of(new SinkRecord("temps", 0, null, null, null, null, 10));
    assertThatThrownBy(() -> w.put(tombstone)).isInstanceOf(OutOfMemoryError.class);
    w.close(List.of(P0));
    assertThat(Files.exists(dir.resolve("_delta_log"))).as("no commit").isFalse();
  }

  @Test
  void aQuietTopicIsCommittedAtTheFlushIntervalNotAtTheWorkersOffsetCommit() {
    SinkWriter w =
        writer(
            DeltaSinkConfig.FLUSH_INTERVAL_MS_CONFIG,
            "2000",
            DeltaSinkConfig.FLUSH_IDLE_MS_CONFIG,
            "0");
    w.open(List.of(P0));
    w.put(records(P0, 0, 10));
    assertThat(context.timeoutMs)
        .as("Connect is asked to call put() again by the deadline")
        .isEqualTo(2000);
    time.sleep(1500);
    w.put(List.of());
    assertThat(context.timeoutMs).isEqualTo(500);
    assertThat(Files.exists(dir.resolve("_delta_log"))).isFalse();
    time.sleep(500);
    w.put(List.of()); // what WorkerSinkTask does when that shorter poll brings nothing
    assertThat(reader().txnVersion("conn/temps/0")).isEqualTo(9);
  }

  @Test
  void whatATaskHoldsIsCommittedOnceThePollsComeBackEmptyHoweverLittle() {
    // Issue 12 case 18: no minimum amount any more (it was a tenth of delta.flush.records).
    SinkWriter w = writer(DeltaSinkConfig.FLUSH_IDLE_MS_CONFIG, "200");
    w.open(List.of(P0, P1));
    w.put(records(P1, 0, 9));
    assertThat(context.timeoutMs).as("called back after the idle time").isEqualTo(200);
    w.put(records(P0, 0, 40));
    assertThat(Files.exists(dir.resolve("_delta_log"))).as("records still arriving").isFalse();
    time.sleep(200);
    w.put(List.of()); // the poll brought nothing for 200 ms
    assertThat(reader().txnVersion("conn/temps/0")).isEqualTo(39);
    assertThat(reader().txnVersion("conn/temps/1")).isEqualTo(8);
  }

  @Test
  void withoutIdleCommitsATrickleWaitsForTheInterval() {
    SinkWriter w = writer(DeltaSinkConfig.FLUSH_IDLE_MS_CONFIG, "0");
    w.open(List.of(P0, P1));
    w.put(records(P1, 0, 9));
    assertThat(context.timeoutMs).as("called back at the flush interval").isEqualTo(10_000);
    time.sleep(200);
    w.put(List.of());
    assertThat(Files.exists(dir.resolve("_delta_log")))
        .as("9 records wait for the interval")
        .isFalse();
    time.sleep(9_800);
    w.put(List.of());
    assertThat(reader().txnVersion("conn/temps/1")).isEqualTo(8);
  }

  @Test
  void staleOwnerIsFencedAndRewound() {
    SinkWriter stale = writer();
    stale.open(List.of(P0));
    stale.put(records(P0, 0, 50));

    FakeSinkTaskContext ctx2 = new FakeSinkTaskContext();
    SinkWriter owner = new SinkWriter(new DeltaSinkConfig(props()), "conn", ctx2, time);
    owner.open(List.of(P0));
    owner.put(records(P0, 0, 80));
    owner.flush();

    stale.flush();
    assertThat(context.offsets).containsEntry(P0, 80L);
    assertThat(stale.preCommit(Map.of())).containsOnly(Map.entry(P0, new OffsetAndMetadata(80)));
    assertThat(reader().rows()).hasSize(80);
    assertThat(reader().txnVersion("conn/temps/0")).isEqualTo(79);
  }

  @Test
  void kafkaCoordinateColumnsAndPartitioning() {
    SinkWriter w =
        writer(
            DeltaSinkConfig.KAFKA_COLUMNS_CONFIG,
            "topic,partition,offset,timestamp",
            DeltaSinkConfig.PARTITION_COLUMNS_CONFIG,
            "kafka_partition");
    w.open(List.of(P0, P1));
    w.put(records(P0, 0, 3));
    w.put(records(P1, 5, 7));
    w.flush();
    List<Map<String, Object>> rows = reader().rows();
    assertThat(rows).hasSize(5);
    assertThat(rows)
        .anySatisfy(
            r ->
                assertThat(r)
                    .containsEntry("kafka_topic", "temps")
                    .containsEntry("kafka_partition", 1)
                    .containsEntry("kafka_offset", 6L)
                    .containsEntry("kafka_timestamp", (1_700_000_000_000L + 6) * 1000));
    assertThat(reader().snapshot().getPartitionColumnNames()).containsExactly("kafka_partition");
  }

  @Test
  void badRecordNamesTopicPartitionOffsetAndField() {
    SinkWriter w = writer();
    w.open(List.of(P0));
    w.put(records(P0, 0, 1));
    Schema other = SchemaBuilder.struct().field("latitude", Schema.STRING_SCHEMA).build();
    SinkRecord bad =
        new SinkRecord(
            "temps", 0, null, null, other, new Struct(other).put("latitude", "north"), 1);
    assertThatThrownBy(() -> w.put(List.of(bad)))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "topic 'temps' partition 0 offset 1: field 'latitude': record type string cannot be written "
                + "to table column type double");
  }
}
