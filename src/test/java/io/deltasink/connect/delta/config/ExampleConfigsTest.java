package io.deltasink.connect.delta.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.DeltaSinkConnector;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every connector config shipped in config/ passes the connector's own validation, as PUT
 * .../config/validate would.
 */
class ExampleConfigsTest {

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("config"))) {
      List<Path> files =
          s.filter(
                  p ->
                      p.toString().endsWith("-connector.json")
                          || p.toString().endsWith("delta-sink-standalone.properties"))
              .sorted()
              .toList();
      assertThat(files).hasSizeGreaterThanOrEqualTo(5);
      return files.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void validatesWithoutErrors(Path file) throws IOException {
    Map<String, String> props = new HashMap<>();
    if (file.toString().endsWith(".json")) {
      JsonNode n = new ObjectMapper().readTree(file.toFile());
      n.fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
    } else {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
      p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
    }
    props.putIfAbsent("name", file.getFileName().toString());
    List<ConfigValue> values = new DeltaSinkConnector().validate(props).configValues();
    assertThat(values)
        .allSatisfy(v -> assertThat(v.errorMessages()).as(file + " " + v.name()).isEmpty());
  }
}
