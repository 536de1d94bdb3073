package io.deltasink.connect.delta.table;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.table.standalone.StandaloneTableLog;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/** {@link UpsertContract} on Delta Standalone's tables (protocol 1,2). */
class StandaloneUpsertTest extends UpsertContract {
  @Override
  protected TableLog open(String location, Configuration conf) {
    return new StandaloneTableLog(location, conf, "t", "test/1", 10, 1, ms -> {});
  }

  @Test
  void anAppendOnlyTableIsRefusedAndKeepsItsRows() throws Exception {
    try (TableLog t =
        new StandaloneTableLog(
            location(),
            io.deltasink.connect.delta.config.HadoopConf.build(Map.of()),
            "t",
            "test/1",
            10,
            1,
            ms -> {},
            Map.of("delta.appendOnly", "true"),
            0)) {
      append(t, new PartitionCommit("a/t/0", -1, 9, files(0, 9, "old")));
      List<PartitionCommit> batch =
          List.of(new PartitionCommit("a/t/0", 9, 10, files(5, 5, "new")));
      assertThatThrownBy(() -> merge(t, upsert(keys(5, 5), () -> {}), batch))
          .isInstanceOf(ConnectException.class)
          .hasMessageContaining("append-only");
    }
    org.assertj.core.api.Assertions.assertThat(rowsBySeq()).hasSize(10).containsEntry(5L, "old");
  }
}
