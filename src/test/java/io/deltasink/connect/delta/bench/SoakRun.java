package io.deltasink.connect.delta.bench;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.sink.SinkWriter;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.SampleData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A table's life in fast forward, for the soak benchmark ({@link SoakBench}) and for tests that
 * check its shape: one task's {@link SinkWriter} (what {@code DeltaSinkTask} delegates every call
 * to) with a fake {@code SinkTaskContext}, 6 partitions of topic {@code temperatures}, the real
 * Open-Meteo messages as ByteArrayConverter hands them over (cycled; offsets keep growing) and the
 * original Kusto mapping, as {@link SinkPathBench} uses them.
 *
 * <p>One round: one {@code put} with {@code recordsPerPartition} records of each partition, then
 * the task's clock moves on by {@code delta.flush.interval.ms} and {@code preCommit} commits: one
 * Delta version with 6 small files. The size and byte thresholds stay at their defaults, far above
 * a round, so the commit happens in {@code preCommit} and nowhere else; a round whose {@code
 * preCommit} does not report every partition at its next offset fails the run. Only the clock of
 * the flush policy is simulated (the default interval, one minute, makes 50,000 rounds about 35
 * days); Delta's own timestamps, and so its time-based log retention, see the real clock.
 *
 * <p>Every {@code window} rounds the run reads the table and the process outside the timed calls
 * ({@link SoakProbe}) and produces one {@link SoakRow}. Between rounds, also outside the timed
 * calls, it follows the log's new versions and {@code _last_checkpoint} with a few status calls and
 * one small read, so that checkpoints are measured wherever the writer makes them: inside a commit
 * or on a thread of its own.
 */
public final class SoakRun {
  /** Kafka partitions of the one topic. */
  public static final int PARTITIONS = 6;

  /** Records per partition per round unless given. */
  public static final int DEFAULT_RECORDS_PER_PARTITION = 20;

  /**
   * Free space (bytes) below which a run stops unless given: a table that is never compacted grows
   * a checkpoint per 10 versions that holds every live file, so {@code _delta_log} grows with the
   * square of the versions (about 110 MB after 2,000 versions, tens of GB after 50,000).
   */
  public static final long DEFAULT_MIN_FREE_BYTES = 10L << 30;

  /** The connector setting that turns compaction on or off (not read by every version). */
  public static final String COMPACTION_CONFIG = "delta.compaction.enabled";

  private static final String TOPIC = "temperatures";
  private static final String NAME = "soak-bench";

  private final Path table;
  private final Map<String, String> connectorSettings;
  private final int recordsPerPartition;
  private final long minFreeBytes;

  /**
   * @param table directory of the Delta table (created by the first commit)
   * @param connectorSettings connector settings over the run's own ({@link #connectorConfig()})
   */
  public SoakRun(Path table, Map<String, String> connectorSettings) {
    this(table, connectorSettings, DEFAULT_RECORDS_PER_PARTITION, DEFAULT_MIN_FREE_BYTES);
  }

  /**
   * @param recordsPerPartition records of each partition in a round
   * @param minFreeBytes the run stops with an {@link IllegalStateException} once the table's file
   *     system has less free space than this
   */
  public SoakRun(
      Path table,
      Map<String, String> connectorSettings,
      int recordsPerPartition,
      long minFreeBytes) {
    if (recordsPerPartition < 1) {
      throw new IllegalArgumentException("recordsPerPartition must be at least 1");
    }
    this.table = table;
    this.connectorSettings = Map.copyOf(connectorSettings);
    this.recordsPerPartition = recordsPerPartition;
    this.minFreeBytes = minFreeBytes;
  }

