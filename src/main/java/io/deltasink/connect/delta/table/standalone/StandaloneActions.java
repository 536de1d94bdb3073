package io.deltasink.connect.delta.table.standalone;

import io.delta.standalone.types.DataType;
import io.delta.standalone.types.StructType;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
import java.util.List;

/**
 * Values as Delta Standalone writes them into the log: schemas, and JSON text it stores verbatim.
 */
final class StandaloneActions {
  private StandaloneActions() {}

  /**
   * Standalone writes {@code AddFile.stats} and operation parameters into the log verbatim, but the
   * protocol (and Standalone's own reader) wants them as JSON strings: encode the text as one.
   */
  static String jsonString(String text) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
  }

  static String partitionColumnsJson(List<String> columns) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < columns.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(com.fasterxml.jackson.databind.node.TextNode.valueOf(columns.get(i)).toString());
    }
    return sb.append(']').toString();
  }

  /**
   * A {@code metaData} action's body as the protocol spells it (PROTOCOL.md, "Change Metadata"),
   * from Standalone's model of it.
   */
  static com.fasterxml.jackson.databind.node.ObjectNode metadataJson(
      io.delta.standalone.actions.Metadata m) {
    com.fasterxml.jackson.databind.node.ObjectNode n =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    n.put("id", m.getId());
    if (m.getName() != null) {
      n.put("name", m.getName());
    }
    if (m.getDescription() != null) {
      n.put("description", m.getDescription());
    }
    com.fasterxml.jackson.databind.node.ObjectNode format = n.putObject("format");
    format.put("provider", m.getFormat().getProvider());
    com.fasterxml.jackson.databind.node.ObjectNode options = format.putObject("options");
    m.getFormat().getOptions().forEach(options::put);
    n.put("schemaString", m.getSchema().toJson());
    com.fasterxml.jackson.databind.node.ArrayNode cols = n.putArray("partitionColumns");
    m.getPartitionColumns().forEach(cols::add);
    com.fasterxml.jackson.databind.node.ObjectNode conf = n.putObject("configuration");
    m.getConfiguration().forEach(conf::put);
    m.getCreatedTime().ifPresent(t -> n.put("createdTime", t));
    return n;
  }

  static ColumnType.Struct toSchema(StructType type) {
    return DeltaSchemaJson.fromJson(type.toJson());
  }

  static StructType toStructType(ColumnType.Struct schema) {
    return (StructType) DataType.fromJson(DeltaSchemaJson.toJson(schema));
  }
}
