package io.deltasink.connect.delta.bench;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.sink.SinkWriter;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.SampleData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The connector's own path without Kafka: one task's {@link SinkWriter} (one thread) takes the
 * temperature messages as ByteArrayConverter hands them over (the shipped examples' converter; with
 * {@code -Dsink-path.values=string} as StringConverter does), through the Kusto mapping into
 * Parquet and Delta commits. Isolates the sink's cost per record from Connect's and the broker's,
 * for profiling (run with -XX:StartFlightRecording). Not a test: run through
 * src/bench/sink-path.sh.
 *
 * <p>Arguments: records per round (default 2,000,000), rounds (default 5; the first warms up).
 */
public final class SinkPathBench {
  private static final DateTimeFormatter MINUTES =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
  private static final int PARTITIONS = 6;
  private static final int BATCH = 5_000;

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<Double> rates = new ArrayList<>();
    boolean strings = "string".equals(System.getProperty("sink-path.values", "bytes"));
    Object[] values = values(records, strings);
    System.out.printf(
        "[sink-path] values as %s%n",
        strings ? "String (StringConverter)" : "byte[] (ByteArrayConverter)");
    for (int round = 0; round < rounds; round++) {
      Path dir = Files.createTempDirectory("sink-path-bench");
      try {
        long start = System.nanoTime();
        run(values, dir);
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "[sink-path] round %d: %,d records in %.2f s: %,.0f records/s (one task, one thread)%s%n",
            round, records, s, records / s, round == 0 ? " (warm-up)" : "");
        if (round > 0) {
          rates.add(records / s);
        }
      } finally {
        delete(dir);
      }
    }
    rates.sort(null);
    if (!rates.isEmpty()) {
      System.out.printf(
          "[sink-path] median of %d rounds: %,.0f records/s; peak heap used %,d MB%n",
          rates.size(), rates.get(rates.size() / 2), peakHeapMb());
    }
  }

  static long peakHeapMb() {
    long peak = 0;
    for (java.lang.management.MemoryPoolMXBean pool :
        java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak / (1024 * 1024);
  }

  /** The sample cycled, each cycle's time shifted by 4,344 hours, as src/bench/Bench.java does. */
  static Object[] values(int records, boolean strings) {
    List<String> lines = SampleData.temperatureLines();
    Object[] out = new Object[records];
    for (int i = 0; i < records; i++) {
      String l = lines.get(i % lines.size());
      int cycle = i / lines.size();
      if (cycle > 0) {
        int at = l.indexOf("\"time\":\"") + 8;
        String time = l.substring(at, l.indexOf('"', at));
        l =
            l.substring(0, at)
                + LocalDateTime.parse(time, MINUTES).plusHours(4344L * cycle).format(MINUTES)
                + l.substring(at + time.length());
      }
      out[i] = strings ? l : l.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return out;
  }

  private static void run(Object[] values, Path dir) {
    Map<String, String> props = new HashMap<>();
    props.put("name", "sink-path-bench");
    props.put("topics", "temperatures");
    props.put("delta.table.location", dir.toUri().toString());
    props.put("delta.table.mapping", "temperatures_mapping");
    props.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    props.put("delta.flush.interval.ms", "3600000");
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    // What DeltaSinkTask delegates every call to.
    SinkWriter task =
        new SinkWriter(new DeltaSinkConfig(props), "sink-path-bench", context, Time.SYSTEM);
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      tps.add(new TopicPartition("temperatures", p));
    }
    context.assignment.addAll(tps);
    task.open(tps);
    long[] offsets = new long[PARTITIONS];
    List<SinkRecord> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < values.length; i++) {
      // Like a consumer poll: runs of one partition at a time.
      int p = (i / BATCH) % PARTITIONS;
      Schema schema =
          values[i] instanceof String ? Schema.STRING_SCHEMA : Schema.OPTIONAL_BYTES_SCHEMA;
      batch.add(new SinkRecord("temperatures", p, null, null, schema, values[i], offsets[p]++));
      if (batch.size() == BATCH || i == values.length - 1) {
        task.put(batch);
        batch = new ArrayList<>(BATCH);
      }
    }
    task.flush();
    task.close();
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
