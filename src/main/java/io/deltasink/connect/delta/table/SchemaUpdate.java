package io.deltasink.connect.delta.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.DeltaSchemaJson;
import io.deltasink.connect.delta.schema.EvolutionMode;
import io.deltasink.connect.delta.schema.TypeWidening;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

/**
 * The commit's half of schema evolution (docs/schema-evolution.md): given the table's schema as the
 * log holds it now and the schema the commit's files were written with, whether the files fit, and
 * the new {@code metaData.schemaString} that makes them fit. Both backends write that string in the
 * same commit as the files, so no reader ever sees a file with a column the schema lacks.
 *
 * <p>Works on the schema JSON itself, so that everything this connector does not model survives the
 * change: comments, the column mapping of existing fields, generation expressions, earlier {@code
 * delta.typeChanges}. Changes made: a column of the files the table lacks is appended (nested
 * struct fields too), with a {@code delta.columnMapping.id} above {@code maxColumnId} and the
 * physical name the writer chose on a column-mapping table; a NOT NULL column the files declare
 * nullable becomes nullable; a column whose type the files widen takes their type and records the
 * change in its {@code delta.typeChanges} metadata (PROTOCOL.md, "Type Widening"), on tables with
 * type widening only.
 */
public final class SchemaUpdate {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SchemaUpdate.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA = "metadata";
  private static final String PHYSICAL_NAME = "delta.columnMapping.physicalName";
  private static final String COLUMN_ID = "delta.columnMapping.id";
  private static final String TYPE_CHANGES = "delta.typeChanges";

  /**
   * @param schemaJson the new {@code schemaString}, null when the table's fits the files as it is
   * @param maxColumnId the new {@code delta.columnMapping.maxColumnId}, -1 when unchanged
   * @param conflict why the files cannot be added (another writer changed the table in a way they
   *     do not fit: they must be written again), null when they can
   */
  public record Plan(String schemaJson, long maxColumnId, String conflict) {
    /** No change: for a table this commit creates. */
    public static final Plan NONE = new Plan(null, -1, null);

    /** Whether the commit must carry a {@code metaData} action with {@link #schemaJson}. */
    public boolean changes() {
      return schemaJson != null;
    }

    /** Whether the files fit the table (with this plan's change); logs why not when they do not. */
    public boolean fits(String location) {
      if (conflict == null) {
        return true;
      }
      LOG.warn(
          "Files written for Delta table {} no longer fit its schema, changed meanwhile: {}. Their"
              + " rows are written again with the table's schema.",
          location,
          conflict);
      return false;
    }

    /**
     * Which partitions a commit may include: with files that fit ({@link #fits}) those whose files
     * are {@code whole}; otherwise only those without files (their offsets still land).
     */
    public java.util.function.Predicate<PartitionCommit> includable(
        String location, java.util.function.Predicate<PartitionCommit> whole) {
      return fits(location) ? whole : pc -> pc.files().isEmpty();
    }

    /** The table as a commit with this plan leaves it. */
    public TableState stateAfter(TableState table) {
      if (schemaJson == null) {
        return table;
      }
      Map<String, String> configuration = new java.util.HashMap<>(table.configuration());
      configuration.putAll(properties());
      return new TableState(
          table.version(),
          DeltaSchemaJson.fromJson(schemaJson),
          table.partitionColumns(),
          schemaJson,
          configuration,
          table.writerFeatures());
    }

    /** The table properties to merge into {@code metaData.configuration}. */
    public Map<String, String> properties() {
      return maxColumnId < 0
          ? Map.of()
          : Map.of(TableState.COLUMN_MAPPING_MAX_ID, Long.toString(maxColumnId));
    }
  }

  private final TableState table;
  private final EvolutionMode mode;
  private final boolean mapped;
  private final java.util.Set<String> physicalNames = new java.util.HashSet<>();
  private long maxColumnId;
  private boolean changed;
  private String conflict;

  private SchemaUpdate(TableState table, EvolutionMode mode) {
    this.table = table;
    this.mode = mode;
    this.mapped = !"none".equals(table.columnMapping());
    this.maxColumnId =
        Long.parseLong(table.configuration().getOrDefault(TableState.COLUMN_MAPPING_MAX_ID, "0"));
  }

