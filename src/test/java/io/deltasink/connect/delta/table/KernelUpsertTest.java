package io.deltasink.connect.delta.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.table.kernel.KernelTableLog;
import io.deltasink.connect.delta.testing.KernelReader;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/**
 * {@link UpsertContract} through Delta Kernel on a table at protocol (3,7) with deletion vectors
 * and in-commit timestamps (copy-on-write: no file gets a deletion vector), and the tables it
 * refuses.
 */
class KernelUpsertTest extends UpsertContract {
  @Override
  protected TableLog open(String location, Configuration conf) {
    return open(
        location,
        conf,
        Map.of("delta.enableDeletionVectors", "true", "delta.enableInCommitTimestamps", "true"));
  }

  private static TableLog open(String location, Configuration conf, Map<String, String> props) {
    return new KernelTableLog(location, conf, "test/1", 10, 1, ms -> {}, props);
  }

  @Test
  void theTableIsAKernelTable() throws Exception {
    theBatchsKeysReplaceTheirRowsAndOtherRowsStay();
    assertThat(new KernelReader(location()).snapshot().getProtocol().getWriterFeatures())
        .contains("deletionVectors", "inCommitTimestamp");
  }

  @Test
  void aTableWithRowTrackingIsRefusedAndKeepsItsRows() throws Exception {
    try (TableLog t =
        open(location(), HadoopConf.build(Map.of()), Map.of("delta.enableRowTracking", "true"))) {
      append(t, new PartitionCommit("a/t/0", -1, 9, files(0, 9, "old")));
      List<PartitionCommit> batch =
          List.of(new PartitionCommit("a/t/0", 9, 10, files(5, 5, "new")));
      assertThatThrownBy(() -> merge(t, upsert(keys(5, 5), () -> {}), batch))
          .isInstanceOf(ConnectException.class)
          .hasMessageContaining("row tracking")
          .hasMessageContaining("delta.write.mode=append");
    }
    assertThat(rowsBySeq()).hasSize(10).containsEntry(5L, "old");
  }
}
