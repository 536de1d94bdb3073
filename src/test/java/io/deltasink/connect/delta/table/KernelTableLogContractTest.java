package io.deltasink.connect.delta.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.table.kernel.KernelTableLog;
import io.deltasink.connect.delta.testing.KernelReader;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * {@link TableLogContract} on Delta Kernel, on a table it creates at protocol (3,7) with deletion
 * vectors, in-commit timestamps and row tracking.
 */
class KernelTableLogContractTest extends TableLogContract {
  @Override
  protected TableLog open(String location, Configuration conf) {
    return new KernelTableLog(
        location,
        conf,
        "test/1",
        10,
        1,
        ms -> {},
        Map.of(
            "delta.enableDeletionVectors", "true",
            "delta.enableInCommitTimestamps", "true",
            "delta.enableRowTracking", "true"));
  }

  @Override
  protected void assertProtocol(KernelReader reader) {
    var protocol = reader.snapshot().getProtocol();
    assertThat(protocol.getMinReaderVersion()).isEqualTo(3);
    assertThat(protocol.getMinWriterVersion()).isEqualTo(7);
    assertThat(protocol.getWriterFeatures())
        .contains("deletionVectors", "inCommitTimestamp", "rowTracking", "domainMetadata");
  }
}
