package io.deltasink.connect.delta.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.DeltaSinkConnector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/**
 * The connector configs shown in README.md are the ones a new user copies: the first names the
 * connector class fully, and each passes the connector's own validation, as PUT .../config/validate
 * would.
 */
class ReadmeExamplesTest {
  private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);

  private static List<JsonNode> connectorConfigs() throws Exception {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    List<JsonNode> configs = new ArrayList<>();
    Matcher m = JSON_BLOCK.matcher(readme);
    while (m.find()) {
      JsonNode n = new ObjectMapper().readTree(m.group(1));
      if (n.has("connector.class")) {
        configs.add(n);
      }
    }
    return configs;
  }

  @Test
  void theFirstExampleNamesTheConnectorClassFully() throws Exception {
    List<JsonNode> configs = connectorConfigs();
    assertThat(configs).as("connector configs in README.md").isNotEmpty();
    assertThat(configs.get(0).path("connector.class").asText())
        .isEqualTo(DeltaSinkConnector.class.getName());
  }

  @Test
  void everyExampleValidates() throws Exception {
    for (JsonNode config : connectorConfigs()) {
      Map<String, String> props = new HashMap<>();
      config.fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
      props.putIfAbsent("name", "readme-example");
      List<ConfigValue> values = new DeltaSinkConnector().validate(props).configValues();
      assertThat(values)
          .allSatisfy(v -> assertThat(v.errorMessages()).as(config + " " + v.name()).isEmpty());
    }
  }
}
