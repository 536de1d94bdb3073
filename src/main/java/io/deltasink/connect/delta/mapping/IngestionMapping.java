package io.deltasink.connect.delta.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named Kusto JSON ingestion mapping ("JSON mapping",
 * learn.microsoft.com/kusto/management/json-mapping), parsed once at configuration time from any of
 * the forms ADX users have:
 *
 * <ul>
 *   <li>the current form {@code
 *       [{"Column":"c","Properties":{"Path":"$.a","Transform":"...","ConstValue":"..."},"DataType":"..."}]}
 *   <li>the legacy flat form {@code
 *       [{"column":"c","path":"$.a","datatype":"decimal","transform":null}]}
 *   <li>the whole management command {@code .create table T ingestion json mapping 'name' '[...]'}
 *       ({@code .create-or-alter} and {@code .alter} too), pasted as is
 * </ul>
 *
 * Keys are case-insensitive in every form.
 *
 * @param name the mapping's name
 * @param table the Kusto table named in a pasted command, or null
 * @param columns the column mappings, in order
 */
public record IngestionMapping(String name, String table, List<ColumnMapping> columns) {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern COMMAND =
      Pattern.compile(
          "^\\s*\\.(?:create-or-alter|create|alter)\\s+table\\s+(\\S+)\\s+ingestion\\s+json\\s+mapping\\s+"
              + "(['\"])(.*?)\\2\\s+(['\"])(.*)\\4\\s*(?:with\\s*\\(.*\\)\\s*)?$",
          Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

  public IngestionMapping {
    columns = List.copyOf(columns);
  }

  /** Whether {@code text} is a pasted {@code .create ... ingestion json mapping} command. */
  public static boolean isCommand(String text) {
    return text.trim().startsWith(".");
  }

  /**
   * Parses a mapping.
   *
   * @param name the name to give a mapping in JSON form (a command carries its own)
   * @throws IllegalArgumentException naming the column and what is wrong
   */
  public static IngestionMapping parse(String name, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("mapping '" + name + "' is empty");
    }
    String table = null;
    String json = text.trim();
    if (isCommand(json)) {
      Matcher m = COMMAND.matcher(json);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "cannot read the mapping command; expected "
                + ".create table <table> ingestion json mapping '<name>' '<mapping JSON>'");
      }
      table = m.group(1).replaceAll("^\\['|'\\]$|^\\[\"|\"\\]$", "");
      name = m.group(3);
      json = m.group(5);
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "mapping '" + name + "' is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isArray() || root.isEmpty()) {
      throw new IllegalArgumentException(
          "mapping '" + name + "' must be a non-empty JSON array of column mappings");
    }
    List<ColumnMapping> columns = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int index = 0;
    for (JsonNode entry : root) {
      ColumnMapping c = column(name, index++, entry);
      if (!seen.add(c.column())) {
        throw new IllegalArgumentException(
            "mapping '" + name + "' maps column '" + c.column() + "' twice");
      }
      columns.add(c);
    }
    return new IngestionMapping(name, table, columns);
  }

  private static ColumnMapping column(String mapping, int index, JsonNode entry) {
    if (!entry.isObject()) {
      throw new IllegalArgumentException(
          "mapping '" + mapping + "' entry " + index + " is not an object");
    }
    Map<String, JsonNode> keys = lowerCaseKeys(entry);
    JsonNode props = keys.get("properties");
    if (props != null && props.isObject()) {
      for (Map.Entry<String, JsonNode> e : lowerCaseKeys(props).entrySet()) {
        keys.putIfAbsent(e.getKey(), e.getValue());
      }
    }
    String column = text(keys.get("column"));
    if (column == null || column.isBlank()) {
      throw new IllegalArgumentException(
          "mapping '" + mapping + "' entry " + index + " has no \"column\"");
    }
    String where = "mapping '" + mapping + "' column '" + column + "': ";
    try {
      String type = text(keys.get("datatype"));
      KustoDataType dataType = type == null || type.isBlank() ? null : KustoDataType.parse(type);
      Transform transform = Transform.parse(text(keys.get("transform")));
      String constValue = text(keys.get("constvalue"));
      String pathText = text(keys.get("path"));
      KustoJsonPath path =
          pathText == null || pathText.isBlank() ? null : KustoJsonPath.parse(pathText);
      if (path == null && constValue == null && transform.readsDocument()) {
        throw new IllegalArgumentException("needs a \"path\" (or a \"ConstValue\")");
      }
      if (transform.name().startsWith("DATETIME_FROM_UNIX")
          && dataType != null
          && dataType != KustoDataType.DATETIME) {
        throw new IllegalArgumentException(
            "transform " + transform + " produces a datetime, but the data type is " + dataType);
      }
      return new ColumnMapping(column, path, dataType, transform, constValue);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
  }

  private static Map<String, JsonNode> lowerCaseKeys(JsonNode object) {
    Map<String, JsonNode> out = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = object.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    }
    return out;
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }
}
