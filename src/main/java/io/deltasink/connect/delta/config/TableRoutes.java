package io.deltasink.connect.delta.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.mapping.IngestionMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which table each topic goes to. Built either from the single-table keys or from {@code
 * delta.tables.topics.mapping}, the Azure Data Explorer sink's {@code kusto.tables.topics.mapping}
 * array with the same keys ({@code topic}, {@code db}, {@code table}, {@code format}, {@code
 * mapping}; single or double quotes), plus optional {@code location}, {@code partitionBy}, {@code
 * writeMode} and {@code keyColumns}. An entry with {@code topic: '*'} takes every topic without its
 * own entry; without {@code table} it names the table after the topic.
 */
public final class TableRoutes {
  private static final ObjectMapper LENIENT =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private final Map<String, TableSpec> byTopic;
  private final Entry wildcard;
  private final String root;
  private final TableSpec single;

  private record Entry(
      String db,
      String table,
      String location,
      TableFormat format,
      IngestionMapping mapping,
      List<String> partitionBy,
      WriteMode writeMode) {}

  private TableRoutes(
      Map<String, TableSpec> byTopic, Entry wildcard, String root, TableSpec single) {
    this.byTopic = byTopic;
    this.wildcard = wildcard;
    this.root = root;
    this.single = single;
  }

  /** Every topic goes to one table. */
  public static TableRoutes single(TableSpec spec) {
    return new TableRoutes(Map.of(), null, null, spec);
  }

  /**
   * Parses the routing array.
   *
   * @param root the table root URI, or null (then each entry needs {@code location})
   * @param mappings named mappings the entries refer to
   * @param defaultPartitionColumns partition columns for entries without {@code partitionBy}
   * @param kafkaColumns the Kafka coordinate columns json tables get, which they may be partitioned
   *     by
   * @throws IllegalArgumentException naming the entry and what is wrong, including a partition
   *     column that the entry's mapping (or the bronze layout) does not produce
   */
  public static TableRoutes parse(
      String json,
      String root,
      Map<String, IngestionMapping> mappings,
      List<String> defaultPartitionColumns,
      KafkaColumns kafkaColumns) {
    return parse(json, root, mappings, defaultPartitionColumns, kafkaColumns, WriteMode.APPEND);
  }

