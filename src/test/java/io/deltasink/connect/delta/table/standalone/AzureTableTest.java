package io.deltasink.connect.delta.table.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.table.AzureNamespace;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.LocalAbfsFileSystem;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta tables on {@code abfss://} locations, served by {@link LocalAbfsFileSystem}, with the log
 * store Delta chooses for the scheme in production ({@code AzureLogStore}: commit files published
 * by a rename that fails when the target exists).
 */
class AzureTableTest {
  private static final String LOCATION =
      "abfss://files@lake.dfs.core.windows.net/weather/temperatures";
  @TempDir Path dir;
  private final List<Configuration> built = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void reset() {
    LocalAbfsFileSystem.LOG_RENAMES.set(0);
    LocalAbfsFileSystem.CHECKPOINT_RENAMES.set(0);
    LocalAbfsFileSystem.CHECKPOINTS_CREATED_IN_PLACE.set(0);
  }

  private Map<String, String> hadoop(boolean hns) {
    Map<String, String> m = new HashMap<>();
    m.put("fs.abfss.impl", LocalAbfsFileSystem.class.getName());
    m.put("fs.abfss.impl.disable.cache", "true");
    m.put(LocalAbfsFileSystem.ROOT_KEY, dir.toString());
    m.put(LocalAbfsFileSystem.HNS_KEY, Boolean.toString(hns));
    m.put("fs.azure.account.auth.type.lake.dfs.core.windows.net", "SharedKey");
    m.put("fs.azure.account.key.lake.dfs.core.windows.net", "a2V5");
    return m;
  }

  /** A task's configuration: its own scope of file systems, closed after the test. */
  private Configuration conf() {
    Configuration conf = HadoopConf.build(hadoop(true));
    built.add(conf);
    return conf;
  }

  @AfterEach
  void closeFileSystems() {
    built.forEach(HadoopConf::close);
  }

  private List<WrittenFile> files(long from, long to) throws Exception {
    return TestDataFiles.sequence(conf(), LOCATION, "part-t-0", from, to);
  }

  @Test
  void concurrentWritersCommitThroughRenameWithoutLosingAVersion() throws Exception {
    int writers = 3;
    int commitsEach = 10;
    StandaloneTableLogTest.commitConcurrently(
        writers,
        commitsEach,
        () -> new StandaloneTableLog(LOCATION, conf(), "t", "e", 50, 1, ms -> {}),
        this::files);
    KernelReader reader = new KernelReader(LOCATION, conf());
    assertThat(reader.snapshot().getVersion()).isEqualTo(writers * commitsEach - 1);
    assertThat(reader.rows()).hasSize(writers * commitsEach * 10);
    for (int w = 0; w < writers; w++) {
      assertThat(reader.txnVersion("a/t/" + w)).isEqualTo(commitsEach * 10L - 1);
    }
    // Every version was published by a rename onto its commit file: Delta's AzureLogStore, not the
    // local-file log store this connector uses for file: tables.
    assertThat(LocalAbfsFileSystem.LOG_RENAMES.get()).isEqualTo(writers * commitsEach);
    assertThat(dir.resolve("lake.dfs.core.windows.net/files/weather/temperatures/_delta_log"))
        .isDirectory();
  }

  /**
   * Issue #12 case 19: Delta's {@code AzureLogStore} says partial writes are visible, so
   * checkpoints are renamed in.
   */
  @Test
  void checkpointsBecomeVisibleWholeThroughARename() throws Exception {
    CheckpointTest.createTable(conf(), LOCATION, 2);
    StandaloneTableLog t = new StandaloneTableLog(LOCATION, conf(), "t", "e", 5, 1, ms -> {});
    t.commit(
        StandaloneTableLogTest.SCHEMA,
        List.of(),
        List.of(new PartitionCommit("a/t/0", -1, 9, files(0, 9))));
    t.commit(
        StandaloneTableLogTest.SCHEMA,
        List.of(),
        List.of(new PartitionCommit("a/t/0", 9, 19, files(10, 19))));
    t.close(); // waits for the checkpoint of version 2, written off the commit path
    assertThat(
            dir.resolve(
                "lake.dfs.core.windows.net/files/weather/temperatures/_delta_log/"
                    + "00000000000000000002.checkpoint.parquet"))
        .isNotEmptyFile();
    assertThat(LocalAbfsFileSystem.CHECKPOINT_RENAMES).hasValue(1);
    assertThat(LocalAbfsFileSystem.CHECKPOINTS_CREATED_IN_PLACE).hasValue(0);
    assertThat(new KernelReader(LOCATION, conf()).txnVersion("a/t/0")).isEqualTo(19);
  }

  @Test
  void warnsWhenTheAccountHasNoHierarchicalNamespace() {
    assertThat(AzureNamespace.warning(HadoopConf.build(hadoop(false)), LOCATION))
        .hasValueSatisfying(
            w ->
                assertThat(w)
                    .contains(
                        "lake.dfs.core.windows.net",
                        "has no hierarchical namespace",
                        "tasks.max=1"));
    assertThat(AzureNamespace.warning(HadoopConf.build(hadoop(true)), LOCATION)).isEmpty();
    assertThat(AzureNamespace.warning(HadoopConf.build(Map.of()), dir.toUri().toString()))
        .isEmpty();
  }
}
