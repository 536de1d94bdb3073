package io.deltasink.connect.delta.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.deltasink.connect.delta.DeltaSinkConnector;
import java.io.FileReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so this checks that docker/docker-compose.yml is consistent with the
 * files it mounts and the ports and names they use.
 */
class DockerComposeTest {
  private static final Path DOCKER = Path.of("docker");

  /** Bind mounts created at run time (listed in docker/.gitignore and the compose header). */
  private static final List<String> CREATED_AT_RUN_TIME = List.of("./plugins", "./delta-tables");

  private static JsonNode compose;
  private static Properties worker;

  @BeforeAll
  static void read() throws Exception {
    compose =
        new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("docker-compose.yml").toFile());
    worker = new Properties();
    try (FileReader r = new FileReader(DOCKER.resolve("connect-worker.properties").toFile())) {
      worker.load(r);
    }
  }

  private static Map<String, String> mounts(String service) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode v : compose.path("services").path(service).path("volumes")) {
      String[] parts = v.asText().split(":");
      out.put(parts[0], parts[1]);
    }
    return out;
  }

  @Test
  void servicesAndMountedFilesExist() throws Exception {
    assertThat(compose.path("services").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("kafka", "connect", "setup", "register");
    String ignored = Files.readString(DOCKER.resolve(".gitignore"));
    for (String service : List.of("connect", "setup", "register")) {
      for (String source : mounts(service).keySet()) {
        if (CREATED_AT_RUN_TIME.contains(source)) {
          assertThat(ignored).contains(source.substring(2) + "/");
        } else {
          assertThat(DOCKER.resolve(source)).as(service + " mounts " + source).exists();
        }
      }
    }
    assertThat(DOCKER.resolve("../config/sample-data/open-meteo/temperatures-2023.jsonl.gz"))
        .exists();
    assertThat(Files.readString(DOCKER.resolve("setup.sh")))
        .contains("/sample/temperatures-2023.jsonl.gz");
  }

  @Test
  void workerPortsPathsAndBootstrapAgree() throws Exception {
    Map<String, String> connectMounts = mounts("connect");
    assertThat(worker.getProperty("plugin.path")).isEqualTo(connectMounts.get("./plugins"));
    assertThat(connectMounts.get("./connect-worker.properties"))
        .isEqualTo(compose.path("services").path("connect").path("command").get(1).asText());
    String restPort = worker.getProperty("listeners").replaceAll(".*:(\\d+)$", "$1");
    assertThat(compose.path("services").path("connect").path("ports").get(0).asText())
        .endsWith(":" + restPort);
    assertThat(Files.readString(DOCKER.resolve("register.sh")))
        .contains("http://connect:" + restPort + "/connectors/");
    String advertised =
        compose
            .path("services")
            .path("kafka")
            .path("environment")
            .path("KAFKA_ADVERTISED_LISTENERS")
            .asText();
    assertThat(advertised).contains("PLAINTEXT://" + worker.getProperty("bootstrap.servers"));
    assertThat(Files.readString(DOCKER.resolve("setup.sh")))
        .contains("--bootstrap-server " + worker.getProperty("bootstrap.servers"));
  }

  @Test
  void theRegisteredConnectorIsValidAndWritesIntoTheMountedTableDirectory() throws Exception {
    Map<String, String> register = mounts("register");
    String connectorFile =
        register.entrySet().stream()
            .filter(e -> e.getValue().endsWith("connector.json"))
            .findFirst()
            .orElseThrow()
            .getKey();
    JsonNode json = new ObjectMapper().readTree(DOCKER.resolve(connectorFile).toFile());
    Map<String, String> config = new HashMap<>();
    json.fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
    config.put("name", "delta-temperatures");
    List<String> errors =
        new DeltaSinkConnector()
            .validate(config).configValues().stream()
                .flatMap((ConfigValue v) -> v.errorMessages().stream())
                .toList();
    assertThat(errors).isEmpty();
    assertThat(config.get("delta.table.location"))
        .startsWith("file://" + mounts("connect").get("./delta-tables") + "/");
    assertThat(Files.readString(DOCKER.resolve("setup.sh")))
        .contains("--topic " + config.get("topics") + " ");
  }
}
