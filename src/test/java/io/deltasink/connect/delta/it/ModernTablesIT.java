package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.DeltaSinkConnector;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.FeatureTables;
import io.deltasink.connect.delta.testing.KernelReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: tables with the table features Databricks and Spark 3.4+ create, made in the test
 * through Delta Kernel, appended to by a real Connect worker and read back with Kernel: each
 * (topic, partition, offset) exactly once and the table's protocol unchanged; a table upgraded by
 * another engine while the connector writes it; and the refusal of a table the connector cannot
 * write, by {@code validate()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModernTablesIT {
  private static final int PARTITIONS = 2;
  private static final int RECORDS = 400;

  /** The schema the connector derives from {@link ConnectCluster#temperatureJson} records. */
  private static final String SCHEMA =
      "{\"type\":\"struct\",\"fields\":["
          + field("city", "string", false)
          + ","
          + field("seq", "long", false)
          + ","
          + field("temperature", "double", true)
          + ","
          + field("observed", "timestamp", false)
          + ","
          + field("kafka_topic", "string", true)
          + ","
          + field("kafka_partition", "integer", true)
          + ","
          + field("kafka_offset", "long", true)
          + "]}";

  private static String field(String name, String type, boolean nullable) {
    return "{\"name\":\""
        + name
        + "\",\"type\":\""
        + type
        + "\",\"nullable\":"
        + nullable
        + ",\"metadata\":{}}";
  }

  /** {@link #SCHEMA} with {@code observed} as {@code timestamp_ntz}, for the timestampNtz table. */
  private static final String NTZ_SCHEMA =
      SCHEMA.replace(
          field("observed", "timestamp", false), field("observed", "timestamp_ntz", false));

  /**
   * A table per feature: its table properties at creation ({@code cluster} = clustered by city).
   */
  private static final Map<String, Map<String, String>> FEATURES = new LinkedHashMap<>();

  static {
    FEATURES.put(
        "deletionVectors",
        Map.of("delta.enableDeletionVectors", "true", "delta.checkpointInterval", "2"));
    FEATURES.put(
        "v2Checkpoint", Map.of("delta.checkpointPolicy", "v2", "delta.checkpointInterval", "2"));
    FEATURES.put("timestampNtz", Map.of("delta.feature.timestampNtz", "supported"));
    FEATURES.put("inCommitTimestamp", Map.of("delta.enableInCommitTimestamps", "true"));
    FEATURES.put("domainMetadata", Map.of("delta.feature.domainMetadata", "supported"));
    FEATURES.put("rowTracking", Map.of("delta.enableRowTracking", "true"));
    FEATURES.put("clustering", Map.of());
    // delta.appendOnly alone makes a (1,2) table, which Delta Standalone writes; with deletion
    // vectors the protocol lists appendOnly as a table feature, which Kernel writes.
    FEATURES.put(
        "appendOnly", Map.of("delta.appendOnly", "true", "delta.enableDeletionVectors", "true"));
    FEATURES.put("changeDataFeed", Map.of("delta.enableChangeDataFeed", "true"));
    FEATURES.put("vacuumProtocolCheck", Map.of("delta.feature.vacuumProtocolCheck", "supported"));
    FEATURES.put("checkpointProtection", Map.of("delta.feature.checkpointProtection", "supported"));
    FEATURES.put("typeWidening", Map.of("delta.enableTypeWidening", "true"));
    // Like appendOnly, a legacy feature of writer version 2; listed with deletion vectors.
    FEATURES.put(
        "invariants",
        Map.of("delta.feature.invariants", "supported", "delta.enableDeletionVectors", "true"));
    FEATURES.put("checkConstraints", Map.of("delta.feature.checkConstraints", "supported"));
    // Kernel gives every column a physical name and an id; the files must use them.
    FEATURES.put("columnMapping", Map.of("delta.columnMapping.mode", "name"));
    FEATURES.put("columnMappingId", Map.of("delta.columnMapping.mode", "id"));
  }

  @TempDir Path tmp;
  private ConnectCluster cluster;

  @BeforeAll
  void start() {
    cluster = new ConnectCluster("modern-it", 1);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private String location(String name) {
    return tmp.resolve(name).toUri().toString();
  }

  private static String topic(String feature) {
    return "f-" + feature.toLowerCase();
  }

  @Test
  void appendsExactlyOnceToATableWithEachFeature() throws Exception {
    Map<String, String> before = new HashMap<>();
    List<String> routes = new ArrayList<>();
    for (var e : FEATURES.entrySet()) {
      String feature = e.getKey();
      FeatureTables.create(
          location(feature),
          feature.equals("timestampNtz") ? NTZ_SCHEMA : SCHEMA,
          e.getValue(),
          feature.equals("clustering") ? List.of("city") : List.of());
      before.put(feature, FeatureTables.protocol(location(feature)));
      assertThat(before.get(feature))
          .as("the table of %s", feature)
          .contains(feature.replace("columnMappingId", "columnMapping"));
      cluster.createTopic(topic(feature), PARTITIONS);
      routes.add("{'topic':'" + topic(feature) + "','location':'" + location(feature) + "'}");
    }
    Map<String, String> c =
        ConnectCluster.sinkConfig(
            String.join(",", FEATURES.keySet().stream().map(ModernTablesIT::topic).toList()),
            "file:///unused",
            2);
    c.remove("delta.table.location");
    c.put("delta.tables.topics.mapping", "[" + String.join(",", routes) + "]");
    cluster.connect.configureConnector("features", c);
    // Two rounds, so that every table takes several commits from the connector.
    for (int round = 0; round < 2; round++) {
      for (String feature : FEATURES.keySet()) {
        cluster.produce(topic(feature), PARTITIONS, round * RECORDS, RECORDS);
      }
      for (String feature : FEATURES.keySet()) {
        cluster.awaitCommitted(
            location(feature), "features", topic(feature), PARTITIONS, Duration.ofSeconds(120));
      }
    }
    cluster.connect.deleteConnector("features");
    for (String feature : FEATURES.keySet()) {
      String location = location(feature);
      KernelReader reader = new KernelReader(location);
      ExactlyOnce.assertEachOffsetOnce(
          reader.rows(), cluster.endOffsets(topic(feature), PARTITIONS));
      assertThat(FeatureTables.protocol(location))
          .as("the protocol of the %s table", feature)
          .isEqualTo(before.get(feature));
      assertThat(reader.snapshot().getVersion()).as("commits to %s", feature).isGreaterThan(1);
    }
    // The Connect Timestamp in a timestamp_ntz column: its UTC wall-clock time.
    List<Map<String, Object>> ntz = new KernelReader(location("timestampNtz")).rows();
    assertThat(ntz)
        .hasSize(2 * RECORDS)
        .allSatisfy(
            r ->
                assertThat(r.get("observed"))
                    .isEqualTo((1_672_531_200_000L + (Long) r.get("seq") * 3_600_000L) * 1000L));
    // Column mapping: the data files name their fields by physical name and, in id mode, carry
    // the column ids.
    assertThat(parquetFields(location("columnMapping")))
        .hasSize(7)
        .allMatch(f -> f.startsWith("col-"));
    assertThat(parquetFields(location("columnMappingId")))
        .hasSize(7)
        .allMatch(f -> f.matches("col-[0-9a-f-]+#[1-7]"));
    List<String> ict = commitLines(location("inCommitTimestamp"), "\"commitInfo\"");
    assertThat(ict).isNotEmpty().allMatch(l -> l.contains("\"inCommitTimestamp\":"));
    List<String> adds = commitLines(location("rowTracking"), "\"add\"");
    assertThat(adds)
        .isNotEmpty()
        .allMatch(l -> l.contains("\"baseRowId\":") && l.contains("\"defaultRowCommitVersion\":"));
    assertThat(commitLines(location("rowTracking"), "delta.rowTracking")).isNotEmpty();
    assertThat(checkpoints(location("deletionVectors"))).isNotEmpty();
    assertThat(checkpoints(location("v2Checkpoint")))
        .as("V2 spec checkpoints only on a v2-checkpoint table")
        .isNotEmpty()
        .allMatch(
            p -> p.getFileName().toString().matches("\\d{20}\\.checkpoint\\.[0-9a-f-]{36}\\.json"));
  }

  /** The lines of the table's commit files that contain {@code text}. */
  private static List<String> commitLines(String location, String text) throws Exception {
    Path log = Path.of(java.net.URI.create(location)).resolve("_delta_log");
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(log)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        if (f.getFileName().toString().startsWith("00000000000000000000")) {
          continue; // the test's own creation
        }
        Files.readAllLines(f, StandardCharsets.UTF_8).stream()
            .filter(l -> l.contains(text))
            .forEach(out::add);
      }
    }
    return out;
  }

  /** The top-level fields of one data file of the table, as {@code name#id} (-1: no id). */
  private static List<String> parquetFields(String location) throws Exception {
    Path dataFile;
    try (Stream<Path> files = Files.walk(Path.of(java.net.URI.create(location)))) {
      dataFile =
          files
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow();
    }
    try (var reader =
        org.apache.parquet.hadoop.ParquetFileReader.open(
            org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(dataFile.toUri()),
                new org.apache.hadoop.conf.Configuration()))) {
      return reader.getFooter().getFileMetaData().getSchema().getFields().stream()
          .map(f -> f.getName() + "#" + (f.getId() == null ? -1 : f.getId().intValue()))
          .toList();
    }
  }

  private static List<Path> checkpoints(String location) throws Exception {
    Path log = Path.of(java.net.URI.create(location)).resolve("_delta_log");
    try (Stream<Path> files = Files.list(log)) {
      return files.filter(p -> p.getFileName().toString().contains(".checkpoint.")).toList();
    }
  }

  @Test
  void keepsWritingExactlyOnceWhenAnotherEngineUpgradesTheTable() throws Exception {
    String topic = "upgraded";
    String location = location("upgraded");
    cluster.createTopic(topic, PARTITIONS);
    cluster.connect.configureConnector("upgraded", ConnectCluster.sinkConfig(topic, location, 1));
    cluster.produce(topic, PARTITIONS, 0, RECORDS);
    cluster.awaitCommitted(location, "upgraded", topic, PARTITIONS, Duration.ofSeconds(60));
    assertThat(FeatureTables.protocol(location)).isEqualTo("(1,2) [appendOnly, invariants]");

    // Another engine enables deletion vectors: protocol (3,7), which Delta Standalone cannot write.
    FeatureTables.setProperties(location, Map.of("delta.enableDeletionVectors", "true"));
    String upgraded = FeatureTables.protocol(location);
    assertThat(upgraded).startsWith("(3,7)").contains("deletionVectors");

    cluster.produce(topic, PARTITIONS, RECORDS, RECORDS);
    cluster.awaitCommitted(location, "upgraded", topic, PARTITIONS, Duration.ofSeconds(60));
    cluster
        .connect
        .assertions()
        .assertConnectorAndExactlyNumTasksAreRunning("upgraded", 1, "the task kept running");
    cluster.connect.deleteConnector("upgraded");
    ExactlyOnce.assertEachOffsetOnce(
        new KernelReader(location).rows(), cluster.endOffsets(topic, PARTITIONS));
    assertThat(FeatureTables.protocol(location)).isEqualTo(upgraded);
    assertThat(commitLines(location, "\"engineInfo\":\"Kernel-"))
        .as("the connector's commits after the upgrade, through Delta Kernel")
        .isNotEmpty();
  }

  @Test
  void validateRefusesAnExistingTableWithAFeatureTheConnectorCannotWrite() throws Exception {
    Path table = tmp.resolve("constrained");
    FeatureTables.writeVersionZero(
        table,
        "{\"minReaderVersion\":1,\"minWriterVersion\":3}",
        SCHEMA,
        "{\"delta.constraints.positive_seq\":\"seq > 0\"}");
    Map<String, String> c = ConnectCluster.sinkConfig("constrained", table.toUri().toString(), 1);
    c.put("name", "constrained");
    ConfigInfos result =
        cluster.connect.validateConnectorConfig(DeltaSinkConnector.class.getSimpleName(), c);
    assertThat(result.errorCount()).isEqualTo(1);
    ConfigInfo location =
        result.configs().stream()
            .filter(i -> i.configValue().name().equals("delta.table.location"))
            .findFirst()
            .orElseThrow();
    assertThat(location.configValue().errors())
        .singleElement()
        .asString()
        .startsWith(
            "Delta table "
                + table.toUri().toString().replaceAll("/$", "")
                + " uses the table feature 'checkConstraints', which this connector cannot write:"
                + " the table has CHECK constraints (SQL expressions)");
  }
}
