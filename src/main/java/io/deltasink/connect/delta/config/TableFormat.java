package io.deltasink.connect.delta.config;

import java.util.Locale;

/** How records become rows of a table. */
public enum TableFormat {
  /** Connect {@code Struct} values (Avro, JSON Schema, Protobuf converters). */
  STRUCT,
  /** Schemaless JSON shaped by a Kusto JSON ingestion mapping. */
  JSON,
  /** The raw bronze layout: payload untouched, plus coordinates and ingestion time. */
  BRONZE,
  /** STRUCT when values are Structs, JSON when a mapping is configured, BRONZE otherwise. */
  AUTO;

  /**
   * @throws IllegalArgumentException for an unknown name; ADX's {@code avro}, {@code apacheavro}
   *     and {@code protobuf} formats mean STRUCT here (the Connect converter already decoded them)
   */
  public static TableFormat parse(String s) {
    String n = s.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "struct", "avro", "apacheavro", "protobuf" -> STRUCT;
      case "json" -> JSON;
      case "bronze", "raw" -> BRONZE;
      case "auto" -> AUTO;
      default ->
          throw new IllegalArgumentException(
              "format '"
                  + s
                  + "' is not supported; use json (with a mapping), "
                  + "bronze, struct or auto");
    };
  }
}
