/*
 * The throughput benchmark (issue #6): a real KRaft broker and a real Connect worker in their own
 * JVMs (LocalKafka), a 6-partition topic loaded with temperature messages shaped like the real
 * Open-Meteo file (the 26,064 lines cycled, each cycle's timestamps shifted by 4,344 hours), then:
 *   1. a plain KafkaConsumer reads the whole topic: the ceiling on this machine;
 *   1b. a freshly started worker drains a first copy (cold JIT); the figures below are the second copy;
 *   2. the connector (2 tasks, the original Kusto mapping, snappy) drains the same topic into a Delta table;
 *   2b. a sink connector that discards what it is given reads the first copy again: Connect's own ceiling;
 *   3. a steady produce rate for a while, measuring produce-to-visible latency from the Delta log.
 * Run through src/bench/run.sh. Prints one summary; nothing is written outside target/bench and the
 * table directory below it.
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.sink.SinkConnector;

public class Bench {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Drained first, by a freshly started worker (cold JIT). */
  private static final String COLD_TOPIC = "temperatures-cold";

  /**
   * Drained second, by the same worker once warm, as a long-running worker is; then the latency
   * phase.
   */
  private static final String TOPIC = "temperatures-bench";

  private static final String CONNECTOR = "delta-bench";
  private static final DateTimeFormatter MINUTES =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
  private static final Pattern TIME = Pattern.compile("\"time\":\"([^\"]+)\"");

  private final Path repo;
  private final Path zip;
  private final LocalKafka kafka;
  private final long records;
  private final int latencyRate;
  private final int latencySeconds;

  /** Partitions of every topic ({@code bench.partitions}, default 6). */
  private final int partitions = Integer.getInteger("bench.partitions", 6);

  /**
   * Tables the warm drain writes, one topic each, routed by one connector ({@code bench.tables},
   * default 1).
   */
  private final int tables = Integer.getInteger("bench.tables", 1);

  Bench(
      Path repo,
      Path zip,
      Path work,
      String classpath,
      long records,
      int latencyRate,
      int latencySeconds) {
    this.repo = repo;
    this.zip = zip;
    this.kafka = new LocalKafka("bench", work, classpath);
    this.records = records;
    this.latencyRate = latencyRate;
    this.latencySeconds = latencySeconds;
  }

  public static void main(String[] args) throws Exception {
    long records = Long.parseLong(System.getProperty("bench.records", "2000000"));
    int rate = Integer.parseInt(System.getProperty("bench.latency.rate", "20000"));
    int seconds = Integer.parseInt(System.getProperty("bench.latency.seconds", "20"));
    Bench b =
        new Bench(
            Path.of(args[0]).toAbsolutePath(),
            Path.of(args[1]).toAbsolutePath(),
            Path.of(args[2]).toAbsolutePath(),
            System.getProperty("java.class.path"),
            records,
            rate,
            seconds);
    b.kafka.runAndExit(b::run);
  }

  int run() throws Exception {
    Path work = kafka.work;
    LocalKafka.deleteTree(work);
    Files.createDirectories(work);
    Path table = work.resolve("table");
    Path plugins = kafka.unzipPlugin(zip);
    installDiscardingSink(plugins);
    kafka.startBroker();
    kafka.createTopic(COLD_TOPIC, partitions);
    List<String> topics = new ArrayList<>();
    List<Path> tablePaths = new ArrayList<>();
    for (int t = 0; t < tables; t++) {
      topics.add(tables == 1 ? TOPIC : TOPIC + "-" + t);
      tablePaths.add(tables == 1 ? table : work.resolve("tables/weather/t" + t));
      kafka.createTopic(topics.get(t), partitions);
    }

    List<String[]> sample = sample();
    long t0 = System.nanoTime();
    long jsonBytes = load(sample, List.of(COLD_TOPIC));
    load(sample, topics);
    double loadSeconds = (System.nanoTime() - t0) / 1e9;
    kafka.step(
        String.format(
            "Loaded %,d messages (%.1f MB of JSON) into %s and again into %s in %.1f s",
            records, jsonBytes / 1e6, COLD_TOPIC, topics, loadSeconds));

    double consumerSeconds = plainConsumer();
    kafka.step(
        String.format(
            "Plain KafkaConsumer read %,d records in %.2f s: %,.0f records/s",
            records, consumerSeconds, records / consumerSeconds));

    Path gcLog = work.resolve("connect-gc.log");
    List<String> jvm = new ArrayList<>(List.of("-Xlog:gc:file=" + gcLog));
    String extra = System.getProperty("bench.worker.opts", "").trim();
    if (!extra.isEmpty()) {
      jvm.addAll(List.of(extra.split(","))); // comma-separated: BENCH_OPTS is split on spaces
    }
    boolean nmt = Boolean.getBoolean("bench.nmt");
    if (nmt) {
      jvm.add("-XX:NativeMemoryTracking=summary");
    }
    if (Boolean.getBoolean("bench.jfr")) {
      // Method sampling of the worker for the profile; read it with: jfr print --events
      // jdk.ExecutionSample
      jvm.add(
          "-XX:StartFlightRecording=filename=" + work.resolve("connect.jfr") + ",settings=profile");
    }
    kafka.startWorker(plugins, System.getProperty("bench.worker.heap", "1g"), jvm);
    double coldSeconds =
        drain(CONNECTOR + "-cold", List.of(COLD_TOPIC), List.of(work.resolve("table-cold")));
    kafka.step(
        String.format(
            "Fresh worker drained %,d records in %.2f s: %,.0f records/s",
            records, coldSeconds, records / coldSeconds));
    double[] cpuBefore = {cpuSeconds(kafka.worker.pid()), cpuSeconds(kafka.broker.pid())};
    double drainSeconds = drain(CONNECTOR, topics, tablePaths);
    double workerCpu = cpuSeconds(kafka.worker.pid()) - cpuBefore[0];
    double brokerCpu = cpuSeconds(kafka.broker.pid()) - cpuBefore[1];
    kafka.step(
        String.format(
            "Warm worker drained %,d records in %.2f s: %,.0f records/s",
            records, drainSeconds, records / drainSeconds));
    String nativeMemory =
        nmt ? nativeMemory(kafka.worker.pid(), work.resolve("worker-nmt.txt")) : null;
    LocalKafka.DeltaLogSummary drained = sum(tablePaths);
    Map<String, String> config = connectorConfig(topics, tablePaths);
    double connectSeconds = discardingDrain(config, work.resolve("discarding-progress"));
    kafka.step(
        String.format(
            "A discarding sink read %,d records in %.2f s: %,.0f records/s",
            records, connectSeconds, records / connectSeconds));

    List<Long> latencies =
        tables == 1 ? latencyPhase(sample, table, drained.versions()) : List.of();

    long rssPeakKb = peakRssKb(kafka.worker.pid());
    long[] heapPeak = peakHeapMb(gcLog);
    System.out.println();
    System.out.println("==================== benchmark summary ====================");
    System.out.printf(
        "records            %,d (%.1f MB of JSON, %d partitions, %d table%s, 2 tasks)%n",
        records, jsonBytes / 1e6, partitions, tables, tables == 1 ? "" : "s");
    System.out.printf(
        "plain consumer     %.2f s, %,.0f records/s (the ceiling on this machine)%n",
        consumerSeconds, records / consumerSeconds);
    System.out.printf(
        "sink drain         %.2f s, %,.0f records/s, %.1f MB/s of JSON, %.0f%% of the plain consumer "
            + "(warm worker)%n",
        drainSeconds,
        records / drainSeconds,
        jsonBytes / 1e6 / drainSeconds,
        100 * consumerSeconds / drainSeconds);
    System.out.printf(
        "Connect ceiling    %.2f s, %,.0f records/s: a sink task that discards the records (same "
            + "converters and consumer settings, 2 tasks); the Delta sink reaches %.0f%% of it%n",
        connectSeconds, records / connectSeconds, 100 * connectSeconds / drainSeconds);
    System.out.printf(
        "CPU in that drain  worker %.1f s, broker %.1f s of the %.1f s two cores offer%n",
        workerCpu, brokerCpu, 2 * drainSeconds);
    System.out.printf(
        "sink drain, cold   %.2f s, %,.0f records/s (the first connector of a freshly started worker)%n",
        coldSeconds, records / coldSeconds);
    System.out.printf(
        "Delta table%s       %,d data files, average %.1f MB, %d commits (%.1f commits/s), %,d rows%n",
        tables == 1 ? " " : "s",
        drained.files(),
        drained.files() == 0 ? 0 : drained.bytes() / 1e6 / drained.files(),
        drained.versions(),
        drained.versions() / drainSeconds,
        drained.rows());
    System.out.printf(
        "worker memory      peak RSS %,d MB; heap: peak used %,d MB, after GC at most %,d MB "
            + "(GC log; -Xmx%s %s)%n",
        rssPeakKb / 1024,
        heapPeak[0],
        heapPeak[1],
        System.getProperty("bench.worker.heap", "1g"),
        System.getProperty("bench.worker.opts", ""));
    if (nativeMemory != null) {
      System.out.printf("native memory      %s%n", nativeMemory);
    }
    List<String> settings = new ArrayList<>();
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("bench.connector."))
        .sorted()
        .forEach(
            k ->
                settings.add(
                    k.substring("bench.connector.".length()) + "=" + System.getProperty(k)));
    if (System.getenv("MALLOC_ARENA_MAX") != null) {
      settings.add("MALLOC_ARENA_MAX=" + System.getenv("MALLOC_ARENA_MAX") + " (environment)");
    }
    settings.add(
        "worker offset.flush.interval.ms="
            + System.getProperty("bench.worker.offset.flush.ms", "1000"));
    System.out.printf("settings           %s%n", String.join(", ", settings));
    if (!latencies.isEmpty()) {
      System.out.printf(
          "latency            %,d records at %,d records/s for %d s, flush interval %s ms: p50 %d ms, p99 %d ms%n",
          latencies.size(),
          latencyRate,
          latencySeconds,
          config.get("delta.flush.interval.ms"),
          latencies.get(latencies.size() / 2),
          latencies.get((int) (latencies.size() * 0.99)));
    }
    System.out.println("============================================================");
    return drained.rows() == records ? 0 : 1;
  }

  /** The connector: one table, or with several topics one table per topic through routing. */
  private Map<String, String> connectorConfig(List<String> topics, List<Path> tablePaths)
      throws IOException {
    Map<String, String> config = new TreeMap<>();
    config.put("connector.class", "io.deltasink.connect.delta.DeltaSinkConnector");
    config.put("tasks.max", "2");
    config.put("topics", String.join(",", topics));
    JsonNode quick = JSON.readTree(repo.resolve("config/quickstart-connector.json").toFile());
    // The quickstart's converters (ByteArrayConverter for the JSON values);
    // -Dbench.connector.value.converter=... to compare.
    config.put("key.converter", quick.get("key.converter").asText());
    config.put("value.converter", quick.get("value.converter").asText());
    config.put(
        "delta.mappings.temperatures_mapping",
        quick.get("delta.mappings.temperatures_mapping").asText());
    if (topics.size() == 1) {
      config.put("delta.table.location", tablePaths.get(0).toUri().toString());
      config.put("delta.table.mapping", "temperatures_mapping");
    } else {
      config.put("delta.tables.root", tablePaths.get(0).getParent().getParent().toUri().toString());
      StringBuilder routes = new StringBuilder("[");
      for (int t = 0; t < topics.size(); t++) {
        routes
            .append(t == 0 ? "" : ",")
            .append("{'topic':'")
            .append(topics.get(t))
            .append("','db':'weather','table':'")
            .append(tablePaths.get(t).getFileName())
            .append("','format':'json','mapping':'temperatures_mapping'}");
      }
      config.put("delta.tables.topics.mapping", routes.append(']').toString());
    }
    config.put("delta.parquet.compression", "snappy");
    config.put("delta.flush.interval.ms", System.getProperty("bench.flush.interval.ms", "1000"));
    // Any other connector setting: -Dbench.connector.delta.buffer.max.bytes=50331648 and the like.
    String prefix = "bench.connector.";
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith(prefix))
        .forEach(k -> config.put(k.substring(prefix.length()), System.getProperty(k)));
    return config;
  }

  /** Every table's log summary added up. */
  private static LocalKafka.DeltaLogSummary sum(List<Path> tablePaths) throws IOException {
    long versions = 0;
    long files = 0;
    long bytes = 0;
    long rows = 0;
    Map<String, Long> txn = new TreeMap<>();
    for (Path t : tablePaths) {
      if (!Files.isDirectory(t.resolve("_delta_log"))) {
        continue;
      }
      LocalKafka.DeltaLogSummary s = LocalKafka.deltaLog(t);
      versions += s.versions();
      files += s.files();
      bytes += s.bytes();
      rows += s.rows();
      s.txn().forEach((k, v) -> txn.put(t.getFileName() + "/" + k, v));
    }
    return new LocalKafka.DeltaLogSummary(versions, files, bytes, rows, txn);
  }

  /**
   * Registers a connector for {@code topic} and waits until the Delta table holds every record: the
   * sum over partitions of (txn version + 1), read from the log every 50 ms. Seconds from the PUT.
   */
  private double drain(String name, List<String> topics, List<Path> tablePaths) throws Exception {
    long start = System.nanoTime();
    kafka.putConnector(name, JSON.writeValueAsString(connectorConfig(topics, tablePaths)), 2);
    kafka.waitFor(
        name + " to commit every record to Delta",
        Duration.ofMinutes(10),
        () -> {
          String status = kafka.get(kafka.rest + "/connectors/" + name + "/status");
          if (status != null && status.contains("FAILED")) {
            throw new IllegalStateException("a connector task failed: " + status);
          }
          return sum(tablePaths).txn().values().stream().mapToLong(v -> v + 1).sum() >= records;
        },
        50);
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * The worker's committed memory by native-memory-tracking category ({@code jcmd VM.native_memory
   * summary}, taken right after the warm drain), largest first in MB; the full report goes to
   * {@code out}.
   */
  private static String nativeMemory(long pid, Path out) throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid),
                "VM.native_memory",
                "summary",
                "scale=KB")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    jcmd.waitFor();
    Matcher m =
        Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB", Pattern.MULTILINE)
            .matcher(Files.readString(out));
    Map<String, Long> committed = new HashMap<>();
    while (m.find()) {
      committed.put(m.group(1).trim(), Long.parseLong(m.group(2)) / 1024);
    }
    Matcher total =
        Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB")
            .matcher(Files.readString(out));
    return (total.find() ? "committed " + Long.parseLong(total.group(1)) / 1024 + " MB: " : "")
        + committed.entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(java.util.stream.Collectors.joining(", "))
        + " (MB; "
        + out.getFileName()
        + ")";
  }

  /**
   * Puts {@link DiscardingSinkConnector} on the worker's plugin path as a plugin of its own (its
   * two classes and a service manifest, for {@code plugin.discovery=service_load}).
   */
  private static void installDiscardingSink(Path plugins) throws Exception {
    Path classes = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path dir = Files.createDirectories(plugins.resolve("bench-discarding-sink"));
    for (Class<?> c :
        List.of(DiscardingSinkConnector.class, DiscardingSinkConnector.DiscardingSinkTask.class)) {
      Files.copy(classes.resolve(c.getName() + ".class"), dir.resolve(c.getName() + ".class"));
    }
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(
        services.resolve(SinkConnector.class.getName()),
        DiscardingSinkConnector.class.getName() + "\n");
  }

  /**
   * Runs {@link DiscardingSinkConnector} over the first copy of the data (its own consumer group,
   * from the start) with the Delta connector's converters, consumer overrides and task count;
   * seconds until its tasks report the last offset of every partition.
   */
  private double discardingDrain(Map<String, String> deltaConfig, Path progress) throws Exception {
    Files.createDirectories(progress);
    Map<String, String> config = new TreeMap<>();
    config.put("connector.class", DiscardingSinkConnector.class.getName());
    for (String k : List.of("tasks.max", "key.converter", "value.converter")) {
      config.put(k, deltaConfig.get(k));
    }
    // The same consumer settings as the Delta connector (-Dbench.connector.consumer.override.*).
    deltaConfig.forEach(
        (k, v) -> {
          if (k.startsWith("consumer.override.")) {
            config.put(k, v);
          }
        });
    config.put("topics", COLD_TOPIC);
    config.put(DiscardingSinkConnector.PROGRESS_DIR, progress.toString());
    String name = "discarding-bench";
    long start = System.nanoTime();
    kafka.putConnector(name, JSON.writeValueAsString(config), 2);
    kafka.waitFor(
        name + " to read every record",
        Duration.ofMinutes(10),
        () -> {
          long read = 0;
          try (Stream<Path> files = Files.list(progress)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".txt")).toList()) {
              for (String line : Files.readAllLines(f)) {
                read += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)) + 1;
              }
            }
          }
          return read >= records;
        },
        50);
    double seconds = (System.nanoTime() - start) / 1e9;
    kafka.deleteConnector(name);
    return seconds;
  }

  /** The sample lines split around their time value: {prefix, time, suffix}. */
  private List<String[]> sample() throws IOException {
    List<String[]> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(
                    Files.newInputStream(
                        repo.resolve("config/sample-data/open-meteo/temperatures-2023.jsonl.gz"))),
                StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        Matcher m = TIME.matcher(l);
        if (!l.isBlank() && m.find()) {
          out.add(new String[] {l.substring(0, m.start(1)), m.group(1), l.substring(m.end(1))});
        }
      }
    }
    return out;
  }

  private static byte[] message(List<String[]> sample, long i) {
    String[] parts = sample.get((int) (i % sample.size()));
    long cycle = i / sample.size();
    String time =
        cycle == 0
            ? parts[1]
            : LocalDateTime.parse(parts[1], MINUTES).plusHours(4344 * cycle).format(MINUTES);
    return (parts[0] + time + parts[2]).getBytes(StandardCharsets.UTF_8);
  }

  private KafkaProducer<byte[], byte[]> producer(int lingerMs) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(p);
  }

  /**
   * Produces the {@code records} messages spread evenly over {@code topics}; returns their JSON
   * bytes.
   */
  private long load(List<String[]> sample, List<String> topics) {
    long bytes = 0;
    try (KafkaProducer<byte[], byte[]> p = producer(20)) {
      for (long i = 0; i < records; i++) {
        byte[] v = message(sample, i);
        bytes += v.length;
        String topic = topics.get((int) (i * topics.size() / records));
        p.send(new ProducerRecord<>(topic, (int) (i % partitions), null, v));
      }
      p.flush();
    }
    return bytes;
  }

  private double plainConsumer() {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(COLD_TOPIC, p));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long start = System.nanoTime();
      long n = 0;
      long sink = 0;
      while (n < records) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        for (var r : batch) {
          sink += r.value().length; // touch every value, as a real consumer would
          n++;
        }
      }
      if (sink < 0) {
        throw new IllegalStateException();
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  /**
   * Sum of the offsets Connect committed for the connector (the sink reports only what Delta
   * holds).
   */
  private long committed() throws IOException {
    String body = kafka.get(kafka.rest + "/connectors/" + CONNECTOR + "/offsets");
    String status = kafka.get(kafka.rest + "/connectors/" + CONNECTOR + "/status");
    if (status != null && status.contains("FAILED")) {
      throw new IllegalStateException("a connector task failed: " + status);
    }
    long done = 0;
    if (body != null) {
      for (JsonNode o : JSON.readTree(body).path("offsets")) {
        done += o.path("offset").path("kafka_offset").asLong();
      }
    }
    return done;
  }

  /**
   * Produces {@code latencyRate} records/s for {@code latencySeconds} s, then reads, for every
   * Delta version after {@code firstVersion}, its commit time and the offsets its txn actions
   * cover: latency of a record = commit time - produce time.
   */
  private List<Long> latencyPhase(List<String[]> sample, Path table, long firstVersion)
      throws Exception {
    if (latencySeconds <= 0) {
      return List.of();
    }
    Map<TopicPartition, Map<Long, Long>> sent = new ConcurrentHashMap<>();
    long total = (long) latencyRate * latencySeconds;
    kafka.step(
        String.format("Latency: producing %,d records/s for %d s", latencyRate, latencySeconds));
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> p = producer(0)) {
      for (long i = 0; i < total; i++) {
        long due = start + i * 1_000_000_000L / latencyRate;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
        long sentAt = System.currentTimeMillis();
        p.send(
            new ProducerRecord<>(TOPIC, (int) (i % partitions), null, message(sample, records + i)),
            (md, e) -> {
              if (e == null) {
                sent.computeIfAbsent(
                        new TopicPartition(md.topic(), md.partition()),
                        k -> new ConcurrentHashMap<>())
                    .put(md.offset(), sentAt);
              }
            });
      }
      p.flush();
    }
    long target = records + total;
    kafka.waitFor(
        "the latency records to be committed", Duration.ofMinutes(2), () -> committed() >= target);
    List<Long> latencies = new ArrayList<>();
    Map<String, Long> lastTxn = new HashMap<>();
    for (Path f : LocalKafka.deltaCommits(table)) {
      long version = Long.parseLong(f.getFileName().toString().substring(0, 20));
      long commitTime = -1;
      Map<String, Long> txns = new HashMap<>();
      for (String line : Files.readAllLines(f)) {
        JsonNode a = JSON.readTree(line);
        if (a.has("commitInfo")) {
          commitTime = a.get("commitInfo").path("timestamp").asLong();
        } else if (a.has("txn")) {
          txns.put(a.get("txn").path("appId").asText(), a.get("txn").path("version").asLong());
        }
      }
      for (Map.Entry<String, Long> t : txns.entrySet()) {
        long from = lastTxn.getOrDefault(t.getKey(), -1L) + 1;
        lastTxn.put(t.getKey(), t.getValue());
        if (version < firstVersion) {
          continue;
        }
        int partition = Integer.parseInt(t.getKey().substring(t.getKey().lastIndexOf('/') + 1));
        Map<Long, Long> times = sent.getOrDefault(new TopicPartition(TOPIC, partition), Map.of());
        for (long o = from; o <= t.getValue(); o++) {
          Long at = times.get(o);
          if (at != null) {
            latencies.add(commitTime - at);
          }
        }
      }
    }
    latencies.sort(null);
    return latencies;
  }

  /** CPU time (user + system) the process has used so far, from /proc (Linux), in seconds. */
  private static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12]))
        / 100.0; // utime, stime in clock ticks (USER_HZ = 100)
  }

  /** VmHWM: the most resident memory the process ever had (Linux). */
  private static long peakRssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }

  /**
   * From the worker's GC log ("123M->45M(256M)"): the largest heap occupancy before a collection,
   * and the largest after one (the live data at its peak), in MB.
   */
  private static long[] peakHeapMb(Path gcLog) throws IOException {
    Matcher m = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(gcLog));
    long[] peak = {0, 0};
    while (m.find()) {
      peak[0] = Math.max(peak[0], Math.max(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
      peak[1] = Math.max(peak[1], Long.parseLong(m.group(2)));
    }
    return peak;
  }
}
