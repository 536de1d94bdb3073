package io.deltasink.connect.delta.table.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.testing.FeatureTables;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.writer.TableLayout;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WriterSettings;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The choice of backend per table, and the switch when another engine upgrades the protocol. */
class ProtocolAwareTableLogTest {
  private static final ColumnType.Struct SCHEMA =
      new ColumnType.Struct(
          List.of(
              new Column("city", Primitive.STRING, true),
              new Column("seq", Primitive.LONG, false)));

  @TempDir Path dir;

  private String location() {
    return dir.toUri().toString();
  }

  private ProtocolAwareTableLog open(String... properties) {
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, location());
    for (int i = 0; i < properties.length; i += 2) {
      p.put(DeltaSinkConfig.TABLE_PROPERTIES_PREFIX + properties[i], properties[i + 1]);
    }
    return new DeltaTables(new DeltaSinkConfig(p), HadoopConf.build(Map.of()), "test/1", ms -> {})
        .open(location(), "t");
  }

  private List<WrittenFile> files(long from, long to) throws Exception {
    TopicPartitionWriter w =
        new TopicPartitionWriter(
            HadoopConf.build(Map.of()),
            new TableLayout(new org.apache.hadoop.fs.Path(location()), SCHEMA, List.of()),
            new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 64 * 1024),
            "part-t-" + from);
    for (long i = from; i <= to; i++) {
      w.write(new Object[] {"c" + (i % 3), i}, i);
    }
    return w.finishFiles();
  }

  @Test
  void aTableTheSinkCreatesIsProtocolOneTwoThroughStandaloneByDefault() throws Exception {
    try (ProtocolAwareTableLog t = open()) {
      t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", -1, 9, files(0, 9))));
      assertThat(t.onKernel()).isFalse();
    }
    assertThat(FeatureTables.protocol(location())).isEqualTo("(1,2) [appendOnly, invariants]");
  }

  @Test
  void propertiesThatNeedANewerProtocolCreateTheTableThroughKernel() throws Exception {
    try (ProtocolAwareTableLog t =
        open("delta.enableDeletionVectors", "true", "delta.enableInCommitTimestamps", "true")) {
      t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", -1, 9, files(0, 9))));
      assertThat(t.onKernel()).isTrue();
    }
    assertThat(FeatureTables.protocol(location()))
        .startsWith("(3,7)")
        .contains("deletionVectors", "inCommitTimestamp");
    KernelReader reader = new KernelReader(location());
    assertThat(reader.rows()).hasSize(10);
    assertThat(reader.snapshot().getTableProperties())
        .containsEntry("delta.checkpointInterval", "100")
        .containsEntry("delta.logRetentionDuration", "interval 2 days");
  }

  /**
   * The table properties need a newer protocol, and the first look at the table fails with a
   * storage error: the choice waits for a look that succeeds, so Standalone never creates the table
   * at (1,2) with properties it does not support.
   */
  @Test
  void aStorageErrorOnTheFirstLookLeavesTheChoiceOfBackendToTheNextCall() throws Exception {
    java.util.concurrent.atomic.AtomicInteger looks =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger closed =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.function.Supplier<io.deltasink.connect.delta.table.TableLog> standalone =
        () ->
            (io.deltasink.connect.delta.table.TableLog)
                java.lang.reflect.Proxy.newProxyInstance(
                    getClass().getClassLoader(),
                    new Class<?>[] {io.deltasink.connect.delta.table.TableLog.class},
                    (proxy, method, args) -> {
                      switch (method.getName()) {
                        case "state" -> {
                          if (looks.getAndIncrement() == 0) {
                            throw new org.apache.kafka.connect.errors.RetriableException(
                                "injected: the log cannot be listed");
                          }
                          return java.util.Optional.empty();
                        }
                        case "close" -> {
                          closed.incrementAndGet();
                          return null;
                        }
                        default -> throw new AssertionError("Standalone used: " + method);
                      }
                    });
    try (ProtocolAwareTableLog t =
        new ProtocolAwareTableLog(
            location(),
            standalone,
            () ->
                new io.deltasink.connect.delta.table.kernel.KernelTableLog(
                    location(),
                    HadoopConf.build(Map.of()),
                    "test/1",
                    3,
                    1,
                    ms -> {},
                    Map.of("delta.enableDeletionVectors", "true")),
            true)) {
      PartitionCommit pc = new PartitionCommit("a/t/0", -1, 9, files(0, 9));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> t.commit(SCHEMA, List.of(), List.of(pc)))
          .isInstanceOf(org.apache.kafka.connect.errors.RetriableException.class);
      assertThat(t.onKernel()).isFalse();
      assertThat(t.commit(SCHEMA, List.of(), List.of(pc)).committed()).containsExactly("a/t/0");
      assertThat(t.onKernel()).isTrue();
    }
    assertThat(closed.get()).isEqualTo(2);
    assertThat(FeatureTables.protocol(location())).startsWith("(3,7)").contains("deletionVectors");
  }

  @Test
  void anUpgradeByAnotherEngineSwitchesTheBackendWithoutLosingOrRepeatingACommit()
      throws Exception {
    try (ProtocolAwareTableLog t = open()) {
      t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", -1, 9, files(0, 9))));
      assertThat(t.onKernel()).isFalse();
      FeatureTables.setProperties(location(), Map.of("delta.enableDeletionVectors", "true"));
      PartitionCommit next = new PartitionCommit("a/t/0", 9, 19, files(10, 19));
      CommitOutcome out = t.commit(SCHEMA, List.of(), List.of(next));
      assertThat(out.committed()).containsExactly("a/t/0");
      assertThat(t.onKernel()).isTrue();
      // The same commit again (a retry after an unknown outcome) adds nothing.
      assertThat(t.commit(SCHEMA, List.of(), List.of(next)).tableVersion()).isEqualTo(-1);
      assertThat(t.committedVersion("a/t/0")).isEqualTo(19);
    }
    KernelReader reader = new KernelReader(location());
    assertThat(reader.rows()).hasSize(20);
    assertThat(FeatureTables.protocol(location())).contains("deletionVectors");
  }
}
