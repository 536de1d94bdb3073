package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.RecordingReporter;
import io.deltasink.connect.delta.testing.SampleData;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JMX MBeans a task registers, read as a JMX client would, through the platform MBean server.
 */
class SinkMetricsTest {
  private static final TopicPartition P0 = new TopicPartition("temperatures", 0);
  private static final TopicPartition P1 = new TopicPartition("temperatures", 1);
  private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
  @TempDir Path dir;

  private Object attr(String name, String attribute) throws Exception {
    return jmx.getAttribute(new ObjectName(name), attribute);
  }

  @Test
  void taskTableAndPartitionMetricsFollowPutsCommitsAndTheDeadLetterQueue() throws Exception {
    Map<String, String> p = new HashMap<>();
    p.put("delta.table.location", dir.toUri().toString());
    p.put("delta.table.mapping", "temperatures_mapping");
    p.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    p.put("errors.tolerance", "all");
    p.put(DeltaSinkConfig.TASK_ID_CONFIG, "3");
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    context.reporter = new RecordingReporter();
    SinkWriter w = new SinkWriter(new DeltaSinkConfig(p), "metrics-sink", context, new MockTime());
    w.open(List.of(P0, P1));
    List<String> lines = SampleData.temperatureLines();
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      TopicPartition tp = i % 2 == 0 ? P0 : P1;
      batch.add(new SinkRecord(tp.topic(), tp.partition(), null, null, null, lines.get(i), i / 2));
    }
    batch.add(new SinkRecord("temperatures", 1, null, null, null, "{not json", 500));
    w.put(batch);

    String task = SinkMetrics.DOMAIN + ":connector=\"metrics-sink\",task=\"3\",type=task";
    String p1 =
        SinkMetrics.DOMAIN
            + ":connector=\"metrics-sink\",task=\"3\",type=partition,topic=\"temperatures\",partition=1";
    assertThat(attr(task, "BufferedRecords")).isEqualTo(1_000L);
    assertThat((Long) attr(task, "BufferedHeapBytes")).isPositive();
    assertThat(attr(task, "RecordsSentToDeadLetterQueue")).isEqualTo(1L);
    assertThat(attr(task, "Commits")).isEqualTo(0L);
    assertThat(attr(task, "CommitLatencyP50Ms")).isEqualTo(-1L);
    assertThat(attr(p1, "LastCommittedOffset")).isEqualTo(-1L);
    assertThat(attr(p1, "CommitLag")).isEqualTo(501L);

    w.flush();
    String table =
        SinkMetrics.DOMAIN
            + ":connector=\"metrics-sink\",task=\"3\",type=table,table="
            + ObjectName.quote(dir.toUri().toString().replaceAll("/$", ""));
    assertThat(attr(task, "RecordsWritten")).isEqualTo(1_000L);
    assertThat(attr(task, "FilesWritten")).isEqualTo(2L);
    assertThat((Long) attr(task, "BytesWritten")).isPositive();
    assertThat(attr(task, "Commits")).isEqualTo(1L);
    assertThat((Long) attr(task, "CommitLatencyP99Ms")).isGreaterThanOrEqualTo(0L);
    assertThat(attr(task, "BufferedRecords")).isEqualTo(0L);
    assertThat(attr(table, "RecordsWritten")).isEqualTo(1_000L);
    assertThat(attr(table, "LastCommittedVersion")).isEqualTo(0L);
    assertThat(attr(p1, "LastCommittedOffset")).isEqualTo(500L);
    assertThat(attr(p1, "CommitLag")).isEqualTo(0L);

    w.close(List.of(P1));
    assertThat(jmx.isRegistered(new ObjectName(p1))).isFalse();
    w.close();
    assertThat(
            jmx.queryNames(
                new ObjectName(SinkMetrics.DOMAIN + ":connector=\"metrics-sink\",*"), null))
        .isEmpty();
  }
}
