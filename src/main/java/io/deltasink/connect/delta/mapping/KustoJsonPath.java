package io.deltasink.connect.delta.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSONPath subset Kusto JSON ingestion mappings support ("Ingestion mappings", JSON mapping,
 * learn.microsoft.com/kusto/management/json-mapping): the root {@code $}, then any number of {@code
 * .name}, {@code ['name']}, {@code ["name"]} and {@code [n]} steps. Anything else (wildcards,
 * recursive descent, filters, slices) is rejected when the mapping is parsed, with the position of
 * the problem. A step that does not exist in a document evaluates to {@code null}.
 */
public final class KustoJsonPath {
  private final String text;
  private final Object[] steps; // String (field) or Integer (array index)

  private KustoJsonPath(String text, Object[] steps) {
    this.text = text;
    this.steps = steps;
  }

  /**
   * @throws IllegalArgumentException saying at which character the path stops being valid
   */
  public static KustoJsonPath parse(String path) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("empty JSON path; paths start with '$'");
    }
    if (path.charAt(0) != '$') {
      throw error(path, 0, "a path must start with '$'");
    }
    List<Object> steps = new ArrayList<>();
    int i = 1;
    int n = path.length();
    while (i < n) {
      char c = path.charAt(i);
      if (c == '.') {
        int start = i + 1;
        if (start < n && path.charAt(start) == '.') {
          throw error(path, i, "recursive descent '..' is not supported");
        }
        int j = start;
        while (j < n && path.charAt(j) != '.' && path.charAt(j) != '[') {
          char x = path.charAt(j);
          if (x == '*' || x == '\'' || x == '"' || x == ']' || Character.isWhitespace(x)) {
            throw error(
                path, j, "unexpected '" + x + "' in a field name (use ['name'] for unusual names)");
          }
          j++;
        }
        if (j == start) {
          throw error(path, start, "expected a field name after '.'");
        }
        steps.add(path.substring(start, j));
        i = j;
      } else if (c == '[') {
        if (i + 1 >= n) {
          throw error(path, i, "unclosed '['");
        }
        char q = path.charAt(i + 1);
        if (q == '\'' || q == '"') {
          int close = path.indexOf(q, i + 2);
          if (close < 0) {
            throw error(path, i + 1, "unclosed quote");
          }
          if (close + 1 >= n || path.charAt(close + 1) != ']') {
            throw error(path, close + 1, "expected ']' after the quoted name");
          }
          String name = path.substring(i + 2, close);
          if (name.isEmpty()) {
            throw error(path, i + 2, "empty field name");
          }
          steps.add(name);
          i = close + 2;
        } else {
          int close = path.indexOf(']', i);
          if (close < 0) {
            throw error(path, i, "unclosed '['");
          }
          String idx = path.substring(i + 1, close);
          if (!idx.matches("\\d{1,9}")) {
            throw error(
                path, i, "'[" + idx + "]' is not supported; only [n], ['name'] and [\"name\"]");
          }
          steps.add(Integer.parseInt(idx));
          i = close + 1;
        }
      } else {
        throw error(path, i, "expected '.' or '['");
      }
    }
    return new KustoJsonPath(path, steps.toArray());
  }

  private static IllegalArgumentException error(String path, int pos, String what) {
    return new IllegalArgumentException(
        "invalid JSON path '" + path + "' at position " + pos + ": " + what);
  }

  /** The node the path selects in {@code root}, or {@code null} when it does not exist. */
  public JsonNode evaluate(JsonNode root) {
    JsonNode cur = root;
    for (Object step : steps) {
      if (cur == null) {
        return null;
      }
      if (step instanceof String name) {
        cur = cur.isObject() ? cur.get(name) : null;
      } else {
        int idx = (Integer) step;
        cur = cur.isArray() ? cur.get(idx) : null;
      }
    }
    return cur;
  }

  /** The steps, field names as {@link String}, indexes as {@link Integer}. */
  public List<Object> steps() {
    return List.of(steps);
  }

  /** Whether {@code other} selects a node inside (or equal to) the node this path selects. */
  public boolean isPrefixOf(KustoJsonPath other) {
    if (other.steps.length < steps.length) {
      return false;
    }
    for (int i = 0; i < steps.length; i++) {
      if (!steps[i].equals(other.steps[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}
