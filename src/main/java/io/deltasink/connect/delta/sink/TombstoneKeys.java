package io.deltasink.connect.delta.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.writer.RowKeys;
import io.deltasink.connect.delta.writer.TableLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The key a tombstone deletes with {@code delta.upsert.delete.on.tombstone} (docs/upsert.md): its
 * Kafka key as the key columns' values, normalized as a row's key ({@link RowKeys}).
 */
final class TombstoneKeys {
  private final List<String> keyColumns;
  private final RecordConverter converter;
  private TableLayout layout;

  /** The key columns alone, all nullable: what a struct or map key is converted to. */
  private ColumnType.Struct keySchema;

  private RowKeys tombstoneKeys;

  /**
   * The table's columns, all nullable: what a JSON key is converted to through a Kusto mapping,
   * which maps the value's other columns too.
   */
  private ColumnType.Struct relaxedSchema;

  private RowKeys relaxedKeys;

  TombstoneKeys(List<String> keyColumns, RecordConverter converter) {
    this.keyColumns = List.copyOf(keyColumns);
    this.converter = converter;
  }

  private void layout(TableLayout current) {
    if (current == layout) {
      return;
    }
    try {
      List<Column> columns = new ArrayList<>();
      for (String name : keyColumns) {
        Column c = current.schema().field(name);
        if (c == null) {
          throw new IllegalArgumentException(
              "key column '" + name + "' is not a column of the table");
        }
        columns.add(new Column(c.name(), c.type(), true));
      }
      keySchema = new ColumnType.Struct(columns);
      tombstoneKeys = new RowKeys(keySchema, keyColumns);
      relaxedSchema =
          new ColumnType.Struct(
              current.schema().fields().stream()
                  .map(c -> new Column(c.name(), c.type(), true))
                  .toList());
      relaxedKeys = new RowKeys(relaxedSchema, keyColumns);
    } catch (IllegalArgumentException e) {
      throw new DataException(e.getMessage(), e);
    }
    layout = current;
  }

