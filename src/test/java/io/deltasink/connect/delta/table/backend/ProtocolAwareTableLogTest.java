package io.deltasink.connect.delta.table.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.testing.FeatureTables;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.SequenceFiles;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The choice of backend per table, and the switch when another engine upgrades the protocol. */
class ProtocolAwareTableLogTest {
  private static final ColumnType.Struct SCHEMA = SequenceFiles.SCHEMA;

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
    return SequenceFiles.files(location(), from, to);
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
    try (ProtocolAwareTableLog t =
        new ProtocolAwareTableLog(
            location(),
            () -> {
              throw new AssertionError("Standalone must not open the table");
            },
            () ->
                new io.deltasink.connect.delta.table.kernel.KernelTableLog(
                    location(),
                    HadoopConf.build(Map.of()),
                    "test/1",
                    3,
                    1,
                    ms -> {},
                    Map.of("delta.enableDeletionVectors", "true")),
            () -> {
              if (looks.getAndIncrement() == 0) {
                throw new org.apache.kafka.connect.errors.RetriableException(
                    "injected: the log cannot be listed");
              }
              return ProtocolAwareTableLog.Found.NO_TABLE;
            },
            true)) {
      PartitionCommit pc = new PartitionCommit("a/t/0", -1, 9, files(0, 9));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> t.commit(SCHEMA, List.of(), List.of(pc)))
          .isInstanceOf(org.apache.kafka.connect.errors.RetriableException.class);
      assertThat(t.onKernel()).isFalse();
      assertThat(t.commit(SCHEMA, List.of(), List.of(pc)).committed()).containsExactly("a/t/0");
      assertThat(t.onKernel()).isTrue();
    }
    assertThat(FeatureTables.protocol(location())).startsWith("(3,7)").contains("deletionVectors");
  }

  /**
   * A v2-checkpoint table that has a V2 checkpoint, which Delta Standalone cannot load (its {@code
   * _last_checkpoint} names a version without a classic checkpoint): Kernel writes it from the
   * first call on, as the look at the log finds the protocol (found by CI: a task opening such a
   * table retried Standalone's storage error forever).
   */
  @Test
  void aTableWithAV2CheckpointGoesToKernelWithoutTryingStandalone() throws Exception {
    try (io.deltasink.connect.delta.table.kernel.KernelTableLog k =
        new io.deltasink.connect.delta.table.kernel.KernelTableLog(
            location(),
            HadoopConf.build(Map.of()),
            "test/1",
            3,
            1,
            ms -> {},
            Map.of("delta.checkpointPolicy", "v2", "delta.checkpointInterval", "2"))) {
      for (int b = 0; b < 3; b++) {
        k.commit(
            SCHEMA,
            List.of(),
            List.of(
                new PartitionCommit("a/t/0", b * 10L - 1, b * 10L + 9, files(b * 10, b * 10 + 9))));
      }
    }
    assertThat(java.nio.file.Files.readString(dir.resolve("_delta_log/_last_checkpoint")))
        .contains("\"version\":2");
    try (ProtocolAwareTableLog t = open()) {
      assertThat(t.committedVersion("a/t/0")).isEqualTo(29);
      assertThat(t.onKernel()).isTrue();
      t.commit(SCHEMA, List.of(), List.of(new PartitionCommit("a/t/0", 29, 39, files(30, 39))));
    }
    assertThat(new KernelReader(location()).rows()).hasSize(40);
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
