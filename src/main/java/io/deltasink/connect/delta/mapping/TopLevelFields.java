package io.deltasink.connect.delta.mapping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.deltasink.connect.delta.text.Unicode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads only the named top-level fields of a JSON object with Jackson's streaming parser, skipping
 * everything else, instead of building the whole document tree: the common shape of an ingestion
 * mapping ({@code $.latitude}, {@code $.time}, ...). Each selected value comes back as the node the
 * tree would have held (exact decimals, as {@link KustoJsonConverter}'s mapper reads them), so the
 * column conversions are the same either way. The whole document is still tokenized, so malformed
 * JSON, invalid UTF-8 and the nesting limit are caught as before.
 *
 * <p>Returns {@code null} instead of throwing for anything unusual (not an object, malformed,
 * trailing content): the caller then parses the tree, which gives the established error message.
 */
final class TopLevelFields {
  private final JsonFactory factory;
  private final ObjectMapper mapper;
  private final Map<String, Integer> slots = new HashMap<>();
  private final int size;
  private final String[] names;

  /**
   * @param fields distinct field names to select; slot i of the result holds {@code fields.get(i)}
   * @param mapper the mapper whose factory (read features, nesting limit) and node rules to follow
   */
  TopLevelFields(List<String> fields, ObjectMapper mapper) {
    this.mapper = mapper;
    this.factory = mapper.getFactory();
    for (int i = 0; i < fields.size(); i++) {
      if (slots.put(fields.get(i), i) != null) {
        throw new IllegalArgumentException("field '" + fields.get(i) + "' listed twice");
      }
    }
    this.size = fields.size();
    this.names = new String[size];
    for (int i = 0; i < size; i++) {
      names[i] = fields.get(i).intern();
    }
  }

  /**
   * The selected values of a {@code String} or UTF-8 {@code byte[]} document, {@code null} for a
   * missing field; or {@code null} for the whole result when the document needs the tree parser.
   */
  JsonNode[] read(Object value) {
    JsonNode[] out = new JsonNode[size];
    // A String is parsed as its UTF-8 bytes: Jackson's byte parser matches field names as int
    // quads,
    // faster than the char parser, and ASCII strings encode with one array copy. The encoding is
    // lossless unless the String holds an unpaired surrogate, which would become '?': the tree
    // parser
    // keeps it, for the writer to reject.
    if (value instanceof String s && Unicode.unpairedSurrogate(s) >= 0) {
      return null;
    }
    try (JsonParser p =
        value instanceof String s
            ? factory.createParser(s.getBytes(StandardCharsets.UTF_8))
            : value instanceof byte[] b ? factory.createParser(b) : null) {
      if (p == null || p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (String name; (name = p.nextFieldName()) != null; ) {
        JsonToken t = p.nextToken();
        int slot = slot(name);
        if (slot < 0) {
          p.skipChildren();
        } else {
          // A repeated field: the last one wins, as in the tree.
          out[slot] = node(p, t);
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return out;
  }

  /**
   * The slot of a field name: first by identity (the factory interns the names it returns, and the
   * selected names are interned here), then by equality for a name the parser did not intern.
   */
  private int slot(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i] == name) {
        return i;
      }
    }
    Integer slot = slots.get(name);
    return slot == null ? -1 : slot;
  }

  /**
   * A number token without exponent and with at most 18 significant digits ({@code 13.6}, {@code
   * -77.600006}), read straight into a compact BigDecimal of the same unscaled value and scale as
   * {@code new BigDecimal(text)}; {@code null} for anything else, which Jackson's parser then
   * reads. The token is already valid JSON number syntax.
   */
  static BigDecimal plainDecimal(char[] text, int offset, int length) {
    int i = offset;
    int end = offset + length;
    boolean negative = i < end && text[i] == '-';
    if (negative) {
      i++;
    }
    long unscaled = 0;
    int digits = 0;
    int significant = 0;
    int point = -1;
    for (; i < end; i++) {
      char c = text[i];
      if (c >= '0' && c <= '9') {
        // Leading zeros (0.000001) add no significant digit; 18 of them always fit a long.
        if (unscaled != 0 || c != '0') {
          if (++significant > 18) {
            return null;
          }
          unscaled = unscaled * 10 + (c - '0');
        }
        digits++;
      } else if (c == '.' && point < 0) {
        point = i;
      } else {
        return null;
      }
    }
    if (digits == 0) {
      return null;
    }
    return BigDecimal.valueOf(negative ? -unscaled : unscaled, point < 0 ? 0 : end - point - 1);
  }

  /**
   * The node Jackson's tree deserializer makes for the current value (with
   * USE_BIG_DECIMAL_FOR_FLOATS).
   */
  private JsonNode node(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_STRING:
        return TextNode.valueOf(p.getText());
      case VALUE_TRUE:
        return BooleanNode.TRUE;
      case VALUE_FALSE:
        return BooleanNode.FALSE;
      case VALUE_NULL:
        return NullNode.getInstance();
      case VALUE_NUMBER_INT:
        return switch (p.getNumberType()) {
          case INT -> IntNode.valueOf(p.getIntValue());
          case LONG -> LongNode.valueOf(p.getLongValue());
          default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
        };
      case VALUE_NUMBER_FLOAT:
        // NaN and the infinities have no BigDecimal: the tree keeps them as doubles.
        if (p.isNaN()) {
          return DoubleNode.valueOf(p.getDoubleValue());
        }
        BigDecimal plain =
            plainDecimal(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        return DecimalNode.valueOf(plain != null ? plain : p.getDecimalValue());
      default:
        return mapper.readTree(p); // an object or array: its subtree, as the tree holds it
    }
  }
}
