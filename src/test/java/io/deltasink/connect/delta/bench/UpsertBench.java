package io.deltasink.connect.delta.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.sink.SinkWriter;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.SampleData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Upserts into a 2,000,000-row table, next to appends, on one task's {@link SinkWriter} (one
 * thread, no Kafka: the sink's own cost, as {@link SinkPathBench} measures appends). Not a test:
 * run through src/bench/upsert.sh, one mode per JVM so that peak RSS is the mode's.
 *
 * <p>The table: the Open-Meteo sample cycled to 2,000,000 messages (as SinkPathBench), appended
 * through the Kusto mapping by 6 Kafka partitions in runs of 5,000, committed every 250,000. The
 * stream: 200,000 messages with new temperatures, committed every 20,000, keyed by {@code
 * latitude,longitude,time}; each key on the Kafka partition that wrote it:
 *
 * <ul>
 *   <li>{@code clustered}: the updates walk the table's keys in the order they were written, so a
 *       commit's keys sit in a few files;
 *   <li>{@code random}: uniformly random keys of the table, so every commit's keys are in nearly
 *       every file;
 *   <li>{@code append}: 200,000 new messages appended, the baseline.
 * </ul>
 *
 * <p>Arguments: mode (clustered, random, append), table rows (default 2,000,000), stream records
 * (default 200,000), records per commit (default 20,000).
 */
public final class UpsertBench {
  private static final int PARTITIONS = 6;
  private static final int RUN = 5_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private UpsertBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "clustered";
    int tableRows = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    int streamRecords = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
    int perCommit = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
    Object[] values = SinkPathBench.values(tableRows + streamRecords, false);
    Path dir = Files.createTempDirectory("upsert-bench");
    try {
      long t0 = System.nanoTime();
      write(dir, "base", "append", values, 0, tableRows, i -> i, 250_000);
      double baseS = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "[upsert-bench] table: %,d rows appended in %.1f s, %,d files, %,d MB%n",
          tableRows, baseS, count(dir, ".parquet"), bytes(dir, ".parquet") / (1024 * 1024));
      Random random = new Random(42);
      java.util.function.IntUnaryOperator key =
          switch (mode) {
            case "clustered" -> i -> i;
            case "random" -> i -> random.nextInt(tableRows);
            case "append" -> i -> tableRows + i;
            default -> throw new IllegalArgumentException("mode: clustered, random or append");
          };
      long versionsBefore = count(dir.resolve("_delta_log"), ".json");
      long t1 = System.nanoTime();
      write(
          dir,
          "stream",
          mode.equals("append") ? "append" : "upsert",
          values,
          0,
          streamRecords,
          key,
          perCommit);
      double s = (System.nanoTime() - t1) / 1e9;
      long[] merged = merges(dir);
      long commits =
          mode.equals("append")
              ? count(dir.resolve("_delta_log"), ".json") - versionsBefore - optimizes(dir)
              : merged[0];
      System.out.printf(
          "[upsert-bench] %s: %,d records in %.2f s: %,.0f records/s; %d commits; %,d bytes rewritten"
              + " (%,d per commit, %,d rows replaced); table rows %s; peak heap used %,d MB; peak RSS %,d MB%n",
          mode,
          streamRecords,
          s,
          streamRecords / s,
          commits,
          merged[1],
          commits == 0 ? 0 : merged[1] / commits,
          merged[2],
          tableRows + (mode.equals("append") ? streamRecords : 0),
          SinkPathBench.peakHeapMb(),
          peakRssMb());
    } finally {
      SinkPathBench.delete(dir);
    }
  }

  /**
   * Puts messages {@code from..to} (exclusive) of the stream: message {@code i} is the table's
   * message {@code key(i)} (with a new temperature for an upsert), on that message's partition.
   */
  private static void write(
      Path dir,
      String name,
      String writeMode,
      Object[] values,
      int from,
      int to,
      java.util.function.IntUnaryOperator key,
      int perCommit) {
    Map<String, String> props = new HashMap<>();
    props.put("name", name);
    props.put("topics", name);
    props.put("delta.table.location", dir.toUri().toString());
    props.put("delta.table.mapping", "temperatures_mapping");
    props.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    props.put("delta.flush.interval.ms", "3600000");
    props.put("delta.flush.records", Integer.toString(perCommit));
    props.put("delta.write.mode", writeMode);
    props.put("delta.upsert.key.columns", "latitude,longitude,time");
    FakeSinkTaskContext context = new FakeSinkTaskContext();
    SinkWriter task = new SinkWriter(new DeltaSinkConfig(props), name, context, Time.SYSTEM);
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      tps.add(new TopicPartition(name, p));
    }
    context.assignment.addAll(tps);
    task.open(tps);
    long[] offsets = new long[PARTITIONS];
    boolean update = writeMode.equals("upsert");
    for (int start = from; start < to; start += RUN) {
      List<SinkRecord> batch = new ArrayList<>(RUN);
      for (int i = start; i < Math.min(to, start + RUN); i++) {
        int k = key.applyAsInt(i);
        int p = (k / RUN) % PARTITIONS; // where the table's message of the key was written
        byte[] v = (byte[]) values[k];
        if (update) {
          v = newTemperature(v, i);
        }
        batch.add(
            new SinkRecord(name, p, null, null, Schema.OPTIONAL_BYTES_SCHEMA, v, offsets[p]++));
      }
      task.put(batch);
    }
    task.flush();
    task.close();
  }

  private static byte[] newTemperature(byte[] message, int i) {
    String s = new String(message, StandardCharsets.UTF_8);
    int field = s.indexOf("\"temperature_2m\":");
    int end = s.lastIndexOf('}');
    String head =
        field < 0 ? s.substring(0, end) + ",\"temperature_2m\":" : s.substring(0, field + 17);
    return (head + (i % 500) / 10.0 + s.substring(end)).getBytes(StandardCharsets.UTF_8);
  }

  /** MERGE commits, bytes they rewrote, rows they replaced (from their commitInfo). */
  private static long[] merges(Path dir) throws Exception {
    long commits = 0;
    long bytes = 0;
    long rows = 0;
    try (Stream<Path> files = Files.list(dir.resolve("_delta_log"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        JsonNode info = JSON.readTree(Files.readAllLines(f).get(0)).path("commitInfo");
        if (info.path("operation").asText().equals("MERGE")) {
          commits++;
          bytes += info.path("operationParameters").path("numTargetBytesRewritten").asLong();
          rows += info.path("operationParameters").path("numTargetRowsRemoved").asLong();
        }
      }
    }
    return new long[] {commits, bytes, rows};
  }

  /** OPTIMIZE commits (the sink's compaction), which are not the stream's. */
  private static long optimizes(Path dir) throws Exception {
    long n = 0;
    try (Stream<Path> files = Files.list(dir.resolve("_delta_log"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        if (JSON.readTree(Files.readAllLines(f).get(0))
            .path("commitInfo")
            .path("operation")
            .asText()
            .equals("OPTIMIZE")) {
          n++;
        }
      }
    }
    return n;
  }

  private static long count(Path dir, String suffix) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).count();
    }
  }

  private static long bytes(Path dir, String suffix) throws Exception {
    long n = 0;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(p -> p.toString().endsWith(suffix)).toList()) {
        n += Files.size(p);
      }
    }
    return n;
  }

  /** The process's peak resident set (VmHWM), MB; -1 where /proc is not there. */
  private static long peakRssMb() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return -1;
  }
}
