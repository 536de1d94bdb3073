package io.deltasink.connect.delta.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KustoJsonPathTest {
  private static final JsonNode DOC;

  static {
    try {
      DOC =
          new ObjectMapper()
              .readTree("{\"a\":{\"b\":[10,{\"c\":\"x\"}]},\"odd name\":1,\"q'\":2,\"d.e\":3}");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "$                 | {\"a\":{\"b\":[10,{\"c\":\"x\"}]},\"odd name\":1,\"q'\":2,\"d.e\":3}",
        "$.a.b[0]          | 10",
        "$.a.b[1].c        | \"x\"",
        "$['a']['b'][1]['c'] | \"x\"",
        "$[\"a\"].b        | [10,{\"c\":\"x\"}]",
        "$['odd name']     | 1",
        "$[\"q'\"]         | 2",
        "$['d.e']          | 3",
        "$.missing         | <null>",
        "$.a.b[7]          | <null>",
        "$.a[0]            | <null>",
        "$.a.b.c           | <null>"
      })
  void evaluatesTheSupportedSubset(String path, String expected) {
    JsonNode n = KustoJsonPath.parse(path.trim()).evaluate(DOC);
    assertThat(n == null ? "<null>" : n.toString()).isEqualTo(expected.trim());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a.b          | position 0: a path must start with '$'",
        "$..a         | position 1: recursive descent '..' is not supported",
        "$.a[*]       | position 3: '[*]' is not supported",
        "$.a[?(@.b)]  | position 3: '[?(@.b)]' is not supported",
        "$.a[1:3]     | position 3: '[1:3]' is not supported",
        "$.*          | position 2: unexpected '*'",
        "$.           | position 2: expected a field name after '.'",
        "$['a'        | position 5: expected ']' after the quoted name",
        "$['a         | position 2: unclosed quote",
        "$a           | position 1: expected '.' or '['"
      })
  void rejectsTheRestWithThePosition(String path, String message) {
    assertThatThrownBy(() -> KustoJsonPath.parse(path.trim()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message.trim());
  }
}
