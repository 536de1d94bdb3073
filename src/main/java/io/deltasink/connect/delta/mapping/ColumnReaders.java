package io.deltasink.connect.delta.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.deltasink.connect.delta.schema.ColumnType;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * How each mapped column gets its value: the Kusto {@code datatype} and {@code transform} of a
 * {@link ColumnMapping} (Kusto docs, "JSON mapping", "Mapping transformations"), compiled once per
 * table schema into a {@link ColumnReader}.
 */
final class ColumnReaders {
  private final ObjectMapper json;
  private final IngestionMapping mapping;

  ColumnReaders(ObjectMapper json, IngestionMapping mapping) {
    this.json = json;
    this.mapping = mapping;
  }

  /** One column's value from the JSON node its path selects ({@code null}: missing or no path). */
  @FunctionalInterface
  interface ColumnReader {
    Object read(JsonNode value, SinkRecord record);
  }

  ColumnReader reader(ColumnMapping m, ColumnType type) {
    KustoDataType kind = kindFor(m, type);
    String column = m.column();
    if (m.constValue() != null) {
      Object constant = JsonValues.read(TextNode.valueOf(m.constValue()), type, kind, column);
      return (value, record) -> constant;
    }
    return switch (m.transform()) {
      case NONE -> (value, record) -> JsonValues.read(value, type, kind, column);
      case DATETIME_FROM_UNIX_SECONDS -> epoch(m, 1_000_000L, 1);
      case DATETIME_FROM_UNIX_MILLISECONDS -> epoch(m, 1_000L, 1);
      case DATETIME_FROM_UNIX_MICROSECONDS -> epoch(m, 1L, 1);
      case DATETIME_FROM_UNIX_NANOSECONDS -> epoch(m, 1L, 1000);
      case SOURCE_LOCATION ->
          (value, record) ->
              "kafka://" + record.originalTopic() + "/" + record.originalKafkaPartition();
      case SOURCE_LINE_NUMBER ->
          type == ColumnType.Primitive.STRING
              ? (value, record) -> Long.toString(record.originalKafkaOffset())
              : (value, record) -> record.originalKafkaOffset();
      case DROP_MAPPED_FIELDS -> dropMappedFields(m);
      case PROPERTY_BAG_ARRAY_TO_DICTIONARY ->
          (n, record) -> {
            if (n == null || n.isNull()) {
              return null;
            }
            if (!n.isArray()) {
              throw new DataException(
                  "column '"
                      + column
                      + "': PropertyBagArrayToDictionary needs an array, got "
                      + JsonValues.abbreviate(n));
            }
            ObjectNode out = json.createObjectNode();
            for (JsonNode e : n) {
              if (e.isObject()) {
                out.setAll((ObjectNode) e);
              }
            }
            return out.toString();
          };
    };
  }

  private ConnectException mismatch(ColumnMapping m, String declared, ColumnType type) {
    return new ConnectException(
        "Mapping '"
            + mapping.name()
            + "' declares column '"
            + m.column()
            + "' as "
            + declared
            + " but the table column is "
            + type.deltaName());
  }

  private KustoDataType kindFor(ColumnMapping m, ColumnType type) {
    KustoDataType declared = m.dataType() != null ? m.dataType() : KustoJsonConverter.implied(m);
    KustoDataType natural = natural(type, m);
    if (declared != null && declared.columnType().getClass() != type.getClass()) {
      throw mismatch(m, declared.toString(), type);
    }
    if (declared != null
        && declared.columnType() instanceof ColumnType.Primitive p
        && p != type
        // A datetime fills a timestamp_ntz column with its UTC wall-clock time.
        && !(p == ColumnType.Primitive.TIMESTAMP && type == ColumnType.Primitive.TIMESTAMP_NTZ)) {
      throw mismatch(m, declared + " (" + p.deltaName() + ")", type);
    }
    return declared != null ? declared : natural;
  }

  private KustoDataType natural(ColumnType type, ColumnMapping m) {
    if (type instanceof ColumnType.Decimal) {
      return KustoDataType.DECIMAL;
    }
    if (type instanceof ColumnType.Primitive p) {
      switch (p) {
        case BOOLEAN:
          return KustoDataType.BOOL;
        case BYTE:
        case SHORT:
        case INTEGER:
          return KustoDataType.INT;
        case LONG:
          return KustoDataType.LONG;
        case FLOAT:
        case DOUBLE:
          return KustoDataType.REAL;
        case TIMESTAMP:
        case TIMESTAMP_NTZ:
        case DATE:
          return KustoDataType.DATETIME;
        case STRING:
          return KustoDataType.STRING;
        default:
          break;
      }
    }
    throw new ConnectException(
        "Table column '"
            + m.column()
            + "' has type "
            + type.deltaName()
            + ", which a JSON ingestion mapping cannot fill");
  }

  private ColumnReader epoch(ColumnMapping m, long microsPerUnit, long unitsPerMicro) {
    String column = m.column();
    return (n, record) -> {
      if (n == null || n.isNull()) {
        return null;
      }
      java.math.BigDecimal units;
      try {
        units = n.isNumber() ? n.decimalValue() : new java.math.BigDecimal(n.asText().trim());
      } catch (NumberFormatException e) {
        throw new DataException(
            "column '"
                + column
                + "': "
                + JsonValues.abbreviate(n)
                + " is not a number for "
                + m.transform());
      }
      try {
        return units
            .multiply(java.math.BigDecimal.valueOf(microsPerUnit))
            .divide(java.math.BigDecimal.valueOf(unitsPerMicro), java.math.RoundingMode.FLOOR)
            .longValueExact();
      } catch (ArithmeticException e) {
        throw new DataException(
            "column '" + column + "': the number is out of range for a timestamp");
      }
    };
  }

  private ColumnReader dropMappedFields(ColumnMapping m) {
    List<KustoJsonPath> others = new ArrayList<>();
    for (ColumnMapping o : mapping.columns()) {
      if (o != m
          && o.path() != null
          && m.path().isPrefixOf(o.path())
          && o.path().steps().size() > m.path().steps().size()) {
        others.add(o.path());
      }
    }
    int depth = m.path().steps().size();
    return (n, record) -> {
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isObject()) {
        return n.toString();
      }
      JsonNode copy = n.deepCopy();
      for (KustoJsonPath p : others) {
        remove(copy, p.steps().subList(depth, p.steps().size()));
      }
      return copy.toString();
    };
  }

  private static void remove(JsonNode node, List<Object> steps) {
    JsonNode cur = node;
    for (int i = 0; i < steps.size() - 1 && cur != null; i++) {
      Object s = steps.get(i);
      cur = s instanceof String name ? cur.get(name) : cur.get((Integer) s);
    }
    Object last = steps.get(steps.size() - 1);
    if (cur instanceof ObjectNode o && last instanceof String name) {
      o.remove(name);
    } else if (cur instanceof ArrayNode a && last instanceof Integer idx) {
      a.remove(idx);
    }
  }
}
