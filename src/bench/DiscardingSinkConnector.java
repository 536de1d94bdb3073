/*
 * Part of the benchmark (src/bench/run.sh): Bench installs this connector as a plugin of its own.
 */

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/**
 * A sink connector whose tasks do nothing with their records but note the highest offset per
 * partition: what Connect itself costs per record here (consumer, converters, SinkRecord,
 * delivery), the ceiling for any sink connector on this machine.
 */
public final class DiscardingSinkConnector extends SinkConnector {
  static final String PROGRESS_DIR = "progress.dir";
  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    this.props = props;
  }

  @Override
  public Class<? extends Task> taskClass() {
    return DiscardingSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> task = new HashMap<>(props);
      task.put("task.number", Integer.toString(i));
      out.add(task);
    }
    return out;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return new ConfigDef()
        .define(
            PROGRESS_DIR,
            ConfigDef.Type.STRING,
            ConfigDef.Importance.HIGH,
            "where tasks write the highest offset they were given per partition");
  }

  @Override
  public String version() {
    return "bench";
  }

  /**
   * Writes {@code <topic> <partition> <offset>} lines to {@code <progress.dir>/task-<n>.txt}, at
   * most every 20 ms and whenever a poll comes back empty (it asks Connect to call it every 20 ms).
   */
  public static final class DiscardingSinkTask extends SinkTask {
    private final Map<String, long[]> highest = new HashMap<>();
    private Path file;
    private long lastWrite;

    @Override
    public void start(Map<String, String> props) {
      file =
          Path.of(
              props.get(DiscardingSinkConnector.PROGRESS_DIR),
              "task-" + props.get("task.number") + ".txt");
    }

    @Override
    public void put(Collection<SinkRecord> records) {
      for (SinkRecord r : records) {
        long[] offsets = highest.computeIfAbsent(r.topic(), t -> new long[1024]);
        offsets[r.kafkaPartition()] = Math.max(offsets[r.kafkaPartition()], r.kafkaOffset() + 1);
      }
      context.timeout(20);
      long now = System.nanoTime();
      if (records.isEmpty() || now - lastWrite > 20_000_000L) {
        StringBuilder sb = new StringBuilder();
        highest.forEach(
            (topic, offsets) -> {
              for (int p = 0; p < offsets.length; p++) {
                if (offsets[p] > 0) {
                  sb.append(topic)
                      .append(' ')
                      .append(p)
                      .append(' ')
                      .append(offsets[p] - 1)
                      .append('\n');
                }
              }
            });
        try {
          Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
          Files.writeString(tmp, sb);
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          throw new ConnectException("cannot write " + file, e);
        }
        lastWrite = now;
      }
    }

    @Override
    public void stop() {}

    @Override
    public String version() {
      return "bench";
    }
  }
}
