package io.deltasink.connect.delta;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.sink.SinkWriter;
import io.deltasink.connect.delta.sink.Version;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Lifecycle only: every call goes to a {@link SinkWriter}. {@link #flush} does nothing on purpose:
 * offsets are reported by {@link #preCommit} once the rows are in a committed Delta version.
 */
public class DeltaSinkTask extends SinkTask {

  /** Creates the writer a task delegates to. */
  @FunctionalInterface
  interface WriterFactory {
    SinkWriter create(
        DeltaSinkConfig config, String connectorName, SinkTaskContext context, Time time);
  }

  private final WriterFactory factory;
  private SinkWriter writer;

  public DeltaSinkTask() {
    this(SinkWriter::new);
  }

  // visible for testing
  DeltaSinkTask(WriterFactory factory) {
    this.factory = factory;
  }

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    writer =
        factory.create(
            new DeltaSinkConfig(props),
            props.getOrDefault("name", "delta-sink"),
            context,
            Time.SYSTEM);
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    writer.open(partitions);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    writer.put(records);
  }

  @Override
  public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    // Nothing: data becomes durable only through a Delta commit, see preCommit.
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    return writer.preCommit(currentOffsets);
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    writer.close(partitions);
  }

  @Override
  public void stop() {
    if (writer != null) {
      Utils.closeQuietly(writer, "Delta sink writer");
      writer = null;
    }
  }
}
