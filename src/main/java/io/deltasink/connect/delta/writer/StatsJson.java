package io.deltasink.connect.delta.writer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.io.IOException;

/**
 * Reads {@code AddFile.stats} JSON into a tree that keeps every number as the text it was written
 * as: neither a {@code double} (which loses the digits of a {@code decimal(38,18)}) nor a {@link
 * java.math.BigDecimal} (which loses the sign of {@code -0.0}) is exact for every column type, so
 * {@link MergedStats} parses each number by its column's type.
 */
final class StatsJson {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private StatsJson() {}

  /** A number's JSON text. */
  private record Literal(String text) {}

  /** The statistics as a tree, or {@code null} when there are none or they are not an object. */
  static ObjectNode parse(String json) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonNode root = p.nextToken() == JsonToken.START_OBJECT ? read(p) : null;
      return root != null && p.nextToken() == null ? (ObjectNode) root : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static JsonNode read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        ObjectNode object = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          object.set(name, read(p));
        }
        return object;
      case START_ARRAY:
        ArrayNode array = NODES.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          array.add(read(p));
        }
        return array;
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return NODES.pojoNode(new Literal(p.getText()));
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_TRUE:
      case VALUE_FALSE:
        return NODES.booleanNode(t == JsonToken.VALUE_TRUE);
      default:
        return NODES.nullNode();
    }
  }

  /** The JSON text of a number node of {@link #parse}'s tree, or {@code null} for another node. */
  static String number(JsonNode n) {
    return n instanceof POJONode p && p.getPojo() instanceof Literal l ? l.text() : null;
  }

  /** A whole number of {@link #parse}'s tree that is at least 0, or -1. */
  static long count(JsonNode n) {
    String text = n == null ? null : number(n);
    try {
      return text == null ? -1 : Math.max(-1, Long.parseLong(text));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
