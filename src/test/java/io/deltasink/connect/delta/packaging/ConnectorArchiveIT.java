package io.deltasink.connect.delta.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.tools.ConnectPluginPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Confluent-Hub-style archive that {@code mvn package} builds, checked as a worker would see
 * it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectorArchiveIT {
  @TempDir static Path plugins;
  private Path zip;
  private Path root;
  private final List<String> entries = new ArrayList<>();

  @BeforeAll
  void unpack() throws IOException {
    PluginArchive archive = PluginArchive.unpack(plugins);
    zip = archive.zip;
    root = archive.root;
    entries.addAll(archive.entries);
    System.out.printf(
        "[measure] %s: %.1f MB, %d jars in lib/%n",
        zip.getFileName(),
        Files.size(zip) / 1e6,
        entries.stream().filter(e -> e.startsWith("lib/") && e.endsWith(".jar")).count());
  }

  @Test
  void hasTheConfluentHubLayoutAndNoWorkerJars() throws IOException {
    String version = System.getProperty("project.version", "0.1.0-SNAPSHOT");
    assertThat(root.getFileName().toString()).isEqualTo("deltasink-kafka-connect-delta-" + version);
    assertThat(entries)
        .contains(
            "manifest.json",
            "doc/README.md",
            "doc/docs/configuration.md",
            "doc/LICENSE",
            "doc/NOTICE",
            "lib/kafka-connect-delta-" + version + ".jar",
            "etc/quickstart-connector.json");
    assertThat(entries)
        .filteredOn(e -> e.startsWith("lib/"))
        .noneMatch(
            e ->
                e.matches(
                    "lib/(kafka-clients|connect-api|connect-runtime|connect-json|slf4j-api|log4j).*"));
    JsonNode manifest = new ObjectMapper().readTree(root.resolve("manifest.json").toFile());
    assertThat(manifest.path("version").asText()).isEqualTo(version);
    assertThat(manifest.path("component_types").get(0).asText()).isEqualTo("sink");
    assertThat(manifest.path("features").path("delivery_guarantee").get(0).asText())
        .isEqualTo("exactly_once");
    assertThat(manifest.path("owner").path("username").asText()).isEqualTo("deltasink");
    assertThat(Files.readString(root.resolve("doc/NOTICE")))
        .contains("Open-Meteo.com")
        .contains("CC BY 4.0");
  }

  @Test
  void kafkasPluginToolFindsItLoadableWithItsManifest() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        ConnectPluginPath.mainNoExit(
            new String[] {"list", "--plugin-location", root.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String table = out.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String row =
        table
            .lines()
            .filter(l -> l.contains("io.deltasink.connect.delta.DeltaSinkConnector"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("connector not listed:\n" + table));
    // Columns: location, class, aliases, version, type, isLoadable, hasManifest
    assertThat(row).contains("sink").contains("true\ttrue");
    System.out.println("[measure] ConnectPluginPath list: " + row);
  }
}