  /**
   * The key a tombstone deletes, from its Kafka key: a struct or JSON object with the key columns'
   * fields, converted as a value would be; or, for a table with one key column, the key itself.
   *
   * @throws DataException naming what is missing when the Kafka key does not give every key column
   */
  RowKeys.Key keyOf(SinkRecord record, TableLayout layout) {
    Object key = record.key();
    if (key == null) {
      throw new DataException(
          "a tombstone without a Kafka key cannot delete a row; the key must hold the key columns "
              + keyColumns);
    }
    layout(layout);
    try {
      Object[] row;
      boolean mapped = converter instanceof io.deltasink.connect.delta.mapping.KustoJsonConverter;
      if (mapped && (key instanceof Map<?, ?> || looksLikeJsonObject(key))) {
        // The Kusto mapping's paths, as for a value whose other columns are missing.
        Schema schema = record.keySchema();
        return relaxedKeys.keyOf(
            converter.toRow(
                record.newRecord(
                    record.topic(),
                    record.kafkaPartition(),
                    schema,
                    key,
                    schema,
                    key,
                    record.timestamp()),
                relaxedSchema));
      } else if (key instanceof Struct) {
        // As a value would be converted: the struct's key fields.
        Struct fields = (Struct) keyFieldsOnly(key);
        row =
            converter.toRow(
                record.newRecord(
                    record.topic(),
                    record.kafkaPartition(),
                    fields.schema(),
                    fields,
                    fields.schema(),
                    fields,
                    record.timestamp()),
                keySchema);
      } else if (key instanceof Map<?, ?> || looksLikeJsonObject(key)) {
        Map<?, ?> fields =
            key instanceof Map<?, ?> m ? m : KEY_JSON.readValue(text(key), Map.class);
        row = new Object[keySchema.fields().size()];
        for (int i = 0; i < row.length; i++) {
          Object v = fields.get(keySchema.fields().get(i).name());
          row[i] = v == null ? null : singleValue(keySchema.fields().get(i), v);
        }
      } else if (row1()) {
        row = new Object[] {singleValue(keySchema.fields().get(0), key)};
      } else {
        throw new DataException(
            "a single value cannot give "
                + keyColumns.size()
                + " key columns; use a struct or JSON object key named by them");
      }
      return tombstoneKeys.keyOf(row);
    } catch (DataException e) {
      throw new DataException(
          "the tombstone's Kafka key does not give the key columns "
              + keyColumns
              + ": "
              + e.getMessage(),
          e);
    } catch (IOException | RuntimeException e) {
      // Without the cause: a parse error quotes the key, which is record content.
      throw new DataException(
          "the tombstone's Kafka key does not give the key columns "
              + keyColumns
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  private static final ObjectMapper KEY_JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private boolean row1() {
    return keyColumns.size() == 1;
  }

  private static String text(Object key) {
    return key instanceof byte[] b
        ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
        : (String) key;
  }

  /** A struct or map key without the fields that are not key columns. */
  private Object keyFieldsOnly(Object key) {
    if (key instanceof Struct s) {
      org.apache.kafka.connect.data.SchemaBuilder b =
          org.apache.kafka.connect.data.SchemaBuilder.struct().optional();
      for (org.apache.kafka.connect.data.Field f : s.schema().fields()) {
        if (keyColumns.contains(f.name())) {
          b.field(f.name(), f.schema());
        }
      }
      Schema only = b.build();
      Struct out = new Struct(only);
      only.fields().forEach(f -> out.put(f.name(), s.get(f.name())));
      return out;
    }
    if (key instanceof Map<?, ?> m) {
      Map<Object, Object> out = new java.util.LinkedHashMap<>();
      m.forEach(
          (k, v) -> {
            if (keyColumns.contains(String.valueOf(k))) {
              out.put(k, v);
            }
          });
      return out;
    }
    return key;
  }

  /**
   * A single-value Kafka key as the value of key column {@code c}: text (a String or UTF-8 bytes,
   * as StringConverter and ByteArrayConverter give it) or a number for a string, integer, floating
   * point, decimal or boolean column.
   *
   * @throws DataException for another column type, or a value that is not one of the type
   */
  static Object singleValue(Column c, Object key) {
    Object v =
        key instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : key;
    String text = v instanceof String str ? str.trim() : null;
    if (c.type() instanceof ColumnType.Decimal) {
      return v instanceof java.math.BigDecimal d
          ? d
          : new java.math.BigDecimal(text != null ? text : v.toString());
    }
    ColumnType.Primitive type = c.type() instanceof ColumnType.Primitive p ? p : null;
    if (type != null) {
      switch (type) {
        case STRING -> {
          if (v instanceof String) {
            return v;
          }
        }
        case BYTE, SHORT, INTEGER, LONG -> {
          if (v instanceof Byte
              || v instanceof Short
              || v instanceof Integer
              || v instanceof Long) {
            return ((Number) v).longValue();
          }
          if (text != null) {
            return Long.parseLong(text);
          }
        }
        case FLOAT, DOUBLE -> {
          if (v instanceof Number n) {
            return n.doubleValue();
          }
          if (text != null) {
            return Double.parseDouble(text);
          }
        }
        case BOOLEAN -> {
          if (v instanceof Boolean) {
            return v;
          }
          if ("true".equalsIgnoreCase(text) || "false".equalsIgnoreCase(text)) {
            return Boolean.parseBoolean(text);
          }
        }
        default -> {}
      }
    }
    throw new DataException(
        "a single-value Kafka key gives a key column of type string, integer, floating point,"
            + " decimal or boolean from text or a number; column '"
            + c.name()
            + "' is "
            + c.type().deltaName()
            + " and the key a "
            + key.getClass().getSimpleName()
            + "; use a struct or JSON object key named by the key columns");
  }

  private static boolean looksLikeJsonObject(Object key) {
    if (key instanceof String s) {
      return s.stripLeading().startsWith("{");
    }
    if (key instanceof byte[] b) {
      for (byte c : b) {
        if (!Character.isWhitespace(c)) {
          return c == '{';
        }
      }
    }
    return false;
  }
}
