package io.deltasink.connect.delta.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes a {@link ColumnType.Struct} in the Delta protocol's schema JSON (PROTOCOL.md,
 * "Schema Serialization Format"), the {@code schemaString} of a {@code metaData} action. Any Delta
 * backend can parse the string this produces. Of the field metadata, the column mapping's physical
 * name and id are kept; other metadata is not read.
 */
public final class DeltaSchemaJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern DECIMAL =
      Pattern.compile("decimal\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");

  /** Field metadata of column mapping (PROTOCOL.md, "Column Mapping"). */
  private static final String PHYSICAL_NAME = "delta.columnMapping.physicalName";

  private static final String COLUMN_MAPPING_ID = "delta.columnMapping.id";

  private DeltaSchemaJson() {}

  /** The schema as the protocol's JSON text. */
  public static String toJson(ColumnType.Struct schema) {
    return toNode(schema).toString();
  }

  /**
   * Parses a protocol schema string.
   *
   * @throws IllegalArgumentException on malformed JSON or a type this connector cannot write (for
   *     example {@code timestamp_ntz} or {@code void})
   */
  public static ColumnType.Struct fromJson(String json) {
    try {
      ColumnType type = parseType(MAPPER.readTree(json));
      if (!(type instanceof ColumnType.Struct struct)) {
        throw new IllegalArgumentException(
            "a table schema must be a struct, got " + type.deltaName());
      }
      return struct;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "malformed Delta schema JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * One struct field as the protocol's JSON ({@code name}, {@code type}, {@code nullable}, {@code
   * metadata} with the column mapping's physical name and id when set).
   */
  public static ObjectNode fieldJson(Column column) {
    return (ObjectNode) toNode(new ColumnType.Struct(List.of(column))).path("fields").get(0);
  }

  /**
   * Parses one type of the protocol's schema JSON: a primitive or decimal name, or a struct, array
   * or map object.
   *
   * @throws IllegalArgumentException for a type this connector cannot write
   */
  public static ColumnType typeOf(JsonNode node) {
    return parseType(node);
  }

  private static JsonNode toNode(ColumnType type) {
    if (type instanceof ColumnType.Primitive || type instanceof ColumnType.Decimal) {
      return NODES.textNode(type.deltaName());
    }
    ObjectNode node = NODES.objectNode();
    if (type instanceof ColumnType.Struct struct) {
      node.put("type", "struct");
      ArrayNode fields = node.putArray("fields");
      for (Column c : struct.fields()) {
        ObjectNode f = fields.addObject();
        f.put("name", c.name());
        f.set("type", toNode(c.type()));
        f.put("nullable", c.nullable());
        ObjectNode metadata = f.putObject("metadata");
        if (c.fieldId() >= 0) {
          metadata.put(COLUMN_MAPPING_ID, c.fieldId());
        }
        if (!c.physicalName().equals(c.name())) {
          metadata.put(PHYSICAL_NAME, c.physicalName());
        }
      }
    } else if (type instanceof ColumnType.Array array) {
      node.put("type", "array");
      node.set("elementType", toNode(array.element()));
      node.put("containsNull", array.containsNull());
    } else if (type instanceof ColumnType.MapType map) {
      node.put("type", "map");
      node.set("keyType", toNode(map.key()));
      node.set("valueType", toNode(map.value()));
      node.put("valueContainsNull", map.valueContainsNull());
    }
    return node;
  }

  private static ColumnType parseType(JsonNode node) {
    if (node.isTextual()) {
      String name = node.asText();
      ColumnType.Primitive p = ColumnType.Primitive.forDeltaName(name);
      if (p != null) {
        return p;
      }
      Matcher m = DECIMAL.matcher(name);
      if (m.matches()) {
        return new ColumnType.Decimal(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
      }
      if ("decimal".equals(name)) {
        return new ColumnType.Decimal(10, 0);
      }
      throw new IllegalArgumentException("unsupported Delta column type '" + name + "'");
    }
    String kind = node.path("type").asText("");
    switch (kind) {
      case "struct":
        {
          List<Column> fields = new ArrayList<>();
          for (JsonNode f : node.path("fields")) {
            String name = f.path("name").asText();
            JsonNode metadata = f.path("metadata");
            fields.add(
                new Column(
                    name,
                    parseType(f.path("type")),
                    f.path("nullable").asBoolean(true),
                    metadata.path(PHYSICAL_NAME).asText(name),
                    metadata.path(COLUMN_MAPPING_ID).asInt(-1)));
          }
          return new ColumnType.Struct(fields);
        }
      case "array":
        return new ColumnType.Array(
            parseType(node.path("elementType")), node.path("containsNull").asBoolean(true));
      case "map":
        return new ColumnType.MapType(
            parseType(node.path("keyType")),
            parseType(node.path("valueType")),
            node.path("valueContainsNull").asBoolean(true));
      default:
        throw new IllegalArgumentException("unsupported Delta schema node " + node);
    }
  }
}
