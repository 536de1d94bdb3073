package io.deltasink.connect.delta.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltasink.connect.delta.config.WriteMode;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.table.Upsert;
import io.deltasink.connect.delta.writer.FileCompactor;
import io.deltasink.connect.delta.writer.FileRewriter;
import io.deltasink.connect.delta.writer.MemoryGate;
import io.deltasink.connect.delta.writer.RowKeys;
import io.deltasink.connect.delta.writer.TableLayout;
import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import io.deltasink.connect.delta.writer.WriterSettings;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The upsert side of a {@link TableWriter} (issue #17, docs/upsert.md): the key of each record, the
 * last record per key of each partition ({@link KeyedRows}), their Parquet files at commit time,
 * and the {@link Upsert} that rewrites the table's files holding the batch's keys.
 */
final class UpsertWriter {
  private final WriteMode mode;
  private final RecordConverter converter;
  private final Configuration conf;
  private final WriterSettings settings;
  private TableLayout keysLayout;
  private RowKeys keys;

  /** The key columns alone, all nullable: what a tombstone's Kafka key is converted to. */
  private io.deltasink.connect.delta.schema.ColumnType.Struct keySchema;

  private RowKeys tombstoneKeys;

  /**
   * The table's columns, all nullable: what a tombstone's JSON key is converted to through a Kusto
   * mapping, which maps the value's other columns too.
   */
  private io.deltasink.connect.delta.schema.ColumnType.Struct relaxedSchema;

  private RowKeys relaxedKeys;

  UpsertWriter(
      WriteMode mode, RecordConverter converter, Configuration conf, WriterSettings settings) {
    this.mode = mode;
    this.converter = converter;
    this.conf = conf;
    this.settings = settings;
  }

  /** Whether a tombstone deletes its key's row ({@code delta.upsert.delete.on.tombstone}). */
  boolean deletesOnTombstone() {
    return mode.deleteOnTombstone();
  }

  /**
   * Keeps {@code row} (converted for {@code layout}) as its key's last record in {@code st}.
   *
   * @throws DataException, having kept nothing, naming the key column when it is not in the table
   *     or its value is null, or as {@link TableLayout#checkRow} when the row cannot be written
   */
  void put(PartitionState st, Object[] row, long offset, TableLayout layout) {
    RowKeys.Key key = keysFor(layout).keyOf(row);
    layout.checkRow(row);
    st.keyed.put(key, offset, row, layout);
  }

  /**
   * Keeps the delete of a tombstone's key ({@link #tombstoneKey}) as the key's last record; nothing
   * when the table does not exist yet ({@code current} null): it has no row to delete.
   */
  void delete(PartitionState st, SinkRecord record, long offset, TableLayout current) {
    if (current != null) {
      st.keyed.put(tombstoneKey(record, current), offset, null, current);
    }
  }

  /**
   * The key a tombstone deletes, from its Kafka key: a struct or JSON object with the key columns'
   * fields, converted as a value would be; or, for a table with one key column, the key itself.
   *
   * @throws DataException naming what is missing when the Kafka key does not give every key column
   */
  RowKeys.Key tombstoneKey(SinkRecord record, TableLayout layout) {
    Object key = record.key();
    if (key == null) {
      throw new DataException(
          "a tombstone without a Kafka key cannot delete a row; the key must hold the key columns "
              + mode.keyColumns());
    }
    keysFor(layout);
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
                + mode.keyColumns().size()
                + " key columns; use a struct or JSON object key named by them");
      }
      return tombstoneKeys.keyOf(row);
    } catch (DataException e) {
      throw new DataException(
          "the tombstone's Kafka key does not give the key columns "
              + mode.keyColumns()
              + ": "
              + e.getMessage(),
          e);
    } catch (IOException | RuntimeException e) {
      // Without the cause: a parse error quotes the key, which is record content.
      throw new DataException(
          "the tombstone's Kafka key does not give the key columns "
              + mode.keyColumns()
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  private static final ObjectMapper KEY_JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private boolean row1() {
    return mode.keyColumns().size() == 1;
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
        if (mode.keyColumns().contains(f.name())) {
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
            if (mode.keyColumns().contains(String.valueOf(k))) {
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
  static Object singleValue(io.deltasink.connect.delta.schema.Column c, Object key) {
    Object v =
        key instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : key;
    String text = v instanceof String str ? str.trim() : null;
    if (c.type() instanceof io.deltasink.connect.delta.schema.ColumnType.Decimal) {
      return v instanceof java.math.BigDecimal d
          ? d
          : new java.math.BigDecimal(text != null ? text : v.toString());
    }
    io.deltasink.connect.delta.schema.ColumnType.Primitive type =
        c.type() instanceof io.deltasink.connect.delta.schema.ColumnType.Primitive p ? p : null;
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

  private RowKeys keysFor(TableLayout layout) {
    if (layout != keysLayout) {
      try {
        keys = new RowKeys(layout.schema(), mode.keyColumns());
        List<io.deltasink.connect.delta.schema.Column> columns = new java.util.ArrayList<>();
        for (String name : mode.keyColumns()) {
          io.deltasink.connect.delta.schema.Column c = layout.schema().field(name);
          columns.add(new io.deltasink.connect.delta.schema.Column(c.name(), c.type(), true));
        }
        keySchema = new io.deltasink.connect.delta.schema.ColumnType.Struct(columns);
        tombstoneKeys = new RowKeys(keySchema, mode.keyColumns());
        relaxedSchema =
            new io.deltasink.connect.delta.schema.ColumnType.Struct(
                layout.schema().fields().stream()
                    .map(
                        c -> new io.deltasink.connect.delta.schema.Column(c.name(), c.type(), true))
                    .toList());
        relaxedKeys = new RowKeys(relaxedSchema, mode.keyColumns());
      } catch (IllegalArgumentException e) {
        throw new DataException(e.getMessage(), e);
      }
      keysLayout = layout;
    }
    return keys;
  }

  /** Readies the kept rows for a commit: {@link #alignKeys}, then {@link #oneOwnerPerKey}. */
  void beforeCommit(Collection<PartitionState> pending, TableLayout current) {
    alignKeys(pending, current);
    oneOwnerPerKey(pending);
  }

  /**
   * Re-keys the rows kept under a layout whose key columns were since widened (a date to a
   * timestamp: see {@link RowKeys#widenedFrom}), so that they match the rows of the files the
   * commit rewrites and each other.
   */
  private void alignKeys(Collection<PartitionState> pending, TableLayout current) {
    RowKeys now;
    try {
      now = current == null ? null : keysFor(current);
    } catch (DataException e) {
      now = null; // no key in this schema: no row was kept with it
    }
    if (now == null) {
      return;
    }
    RowKeys keys = now;
    Map<TableLayout, RowKeys> earlier = new HashMap<>();
    for (PartitionState st : pending) {
      boolean stale = false;
      for (Map.Entry<RowKeys.Key, KeyedRows.Entry> e : st.keyed.entries()) {
        stale |= e.getValue().layout() != current;
      }
      if (stale) {
        st.keyed.rekey(
            (k, e) ->
                e.layout() == current
                    ? k
                    : keys.widenedFrom(
                        k,
                        earlier.computeIfAbsent(
                            e.layout(), l -> new RowKeys(l.schema(), mode.keyColumns()))));
      }
    }
  }

  /**
   * Makes every key of the batch belong to one partition: a key held by two partitions (its records
   * went to two Kafka partitions, which the docs rule out) keeps the record of the one seen last
   * here, so the table never gets two rows of it.
   */
  static void oneOwnerPerKey(Collection<PartitionState> pending) {
    Map<RowKeys.Key, KeyedRows> owner = new HashMap<>();
    for (PartitionState st : pending) {
      for (RowKeys.Key k : st.keyed.keys()) {
        KeyedRows before = owner.put(k, st.keyed);
        if (before != null) {
          before.remove(k);
        }
      }
    }
  }

  /**
   * Writes the partition's kept rows into new Parquet files (files of an earlier attempt that did
   * not land are dropped first, except those a commit of unknown outcome may reference).
   *
   * @return the partition's files, in its writer, pending commit
   * @throws IOException when a file cannot be written
   */
  List<WrittenFile> writeFiles(PartitionState st) throws IOException {
    String filePrefix = TopicPartitionWriter.filePrefix(st.tp.topic(), st.tp.partition());
    if (st.writer != null) {
      st.writer.abort(st.inDoubtFiles);
    }
    st.writer = null;
    for (Map.Entry<RowKeys.Key, KeyedRows.Entry> e : st.keyed.entries()) {
      KeyedRows.Entry row = e.getValue();
      if (row.row() == null) {
        continue; // a delete: only its key goes into the rewrite
      }
      if (st.writer == null) {
        st.writer =
            new TopicPartitionWriter(
                conf, row.layout(), settings, filePrefix, MemoryGate.UNLIMITED);
      } else if (st.writer.layout() != row.layout()) {
        st.writer.relayout(row.layout());
      }
      st.writer.write(row.row(), row.offset());
    }
    return st.writer == null ? List.of() : st.writer.finishFiles();
  }

  /**
   * The rewrite of a commit of {@code partitions}: the table's files holding one of their keys
   * (rows and deletes), written again without those rows into files named for the first partition;
   * null when there is no partition.
   */
  Upsert upsert(String location, Collection<PartitionState> partitions) {
    if (partitions.isEmpty()) {
      return null;
    }
    PartitionState owner = partitions.iterator().next();
    Set<RowKeys.Key> batchKeys = new LinkedHashSet<>();
    for (PartitionState st : partitions) {
      batchKeys.addAll(st.keyed.keys());
    }
    FileCompactor files =
        new FileCompactor(conf, new Path(location), settings, settings.rowGroupBytes());
    FileRewriter rewriter = new FileRewriter(files);
    return new Upsert(
        mode.keyColumns(),
        batchKeys,
        new Upsert.Rewriter() {
          @Override
          public FileRewriter.Result without(
              WrittenFile file,
              io.deltasink.connect.delta.writer.KeyPruning pruning,
              Collection<RowKeys.Key> keys)
              throws IOException {
            return rewriter.without(file, pruning, keys, owner.tp.topic(), owner.tp.partition());
          }

          @Override
          public void delete(WrittenFile file) {
            rewriter.delete(file);
          }
        });
  }
}