  /** The connector configuration of the run: its own settings, then the given ones over them. */
  public Map<String, String> connectorConfig() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("name", NAME);
    props.put("topics", TOPIC);
    props.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, table.toUri().toString());
    props.put("delta.table.mapping", "temperatures_mapping");
    props.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    props.put(
        DeltaSinkConfig.FLUSH_INTERVAL_MS_CONFIG,
        Long.toString(DeltaSinkConfig.FLUSH_INTERVAL_MS_DEFAULT));
    props.putAll(connectorSettings);
    return props;
  }

  /** {@link #run(int, int, Consumer)} without a callback. */
  public List<SoakRow> run(int commits, int window) {
    return run(commits, window, row -> {});
  }

  /**
   * Makes {@code commits} commits into the table and returns one row per {@code window} commits
   * (the last one shorter when {@code window} does not divide {@code commits}).
   *
   * @param onRow called with each row as soon as it is measured (for printing as the run goes)
   * @throws IllegalStateException when a round's {@code preCommit} did not commit its records, or
   *     when the disk has less than {@code minFreeBytes} left
   */
  public List<SoakRow> run(int commits, int window, Consumer<SoakRow> onRow) {
    if (commits < 1 || window < 1) {
      throw new IllegalArgumentException("commits and window must be at least 1");
    }
    DeltaSinkConfig config = new DeltaSinkConfig(connectorConfig());
    List<byte[]> values =
        SampleData.temperatureLines().stream()
            .map(l -> l.getBytes(StandardCharsets.UTF_8))
            .toList();
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      tps.add(new TopicPartition(TOPIC, p));
    }
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    context.assignment.addAll(tps);
    SoakClock clock = new SoakClock();
    SoakProbe probe = new SoakProbe(table);
    List<SoakRow> rows = new ArrayList<>();
    long[] next = new long[PARTITIONS];
    int cursor = 0;
    FileStore disk = null;
    long version = -1; // the newest version seen
    long checkpoint = probe.lastCheckpointVersion();
    try (SinkWriter writer = new SinkWriter(config, NAME, context, clock)) {
      writer.open(tps);
      SoakWindow w = new SoakWindow(window, 0, 0);
      for (int round = 0; round < commits; round++) {
        List<SinkRecord> batch = new ArrayList<>(PARTITIONS * recordsPerPartition);
        Map<TopicPartition, OffsetAndMetadata> consumed = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
          for (int i = 0; i < recordsPerPartition; i++) {
            byte[] value = values.get(cursor);
            cursor = (cursor + 1) % values.size();
            batch.add(
                new SinkRecord(TOPIC, p, null, null, Schema.OPTIONAL_BYTES_SCHEMA, value, next[p]));
            next[p]++;
          }
          consumed.put(tps.get(p), new OffsetAndMetadata(next[p]));
        }
        writer.put(batch);
        clock.advance(config.flushIntervalMs());
        checkpoint = checkpointed(probe, w, checkpoint); // a checkpoint may land between commits
        long start = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> reported = writer.preCommit(consumed);
        long nanos = System.nanoTime() - start;
        if (!reported.equals(consumed)) {
          throw new IllegalStateException(
              "round "
                  + round
                  + ": preCommit reported "
                  + reported
                  + ", expected every partition at its next offset "
                  + consumed
                  + ": the round's records were not committed by preCommit");
        }
        long to = probe.latestVersion(version);
        w.commit(nanos, version + 1, to);
        version = to;
        checkpoint = checkpointed(probe, w, checkpoint);
        disk = disk != null ? disk : fileStore(table);
        long free = usableSpace(disk);
        if (free < minFreeBytes) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "stopped after %,d commits: %,d MB left on the table's disk, below %,d MB",
                  round + 1,
                  free >> 20,
                  minFreeBytes >> 20));
        }
        if (w.full() || round == commits - 1) {
          SoakRow row = w.measure(probe);
          rows.add(row);
          onRow.accept(row);
          w = new SoakWindow(window, row.lastVersion() + 1, w.checkpointFilesAfter(row));
        }
      }
    }
    return rows;
  }

  /**
   * Records the checkpoint that {@code _last_checkpoint} names if it is not {@code known} any more;
   * returns the version it names now.
   */
  private static long checkpointed(SoakProbe probe, SoakWindow w, long known) {
    long now = probe.lastCheckpointVersion();
    if (now != known && now >= 0) {
      long micros = probe.checkpointWriteMicros(now);
      if (micros >= 0) {
        w.checkpointWritten(micros);
      }
    }
    return now;
  }

  private static FileStore fileStore(Path table) {
    try {
      return Files.getFileStore(table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long usableSpace(FileStore disk) {
    try {
      return disk.getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
