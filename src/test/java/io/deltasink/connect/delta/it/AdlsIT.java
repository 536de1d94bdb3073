package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.LocalAbfsFileSystem;
import io.deltasink.connect.delta.testing.LogCapture;
import io.deltasink.connect.delta.testing.SampleData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.runtime.ConnectorConfig;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole sink path on an {@code abfss://} table through a real Connect worker: the connector's
 * shared-key config reaches the (local-disk) ADLS file system, Delta commits through its Azure log
 * store, the connector restarts mid-stream, and the real Open-Meteo messages land exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdlsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final String HOST = "lake.dfs.core.windows.net";
  private static final String LOCATION = "abfss://files@" + HOST + "/weather/temperatures";
  private static final String ACCOUNT_KEY = "c2hhcmVkLWtleS1zZWNyZXQtdmFsdWU=";
  private ConnectCluster cluster;
  @TempDir Path tmp;

  @BeforeAll
  void start() {
    cluster = new ConnectCluster("adls-it", 1);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private Configuration readerConf() {
    return HadoopConf.build(
        Map.of(
            "fs.abfss.impl",
            LocalAbfsFileSystem.class.getName(),
            "fs.abfss.impl.disable.cache",
            "true",
            LocalAbfsFileSystem.ROOT_KEY,
            tmp.toString(),
            "fs.azure.account.key." + HOST,
            ACCOUNT_KEY));
  }

  private void produce(String topic, List<String> lines, int from, int to) {
    try (KafkaProducer<byte[], byte[]> p = cluster.producer()) {
      for (int i = from; i < to; i++) {
        p.send(
            new ProducerRecord<>(
                topic, i % 6, null, lines.get(i).getBytes(StandardCharsets.UTF_8)));
      }
      p.flush();
    }
  }

  /**
   * Produces the sample in three parts with a connector restart in between and waits until the
   * table at {@code location} holds every offset; returns the reader it checked the rows with.
   */
  private KernelReader writeSample(
      String name, String location, Map<String, String> storage, Configuration readerConf)
      throws Exception {
    List<String> lines = SampleData.temperatureLines();
    String topic = name + "-temperatures";
    cluster.createTopic(topic, 6);
    Map<String, String> c = new HashMap<>(ConnectCluster.sinkConfig(topic, location, 2));
    c.put(ConnectorConfig.VALUE_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
    c.remove("delta.kafka.columns");
    c.put("delta.table.mapping", "temperatures_mapping");
    c.put("delta.mappings.temperatures_mapping", SampleData.MAPPING_COMMAND);
    c.putAll(storage);
    cluster.connect.configureConnector(name, c);
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning(name, 2, "not running");
    produce(topic, lines, 0, 10_000);
    ConnectCluster.waitFor(
        TIMEOUT,
        "a first commit",
        () -> {
          try {
            return new KernelReader(location, readerConf).snapshot().getVersion() >= 0;
          } catch (RuntimeException e) {
            return false;
          }
        });
    produce(topic, lines, 10_000, 18_000);
    cluster.connect.restartConnectorAndTasks(name, false, false, false);
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning(name, 2, "not running");
    produce(topic, lines, 18_000, lines.size());
    cluster.awaitCommitted(location, readerConf, name, topic, 6, TIMEOUT);
    KernelReader reader = new KernelReader(location, readerConf);
    SampleData.assertTemperatureRows(location, reader.rows());
    cluster.connect.deleteConnector(name);
    return reader;
  }

  @Test
  void realMessagesIntoAnAbfssTableExactlyOnceAcrossARestart() throws Exception {
    LocalAbfsFileSystem.LOG_RENAMES.set(0);
    Map<String, String> storage = new HashMap<>();
    storage.put("delta.azure.auth.method", "shared-key");
    storage.put("delta.azure.account.key", ACCOUNT_KEY);
    // The test double for the ABFS driver; everything else is what a production config holds.
    storage.put("delta.hadoop.fs.abfss.impl", LocalAbfsFileSystem.class.getName());
    storage.put("delta.hadoop.fs.abfss.impl.disable.cache", "true");
    storage.put("delta.hadoop." + LocalAbfsFileSystem.ROOT_KEY, tmp.toString());
    KernelReader reader;
    String logs;
    // Everything the worker, the sink and Hadoop log; not the test harness, which echoes the REST
    // responses (GET /connectors/{name}/config shows a connector's config as given: use a config
    // provider such as ${file:...} to keep a secret out of it).
    try (LogCapture capture =
        new LogCapture(
            Map.of(
                "io.deltasink",
                Level.TRACE,
                "org.apache.kafka",
                Level.INFO,
                "org.apache.hadoop",
                Level.DEBUG,
                "org.apache.kafka.connect.util.clusters",
                Level.OFF))) {
      reader = writeSample("adls-sink", LOCATION, storage, readerConf());
      logs = capture.text();
    }
    // The key is in the connector config; the worker and the sink log that config, with the key
    // hidden.
    assertThat(logs).contains("delta.azure.account.key = [hidden]").doesNotContain(ACCOUNT_KEY);
    long versions = reader.snapshot().getVersion() + 1;
    assertThat(LocalAbfsFileSystem.LOG_RENAMES.get())
        .as("commits published by rename (AzureLogStore)")
        .isEqualTo((int) versions);
    Path log = tmp.resolve(HOST).resolve("files/weather/temperatures/_delta_log");
    try (Stream<Path> files = Files.list(log)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        assertThat(Files.readString(f)).doesNotContain(ACCOUNT_KEY);
      }
    }
    System.out.printf(
        "[measure] abfss:// table: 26064 rows in %d Delta versions, restart mid-stream, %d commits by rename; "
            + "%d log lines searched, no account key%n",
        versions, LocalAbfsFileSystem.LOG_RENAMES.get(), logs.lines().count());
  }

  /**
   * Opt-in: the same against a real ADLS Gen2 account. Set DELTA_SINK_ADLS_ROOT (for example
   * abfss://files@myaccount.dfs.core.windows.net/it) and DELTA_SINK_ADLS_ACCOUNT_KEY; the test
   * writes a new table below the root and deletes it afterwards.
   */
  @Test
  @EnabledIfEnvironmentVariable(named = "DELTA_SINK_ADLS_ROOT", matches = "abfss?://.+")
  void liveAccount() throws Exception {
    String location =
        System.getenv("DELTA_SINK_ADLS_ROOT").replaceAll("/+$", "")
            + "/kafka-connect-delta-it-"
            + java.util.UUID.randomUUID();
    Map<String, String> storage = new HashMap<>();
    storage.put("delta.azure.auth.method", "shared-key");
    storage.put("delta.azure.account.key", System.getenv("DELTA_SINK_ADLS_ACCOUNT_KEY"));
    Map<String, String> props = new HashMap<>(storage);
    props.put("delta.table.location", location);
    Configuration conf =
        HadoopConf.build(
            new io.deltasink.connect.delta.config.DeltaSinkConfig(props).hadoopOverrides());
    try {
      writeSample("adls-live", location, storage, conf);
    } finally {
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(location);
      root.getFileSystem(conf).delete(root, true);
    }
  }
}