  /**
   * {@link #parse(String, String, Map, List, KafkaColumns)} where entries without {@code writeMode}
   * or {@code keyColumns} take them from {@code defaultWriteMode}.
   */
  public static TableRoutes parse(
      String json,
      String root,
      Map<String, IngestionMapping> mappings,
      List<String> defaultPartitionColumns,
      KafkaColumns kafkaColumns,
      WriteMode defaultWriteMode) {
    JsonNode array;
    try {
      array = LENIENT.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a valid JSON array: " + e.getOriginalMessage());
    }
    if (array == null || !array.isArray() || array.isEmpty()) {
      throw new IllegalArgumentException(
          "must be a non-empty array like "
              + "[{'topic':'t','db':'d','table':'t','format':'json','mapping':'m'}]");
    }
    Map<String, TableSpec> byTopic = new LinkedHashMap<>();
    Entry wildcard = null;
    int i = 0;
    for (JsonNode node : array) {
      String where = "entry " + i++;
      if (!node.isObject()) {
        throw new IllegalArgumentException(where + " is not an object");
      }
      Map<String, String> e = lowerCaseText(node);
      String topic = e.get("topic");
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException(where + " has no 'topic'");
      }
      where = "entry for topic '" + topic + "'";
      try {
        String db = e.get("db");
        String table = e.get("table");
        String location = e.get("location");
        if (db != null) {
          Locations.checkName("db", db);
        }
        if (table != null) {
          Locations.checkName("table", table);
        }
        if (location != null) {
          location =
              root != null
                  ? Locations.requireInside(root, location)
                  : Locations.stripSlash(location);
        } else if (root == null) {
          throw new IllegalArgumentException(
              "has no 'location' and " + DeltaSinkConfig.TABLES_ROOT_CONFIG + " is not set");
        }
        String mappingName = e.get("mapping");
        IngestionMapping mapping = null;
        if (mappingName != null && !mappingName.isBlank()) {
          mapping = mappings.get(mappingName);
          if (mapping == null) {
            throw new IllegalArgumentException(
                "refers to mapping '"
                    + mappingName
                    + "', which is not defined; define it as "
                    + DeltaSinkConfig.MAPPINGS_PREFIX
                    + mappingName);
          }
        }
        TableFormat format =
            e.get("format") == null
                ? (mapping != null ? TableFormat.JSON : TableFormat.AUTO)
                : TableFormat.parse(e.get("format"));
        if (format == TableFormat.JSON && mapping == null) {
          throw new IllegalArgumentException(
              "has format json but no 'mapping'; give the name of a JSON ingestion mapping, "
                  + "or use format 'bronze' to keep the raw JSON");
        }
        boolean ownPartitionBy = e.containsKey("partitionby");
        List<String> partitionBy =
            ownPartitionBy
                ? CrossFieldChecks.listValue("partitionBy", e.get("partitionby"))
                : defaultPartitionColumns;
        KnownColumns.missingPartitionColumn(format, mapping, kafkaColumns, partitionBy)
            .ifPresent(
                m -> {
                  throw new IllegalArgumentException(
                      "partitions by '"
                          + m.column()
                          + "'"
                          + (ownPartitionBy
                              ? ""
                              : " (from " + DeltaSinkConfig.PARTITION_COLUMNS_CONFIG + ")")
                          + ", which is not "
                          + m.table());
                });
        WriteMode writeMode =
            WriteMode.of(
                e.getOrDefault("writemode", defaultWriteMode.modeName()),
                e.containsKey("keycolumns")
                    ? CrossFieldChecks.listValue("keyColumns", e.get("keycolumns"))
                    : defaultWriteMode.keyColumns(),
                defaultWriteMode.deleteOnTombstone());
        String modeProblem = writeMode.problem(format, mapping, kafkaColumns);
        if (modeProblem != null) {
          throw new IllegalArgumentException("cannot upsert: " + modeProblem);
        }
        Entry entry = new Entry(db, table, location, format, mapping, partitionBy, writeMode);
        if (topic.equals("*")) {
          if (wildcard != null) {
            throw new IllegalArgumentException("is the second '*' entry");
          }
          wildcard = entry;
        } else {
          if (byTopic.containsKey(topic)) {
            throw new IllegalArgumentException("repeats a topic");
          }
          if (table == null && location == null) {
            throw new IllegalArgumentException("has no 'table'");
          }
          byTopic.put(topic, spec(entry, topic, root));
        }
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(where + " " + ex.getMessage(), ex);
      }
    }
    return new TableRoutes(byTopic, wildcard, root, null);
  }

  private static TableSpec spec(Entry e, String topic, String root) {
    String table =
        e.table != null ? e.table : Locations.checkName("topic name used as table name", topic);
    String location = e.location != null ? e.location : Locations.under(root, e.db, table);
    return new TableSpec(location, table, e.format, e.mapping, e.partitionBy, e.writeMode);
  }

  /**
   * The table for {@code topic}.
   *
   * @throws IllegalArgumentException when the topic has no entry and there is no wildcard, or the
   *     topic's name cannot be used as a table name
   */
  public TableSpec route(String topic) {
    if (single != null) {
      return single;
    }
    TableSpec spec = byTopic.get(topic);
    if (spec != null) {
      return spec;
    }
    if (wildcard == null) {
      throw new IllegalArgumentException(
          "topic '"
              + topic
              + "' has no entry in "
              + DeltaSinkConfig.TABLES_ROUTING_CONFIG
              + " and there is no '*' entry");
    }
    return spec(wildcard, topic, root);
  }

  /** The {@code location} values of a routing array (not checked), for finding storage accounts. */
  static List<String> explicitLocations(String json) {
    List<String> out = new ArrayList<>();
    try {
      JsonNode array = LENIENT.readTree(json);
      if (array != null && array.isArray()) {
        for (JsonNode n : array) {
          lowerCaseText(n).entrySet().stream()
              .filter(e -> e.getKey().equals("location") && e.getValue() != null)
              .forEach(e -> out.add(e.getValue()));
        }
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage());
    }
    return out;
  }

  /** Topics with their own entry. */
  public List<String> topics() {
    return new ArrayList<>(byTopic.keySet());
  }

  public boolean hasWildcard() {
    return wildcard != null || single != null;
  }

  private static Map<String, String> lowerCaseText(JsonNode node) {
    Map<String, String> out = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      out.put(
          f.getKey().toLowerCase(Locale.ROOT),
          f.getValue().isNull()
              ? null
              : f.getValue().isTextual() ? f.getValue().textValue() : f.getValue().toString());
    }
    return out;
  }
}
