package io.deltasink.connect.delta.config;

import static io.deltasink.connect.delta.config.DeltaSinkConfig.CONFIG_DEF;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.HADOOP_PREFIX;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.INPUT_FORMAT_CONFIG;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.KAFKA_COLUMNS_CONFIG;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.MAPPINGS_PREFIX;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.PARTITION_COLUMNS_CONFIG;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.TABLES_ROOT_CONFIG;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.TABLES_ROUTING_CONFIG;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.TABLE_LOCATION_CONFIG;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.TABLE_MAPPING_CONFIG;
import static io.deltasink.connect.delta.config.DeltaSinkConfig.TASK_ID_CONFIG;

import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.mapping.IngestionMapping;
import io.deltasink.connect.delta.table.TableProperties;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The checks of {@link DeltaSinkConfig} that involve more than one key or need parsing: table
 * locations, routing, mappings, partition columns against the columns a mapping or the bronze
 * layout produces ({@link KnownColumns}), ADLS authentication ({@link AzureAuth}) and unknown
 * {@code delta.*} keys ({@link UnknownKeys}). Each error is keyed by the config key it is about, so
 * that both task start-up and the REST {@code config/validate} call report it on that key.
 */
final class CrossFieldChecks {
  private CrossFieldChecks() {}

  /** See {@link DeltaSinkConfig#crossFieldErrors}. */
  static Map<String, String> errors(Map<String, String> props) {
    Map<String, String> errors = tableErrors(props);
    for (Map.Entry<String, String> e :
        AzureAuth.errors(props, AzureAuth.accountHosts(locations(props))).entrySet()) {
      errors.putIfAbsent(e.getKey(), e.getValue());
    }
    UnknownKeys.errors(
            props.keySet(),
            CONFIG_DEF.names(),
            List.of(TASK_ID_CONFIG),
            List.of(
                HADOOP_PREFIX,
                MAPPINGS_PREFIX,
                DeltaSinkConfig.TABLE_PROPERTIES_PREFIX,
                KafkaClientConfigs.PREFIX))
        .forEach(errors::putIfAbsent);
    String client = KafkaClientConfigs.problem(props);
    if (client != null) {
      errors.putIfAbsent(KafkaClientConfigs.BOOTSTRAP_SERVERS_CONFIG, client);
    }
    for (Map.Entry<String, String> e : props.entrySet()) {
      if (e.getKey().startsWith(DeltaSinkConfig.TABLE_PROPERTIES_PREFIX)) {
        String key = e.getKey().substring(DeltaSinkConfig.TABLE_PROPERTIES_PREFIX.length());
        TableProperties.error(key, e.getValue())
            .ifPresent(msg -> errors.putIfAbsent(e.getKey(), msg));
      }
    }
    return errors;
  }

  /**
   * Every table location the config names (single table, routing root, explicit routing locations).
   */
  static List<String> locations(Map<String, String> props) {
    List<String> out = new ArrayList<>();
    for (String key : List.of(TABLE_LOCATION_CONFIG, TABLES_ROOT_CONFIG)) {
      String v = props.get(key);
      if (v != null && !v.isBlank()) {
        out.add(v.trim());
      }
    }
    String routing = props.get(TABLES_ROUTING_CONFIG);
    if (routing != null && !routing.isBlank()) {
      try {
        out.addAll(TableRoutes.explicitLocations(routing));
      } catch (IllegalArgumentException e) {
        // reported by the routing checks
      }
    }
    return out;
  }

