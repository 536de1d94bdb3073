package io.deltasink.connect.delta.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.table.standalone.StandaloneTableLog;
import io.deltasink.connect.delta.testing.KernelReader;
import org.apache.hadoop.conf.Configuration;

/** {@link TableLogContract} on Delta Standalone, on a table of protocol (1,2) it creates. */
class StandaloneTableLogContractTest extends TableLogContract {
  @Override
  protected TableLog open(String location, Configuration conf) {
    return new StandaloneTableLog(location, conf, "t", "test/1", 10, 1, ms -> {});
  }

  @Override
  protected void assertProtocol(KernelReader reader) {
    assertThat(reader.snapshot().getProtocol().getMinReaderVersion()).isEqualTo(1);
    assertThat(reader.snapshot().getProtocol().getMinWriterVersion()).isEqualTo(2);
  }
}