  /**
   * What adding files written with {@code files} to {@code table} takes, under {@code mode}: with
   * {@link EvolutionMode#NONE} the files must fit as they are; only {@link
   * EvolutionMode#ADD_AND_WIDEN} widens types and relaxes NOT NULL. A change the mode does not
   * allow, made to the table since the files' schema was read from it, is a conflict.
   */
  public static Plan plan(TableState table, ColumnType.Struct files, EvolutionMode mode) {
    ObjectNode root;
    try {
      root = (ObjectNode) JSON.readTree(table.schemaJson());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SchemaUpdate u = new SchemaUpdate(table, mode);
    if (u.mapped) {
      u.collectPhysicalNames(root);
    }
    u.struct(root, files, "", false);
    if (u.conflict != null) {
      return new Plan(null, -1, u.conflict);
    }
    return u.changed
        ? new Plan(root.toString(), u.mapped ? u.maxColumnId : -1, null)
        : new Plan(null, -1, null);
  }

  private void struct(ObjectNode node, ColumnType.Struct files, String path, boolean inCollection) {
    ArrayNode fields = (ArrayNode) node.path("fields");
    for (Column c : files.fields()) {
      String p = path.isEmpty() ? c.name() : path + "." + c.name();
      ObjectNode f = field(fields, c.name(), false);
      if (f == null) {
        if (field(fields, c.name(), true) != null) {
          conflict("column '" + p + "' differs only in case from a column of the table");
        } else if (mode == EvolutionMode.NONE) {
          conflict("column '" + p + "' is not in the table and delta.schema.evolution=none");
        } else if (mapped && c.physicalName().equals(c.name())) {
          conflict("column '" + p + "' was written without the table's column mapping");
        } else if (mapped && (c.fieldId() >= 0 || physicalNames.contains(c.physicalName()))) {
          // A column the files knew with an id, or a physical name the table still uses: it was
          // dropped or renamed since; adding it back would show the dropped data again.
          conflict("column '" + p + "' was dropped or renamed in the table meanwhile");
        } else if (TableState.MAPPING_ID.equals(table.columnMapping())) {
          conflict("column '" + p + "' cannot be added to a table with column mapping in id mode");
        } else {
          fields.add(added(c));
          changed = true;
        }
        continue;
      }
      if (mapped
          && !c.physicalName().equals(f.path(METADATA).path(PHYSICAL_NAME).asText(c.name()))) {
        conflict("column '" + p + "' has another physical name in the table (added meanwhile)");
        continue;
      }
      type(f, "type", c.type(), p, inCollection);
      if (c.nullable() && !f.path("nullable").asBoolean(true)) {
        if (mode != EvolutionMode.ADD_AND_WIDEN) {
          conflict("column '" + p + "' is NOT NULL in the table and nullable in the files");
        } else {
          f.put("nullable", true);
          changed = true;
        }
      }
    }
    for (JsonNode f : fields) {
      String name = f.path("name").asText();
      if (files.field(name) == null && !f.path("nullable").asBoolean(true)) {
        conflict(
            "the table's column '"
                + (path.isEmpty() ? name : path + "." + name)
                + "' is NOT NULL and the files have no such column");
      }
    }
  }

  private void type(
      ObjectNode holder, String key, ColumnType files, String path, boolean inCollection) {
    JsonNode t = holder.path(key);
    if (files instanceof ColumnType.Struct s) {
      if (t.isObject() && "struct".equals(t.path("type").asText())) {
        struct((ObjectNode) t, s, path, inCollection);
      } else {
        conflict("column '" + path + "' is no longer a struct in the table");
      }
      return;
    }
    if (files instanceof ColumnType.Array a) {
      if (t.isObject() && "array".equals(t.path("type").asText())) {
        type((ObjectNode) t, "elementType", a.element(), path + "[]", true);
      } else {
        conflict("column '" + path + "' is no longer an array in the table");
      }
      return;
    }
    if (files instanceof ColumnType.MapType m) {
      if (t.isObject() && "map".equals(t.path("type").asText())) {
        type((ObjectNode) t, "keyType", m.key(), path + "{key}", true);
        type((ObjectNode) t, "valueType", m.value(), path + "{value}", true);
      } else {
        conflict("column '" + path + "' is no longer a map in the table");
      }
      return;
    }
    ColumnType tableType;
    try {
      tableType = DeltaSchemaJson.typeOf(t);
    } catch (IllegalArgumentException e) {
      conflict("column '" + path + "' has a type this connector does not write: " + t);
      return;
    }
    if (tableType.equals(files)) {
      return;
    }
    boolean widening = table.typeWidening() && !inCollection;
    if (widening && TypeWidening.writable(files, tableType)) {
      return; // another engine widened it meanwhile: readers widen the files' values
    }
    if (widening
        && mode == EvolutionMode.ADD_AND_WIDEN
        && files.equals(TypeWidening.widened(tableType, files))) {
      holder.put(key, files.deltaName());
      ObjectNode metadata =
          holder.path(METADATA).isObject()
              ? (ObjectNode) holder.path(METADATA)
              : holder.putObject(METADATA);
      ArrayNode changes =
          metadata.path(TYPE_CHANGES).isArray()
              ? (ArrayNode) metadata.path(TYPE_CHANGES)
              : metadata.putArray(TYPE_CHANGES);
      changes.addObject().put("fromType", tableType.deltaName()).put("toType", files.deltaName());
      changed = true;
      return;
    }
    conflict(
        "column '"
            + path
            + "' is "
            + tableType.deltaName()
            + " in the table and "
            + files.deltaName()
            + " in the files");
  }

  /** A new field's JSON; under column mapping every struct field in it gets the next id. */
  private ObjectNode added(Column c) {
    ObjectNode f = DeltaSchemaJson.fieldJson(c);
    if (mapped) {
      assignIds(f);
    }
    return f;
  }

  private void assignIds(JsonNode node) {
    if (node.has("name") && node.path(METADATA).isObject()) {
      ((ObjectNode) node.path(METADATA)).put(COLUMN_ID, ++maxColumnId);
    }
    for (JsonNode child : node) {
      if (child.isContainerNode()) {
        assignIds(child);
      }
    }
  }

  private void collectPhysicalNames(JsonNode node) {
    JsonNode name = node.path(METADATA).path(PHYSICAL_NAME);
    if (name.isTextual()) {
      physicalNames.add(name.asText());
    }
    for (JsonNode child : node) {
      if (child.isContainerNode()) {
        collectPhysicalNames(child);
      }
    }
  }

  private static ObjectNode field(ArrayNode fields, String name, boolean ignoreCase) {
    for (JsonNode f : fields) {
      String n = f.path("name").asText();
      if (ignoreCase
          ? n.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))
          : n.equals(name)) {
        return (ObjectNode) f;
      }
    }
    return null;
  }

  private void conflict(String reason) {
    if (conflict == null) {
      conflict = reason;
    }
  }
}