  private static Map<String, String> tableErrors(Map<String, String> props) {
    Map<String, String> errors = new LinkedHashMap<>();
    Map<String, IngestionMapping> mappings = new LinkedHashMap<>();
    String mappingError = null;
    try {
      mappings = parseMappings(props);
    } catch (IllegalArgumentException e) {
      mappingError = e.getMessage();
    }
    String routing = props.getOrDefault(TABLES_ROUTING_CONFIG, "");
    if (!routing.isBlank()) {
      if (mappingError != null) {
        errors.put(TABLES_ROUTING_CONFIG, mappingError);
      } else {
        String root = blankToNull(props.get(TABLES_ROOT_CONFIG));
        if (root != null && locationProblem(root.trim()) != null) {
          errors.put(TABLES_ROOT_CONFIG, locationProblem(root.trim()));
        } else {
          try {
            TableRoutes routes =
                TableRoutes.parse(
                    routing,
                    root,
                    mappings,
                    listValue(PARTITION_COLUMNS_CONFIG, props.get(PARTITION_COLUMNS_CONFIG)),
                    kafkaColumns(props),
                    writeMode(props));
            if (!routes.hasWildcard()) {
              for (String topic : listValue("topics", props.get("topics"))) {
                if (!routes.topics().contains(topic)) {
                  errors.put(
                      TABLES_ROUTING_CONFIG,
                      "topic '"
                          + topic
                          + "' is consumed (topics) but has no entry and there is "
                          + "no '*' entry");
                }
              }
            }
          } catch (IllegalArgumentException e) {
            errors.put(TABLES_ROUTING_CONFIG, e.getMessage());
          }
        }
      }
      return errors;
    }
    String location = props.get(TABLE_LOCATION_CONFIG);
    if (location == null || location.isBlank()) {
      errors.put(
          TABLE_LOCATION_CONFIG,
          "Missing required configuration \""
              + TABLE_LOCATION_CONFIG
              + "\": the table root URI, for example file:///data/delta/my_table (or route topics with "
              + TABLES_ROUTING_CONFIG
              + ")");
    } else {
      String problem = locationProblem(location.trim());
      if (problem != null) {
        errors.put(TABLE_LOCATION_CONFIG, problem);
      }
    }
    List<String> partitions =
        listValue(PARTITION_COLUMNS_CONFIG, props.get(PARTITION_COLUMNS_CONFIG));
    Set<String> seen = new HashSet<>();
    for (String p : partitions) {
      if (!seen.add(p)) {
        errors.put(PARTITION_COLUMNS_CONFIG, "partition column '" + p + "' is listed twice");
      }
    }
    String mappingName = blankToNull(props.get(TABLE_MAPPING_CONFIG));
    if (mappingError != null) {
      errors.put(TABLE_MAPPING_CONFIG, mappingError);
    } else if (mappingName != null && !mappings.containsKey(mappingName.trim())) {
      errors.put(
          TABLE_MAPPING_CONFIG,
          "mapping '"
              + mappingName.trim()
              + "' is not defined; define it as "
              + MAPPINGS_PREFIX
              + mappingName.trim());
    }
    String format = props.getOrDefault(INPUT_FORMAT_CONFIG, "auto").trim();
    if (format.equalsIgnoreCase("json") && mappingName == null) {
      errors.put(
          INPUT_FORMAT_CONFIG,
          "format json needs a Kusto JSON mapping: set "
              + TABLE_MAPPING_CONFIG
              + " (or use bronze to keep the raw JSON)");
    }
    if (!errors.containsKey(PARTITION_COLUMNS_CONFIG) && mappingError == null) {
      try {
        IngestionMapping mapping = mappingName == null ? null : mappings.get(mappingName.trim());
        KnownColumns.missingPartitionColumn(
                TableFormat.parse(format), mapping, kafkaColumns(props), partitions)
            .ifPresent(
                m ->
                    errors.put(
                        PARTITION_COLUMNS_CONFIG,
                        "partition column '" + m.column() + "' is not " + m.table()));
      } catch (IllegalArgumentException e) {
        // an unknown format: the validator of delta.input.format reports it
      }
    }
    if (mappingError == null) {
      try {
        WriteMode mode = writeMode(props);
        WriteMode.of(mode.modeName(), mode.keyColumns(), mode.deleteOnTombstone());
        String problem =
            mode.problem(
                TableFormat.parse(format),
                mappingName == null ? null : mappings.get(mappingName.trim()),
                kafkaColumns(props));
        if (problem != null) {
          errors.put(UpsertConfigs.KEY_COLUMNS_CONFIG, "cannot upsert: " + problem);
        }
      } catch (IllegalArgumentException e) {
        errors.putIfAbsent(UpsertConfigs.KEY_COLUMNS_CONFIG, e.getMessage());
      }
    }
    return errors;
  }

