package io.deltasink.connect.delta.table;

import io.deltasink.connect.delta.table.standalone.StandaloneTableLog;
import org.apache.hadoop.conf.Configuration;

/** {@link UpsertContract} on Delta Standalone's tables (protocol 1,2). */
class StandaloneUpsertTest extends UpsertContract {
  @Override
  protected TableLog open(String location, Configuration conf) {
    return new StandaloneTableLog(location, conf, "t", "test/1", 10, 1, ms -> {});
  }
}
