package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.FeatureTables;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link FaultInjectionTest} on a table the sink creates through Delta Kernel (deletion vectors on:
 * protocol (3,7)): the same storage faults, once, repeated and random, on Kernel's commit path and
 * log store ({@code AzureLogStore}, which publishes commits by rename), each offset once.
 */
class KernelFaultInjectionTest extends FaultInjectionTest {
  @Override
  protected void backend(Map<String, String> settings) {
    settings.put("delta.table.properties.delta.enableDeletionVectors", "true");
    settings.put(
        "delta.hadoop.io.delta.kernel.logStore.faulty.impl", "io.delta.storage.AzureLogStore");
  }

  /**
   * The parent's case needs a writer that reads the log back after writing a commit, which Delta
   * Standalone's transaction does. Kernel's commit knows it landed when the log store's
   * put-if-absent write returns, and reads nothing back. So log reads that fail right after the
   * commit's rename leave its outcome known: its offsets are reported at once, nothing is written
   * twice, and the next commits retry past the failed reads.
   */
  @Override
  @Test
  void aCommitThatLandedButCouldNotBeConfirmedIsNeitherLostNorDeleted() throws Exception {
    org.apache.kafka.common.TopicPartition tp =
        new org.apache.kafka.common.TopicPartition("temps", 1);
    java.util.List<org.apache.kafka.connect.sink.SinkRecord> records = log.get(tp);
    io.deltasink.connect.delta.testing.FakeSinkTaskContext context =
        new io.deltasink.connect.delta.testing.FakeSinkTaskContext();
    SinkWriter w = writer(context);
    w.open(java.util.List.of(tp));
    w.put(records.subList(0, 50));
    io.deltasink.connect.delta.testing.FaultyFileSystem.LOG_FAILURES_AFTER_RENAME.set(3);
    time.sleep(1_000);
    assertThat(w.preCommit(Map.of()).get(tp).offset())
        .as("the commit's outcome is known without reading the log")
        .isEqualTo(records.get(49).kafkaOffset() + 1);
    w.put(records.subList(50, 100));
    boolean done = false;
    for (int round = 0; round < 10 && !done; round++) {
      time.sleep(1_000);
      try {
        done = w.preCommit(Map.of()).get(tp).offset() == records.get(99).kafkaOffset() + 1;
      } catch (org.apache.kafka.connect.errors.RetriableException e) {
        // a failed read of the log: Connect calls preCommit again
      }
    }
    w.close();
    assertThat(done).as("rows 50-99 committed").isTrue();
    io.deltasink.connect.delta.testing.ExactlyOnce.assertEachOffsetOnce(
        new io.deltasink.connect.delta.testing.KernelReader(dir.toUri().toString()).rows(),
        io.deltasink.connect.delta.testing.ExactlyOnce.offsetsOf(records.subList(0, 100)));
  }

  @Test
  void theTableIsWrittenThroughKernelAtProtocolThreeSeven() throws Exception {
    runToEnd();
    assertThat(FeatureTables.protocol(dir.toUri().toString()))
        .startsWith("(3,7)")
        .contains("deletionVectors");
    assertExactlyOnceAndClean();
  }
}