  /**
   * The connector-level write mode in {@code props}, not checked (routing entries may give the key
   * columns).
   */
  private static WriteMode writeMode(Map<String, String> props) {
    return new WriteMode(
        props
            .getOrDefault(UpsertConfigs.WRITE_MODE_CONFIG, "append")
            .trim()
            .equalsIgnoreCase("upsert"),
        listValue(UpsertConfigs.KEY_COLUMNS_CONFIG, props.get(UpsertConfigs.KEY_COLUMNS_CONFIG)),
        Boolean.parseBoolean(
            props.getOrDefault(UpsertConfigs.DELETE_ON_TOMBSTONE_CONFIG, "false").trim()));
  }

  /**
   * A comma-separated value split as {@link ConfigDef} parses a {@code LIST} (elements trimmed),
   * without blank elements.
   *
   * @param key the key, named by the {@link ConfigException} for a value that is not a list
   * @param value the raw value, or null for an empty list
   */
  static List<String> listValue(String key, String value) {
    if (value == null) {
      return List.of();
    }
    return ((List<?>) ConfigDef.parseType(key, value, Type.LIST))
        .stream().map(Object::toString).filter(s -> !s.isBlank()).toList();
  }

  /**
   * The Kafka coordinate columns {@code props} asks for; names the validator rejects are left out.
   */
  private static KafkaColumns kafkaColumns(Map<String, String> props) {
    List<KafkaColumns.Coordinate> list = new ArrayList<>();
    for (String s : listValue(KAFKA_COLUMNS_CONFIG, props.get(KAFKA_COLUMNS_CONFIG))) {
      try {
        list.add(KafkaColumns.Coordinate.parse(s));
      } catch (IllegalArgumentException e) {
        // reported by the validator of delta.kafka.columns
      }
    }
    return new KafkaColumns(list);
  }

  /**
   * The named mappings {@code delta.mappings.<name>}; a value may be a pasted {@code .create ...
   * ingestion json mapping} command, whose own name must then match {@code <name>}.
   */
  static Map<String, IngestionMapping> parseMappings(Map<String, String> props) {
    Map<String, IngestionMapping> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : props.entrySet()) {
      if (!e.getKey().startsWith(MAPPINGS_PREFIX)) {
        continue;
      }
      String name = e.getKey().substring(MAPPINGS_PREFIX.length());
      IngestionMapping m;
      try {
        m = IngestionMapping.parse(name, e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(e.getKey() + ": " + ex.getMessage(), ex);
      }
      if (!m.name().equals(name)) {
        throw new IllegalArgumentException(
            e.getKey()
                + ": the pasted command names the mapping '"
                + m.name()
                + "'; use the key "
                + MAPPINGS_PREFIX
                + m.name());
      }
      out.put(name, m);
    }
    return out;
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Why a table location is unusable, or null. */
  static String locationProblem(String location) {
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      return "'" + location + "' is not a valid URI: " + e.getMessage();
    }
    if (uri.getScheme() == null) {
      return "'"
          + location
          + "' has no scheme; use file:///absolute/path for a local table or "
          + "abfss://container@account.dfs.core.windows.net/path for ADLS Gen2";
    }
    if (uri.getPath() == null || uri.getPath().isEmpty() || "/".equals(uri.getPath())) {
      return "'" + location + "' names no directory; a table needs its own directory";
    }
    return null;
  }
}
