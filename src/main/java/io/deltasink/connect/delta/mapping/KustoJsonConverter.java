package io.deltasink.connect.delta.mapping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.text.Unicode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Turns schemaless JSON records into rows with a Kusto JSON ingestion mapping. The value may be a
 * {@code String} (StringConverter), {@code byte[]} (ByteArrayConverter, UTF-8) or a {@code Map}
 * (JsonConverter with {@code schemas.enable=false}); it must hold one JSON object, and bytes must
 * be well-formed UTF-8 (RFC 3629; see {@link Unicode#invalidUtf8}). Parsing uses Jackson with exact
 * decimals. Table columns the mapping does not name get null.
 */
public final class KustoJsonConverter implements RecordConverter {
  private final IngestionMapping mapping;
  private final KafkaColumns kafkaColumns;
  private final ObjectMapper json;
  private final ColumnReaders columnReaders;
  private Compiled compiled;

  /**
   * @param maxNestingDepth deepest JSON nesting accepted (objects and arrays)
   */
  public KustoJsonConverter(
      IngestionMapping mapping, KafkaColumns kafkaColumns, int maxNestingDepth) {
    this.mapping = mapping;
    this.kafkaColumns = kafkaColumns;
    // Each task parses on its own thread: one idle buffer set, handed over without Jackson's
    // thread-local lookup (JsonRecyclers' default pool), which cost 2-4% of the task in the
    // profile.
    this.json =
        JsonMapper.builder(JsonFactory.builder().recyclerPool(new OneBufferPool()).build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // Keep numbers as written: 12.50 stays 12.50 in a string column.
            .configure(
                com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES,
                false)
            .build();
    this.json
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(maxNestingDepth).build());
    this.columnReaders = new ColumnReaders(json, mapping);
  }

  public IngestionMapping mapping() {
    return mapping;
  }

  /**
   * The schema from the mapping's data types.
   *
   * @throws ConnectException when a column has no data type (it can only take an existing table's)
   */
  @Override
  public ColumnType.Struct schemaFor(SinkRecord record) {
    List<Column> columns = new ArrayList<>();
    for (ColumnMapping c : mapping.columns()) {
      KustoDataType t = c.dataType() != null ? c.dataType() : implied(c);
      if (t == null) {
        throw new ConnectException(
            "Mapping '"
                + mapping.name()
                + "' gives no datatype for column '"
                + c.column()
                + "' and the table does not exist yet, so its type is unknown: add \"datatype\" to every column mapping, "
                + "or create the table first");
      }
      columns.add(new Column(c.column(), t.columnType(), true));
    }
    return kafkaColumns.appendTo(new ColumnType.Struct(columns));
  }

  /** The mapping: it fixes the columns of every record. */
  @Override
  public Object schemaKey(SinkRecord record) {
    return mapping;
  }

  /**
   * The mapping's columns: those the table has keep their type, unless {@code widen} and the
   * mapping's {@code datatype} is a type the column may widen to; the others take their {@code
   * datatype}.
   *
   * @throws ConnectException when a column the table lacks has no data type
   */
  @Override
  public ColumnType.Struct columnsFor(SinkRecord record, ColumnType.Struct table, boolean widen) {
    List<Column> columns = new ArrayList<>();
    for (ColumnMapping c : mapping.columns()) {
      KustoDataType t = c.dataType() != null ? c.dataType() : implied(c);
      Column existing = table.field(c.column());
      if (existing == null && t == null) {
        throw new ConnectException(
            "Mapping '"
                + mapping.name()
                + "' maps column '"
                + c.column()
                + "', which the table does not have, and gives it no datatype: add \"datatype\" so"
                + " that the sink can add the column");
      }
      if (existing == null) {
        columns.add(new Column(c.column(), t.columnType(), true));
      } else if (widen
          && t != null
          && !io.deltasink.connect.delta.schema.TypeWidening.writable(
              t.columnType(), existing.type())
          && io.deltasink.connect.delta.schema.TypeWidening.widened(existing.type(), t.columnType())
              != null) {
        columns.add(existing.with(t.columnType(), existing.nullable()));
      } else {
        columns.add(existing);
      }
    }
    return kafkaColumns.appendExisting(new ColumnType.Struct(columns), table);
  }

  static KustoDataType implied(ColumnMapping c) {
    return switch (c.transform()) {
      case DATETIME_FROM_UNIX_SECONDS,
              DATETIME_FROM_UNIX_MILLISECONDS,
              DATETIME_FROM_UNIX_MICROSECONDS,
              DATETIME_FROM_UNIX_NANOSECONDS ->
          KustoDataType.DATETIME;
      case SOURCE_LOCATION, DROP_MAPPED_FIELDS, PROPERTY_BAG_ARRAY_TO_DICTIONARY ->
          KustoDataType.STRING;
      case SOURCE_LINE_NUMBER -> KustoDataType.LONG;
      default -> null;
    };
  }

  @Override
  public Object[] toRow(SinkRecord record, ColumnType.Struct target) {
    Compiled c = compiled;
    if (c == null || c.target != target) {
      c = compile(target);
      compiled = c;
    }
    if (record.value() instanceof byte[] bytes) {
      // Jackson's byte parser decodes some invalid UTF-8 (overlong forms, CESU-8 surrogates) into
      // other characters instead of failing, even in fields it skips.
      int invalid = Unicode.invalidUtf8(bytes);
      if (invalid >= 0) {
        throw new DataException("malformed JSON: invalid UTF-8 at byte " + invalid);
      }
    }
    // Top-level paths only: stream the document and pick those fields; otherwise (or for anything
    // unusual, which the tree parser then reports) build the tree and evaluate the paths.
    JsonNode[] fieldValues = c.fields == null ? null : c.fields.read(record.value());
    JsonNode root = fieldValues == null ? parse(record.value()) : null;
    Object[] row = new Object[target.fields().size()];
    for (int i = 0; i < c.readers.length; i++) {
      KustoJsonPath path = c.paths[i];
      JsonNode node =
          path == null ? null : fieldValues != null ? fieldValues[c.slots[i]] : path.evaluate(root);
      Object v = c.readers[i].read(node, record);
      if (v == null && c.notNull[i]) {
        throw new DataException(
            "column '"
                + target.fields().get(c.indexes[i]).name()
                + "' is NOT NULL in the table "
                + "but the document gives no value for it");
      }
      row[c.indexes[i]] = v;
    }
    kafkaColumns.fill(row, c.kafkaIndexes, record);
    return row;
  }

  /**
   * Whether rows for {@code target} are read with the streaming parser (every path one top-level
   * field).
   */
  boolean streams(ColumnType.Struct target) {
    return compile(target).fields != null;
  }

  /**
   * The record value as a JSON object node.
   *
   * @throws DataException saying what is wrong and where (line, column), never quoting the content
   *     ({@link JsonErrors})
   */
  JsonNode parse(Object value) {
    JsonNode root;
    try {
      if (value instanceof String s) {
        root = json.readTree(s);
      } else if (value instanceof byte[] b) {
        root = json.readTree(b);
      } else if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
        root = json.valueToTree(value);
      } else {
        throw new DataException(
            "a JSON mapping needs the value as a String, byte[] or Map (StringConverter, "
                + "ByteArrayConverter, or JsonConverter with schemas.enable=false), got "
                + (value == null ? "null" : value.getClass().getSimpleName()));
      }
    } catch (JsonProcessingException e) {
      throw new DataException(JsonErrors.describe(e));
    } catch (IOException e) {
      // Messages of the exceptions below quote record content (bytes, map keys): their class only.
      throw new DataException("unreadable JSON (" + e.getClass().getSimpleName() + ")");
    } catch (IllegalArgumentException e) {
      throw new DataException(
          "the value cannot be read as JSON ("
              + e.getClass().getSimpleName()
              + (e.getCause() == null ? "" : ": " + e.getCause().getClass().getSimpleName())
              + ")");
    }
    if (root == null || !root.isObject()) {
      throw new DataException(
          "the JSON value must be an object, got "
              + (root == null || root.isMissingNode() ? "nothing" : JsonValues.abbreviate(root)));
    }
    return root;
  }

  private Compiled compile(ColumnType.Struct target) {
    List<ColumnReaders.ColumnReader> readers = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (ColumnMapping m : mapping.columns()) {
      int idx = target.indexOf(m.column());
      if (idx < 0) {
        throw new ConnectException(
            "Mapping '"
                + mapping.name()
                + "' maps column '"
                + m.column()
                + "', which the table does not have; table columns: "
                + target.fields().stream().map(Column::name).toList());
      }
      readers.add(columnReaders.reader(m, target.fields().get(idx).type()));
      indexes.add(idx);
    }
    for (Column col : target.fields()) {
      boolean mapped = mapping.columns().stream().anyMatch(m -> m.column().equals(col.name()));
      if (!mapped && !kafkaColumns.names().contains(col.name()) && !col.nullable()) {
        throw new ConnectException(
            "Table column '"
                + col.name()
                + "' is NOT NULL but mapping '"
                + mapping.name()
                + "' does not fill it");
      }
    }
    boolean[] notNull = new boolean[indexes.size()];
    for (int i = 0; i < notNull.length; i++) {
      notNull[i] = !target.fields().get(indexes.get(i)).nullable();
    }
    KustoJsonPath[] paths = new KustoJsonPath[indexes.size()];
    int[] slots = new int[indexes.size()];
    List<String> fieldNames = new ArrayList<>();
    boolean topLevelOnly = true;
    for (int i = 0; i < paths.length; i++) {
      ColumnMapping m = mapping.columns().get(i);
      paths[i] = m.constValue() != null || !m.transform().readsDocument() ? null : m.path();
      slots[i] = -1;
      if (paths[i] != null) {
        List<Object> steps = paths[i].steps();
        if (steps.size() == 1 && steps.get(0) instanceof String name) {
          if (!fieldNames.contains(name)) {
            fieldNames.add(name);
          }
          slots[i] = fieldNames.indexOf(name);
        } else {
          topLevelOnly = false;
        }
      }
    }
    return new Compiled(
        target,
        readers.toArray(new ColumnReaders.ColumnReader[0]),
        indexes.stream().mapToInt(Integer::intValue).toArray(),
        notNull,
        kafkaColumns.indexesIn(target),
        paths,
        slots,
        topLevelOnly ? new TopLevelFields(fieldNames, json) : null);
  }

  /**
   * Jackson's buffer recycling with one idle {@link BufferRecycler}: a parser takes it (or a new
   * one when it is in use, as on a second thread) and gives it back when closed.
   */
  private static final class OneBufferPool implements RecyclerPool<BufferRecycler> {
    private static final long serialVersionUID = 1L;
    private final transient AtomicReference<BufferRecycler> idle = new AtomicReference<>();

    @Override
    public BufferRecycler acquirePooled() {
      BufferRecycler r = idle.getAndSet(null);
      return r != null ? r : new BufferRecycler();
    }

    @Override
    public void releasePooled(BufferRecycler recycler) {
      idle.set(recycler);
    }

    /** A deserialized factory starts with an empty pool, as Jackson's own pools do. */
    private Object readResolve() {
      return new OneBufferPool();
    }
  }

  /**
   * @param paths per reader, the path it reads, or null when it reads no document value
   * @param slots per reader, its field's slot in {@code fields}' result (-1 without a path)
   * @param fields the streaming reader when every path is one top-level field, else null
   */
  private record Compiled(
      ColumnType.Struct target,
      ColumnReaders.ColumnReader[] readers,
      int[] indexes,
      boolean[] notNull,
      int[] kafkaIndexes,
      KustoJsonPath[] paths,
      int[] slots,
      TopLevelFields fields) {}
}
