package io.deltasink.connect.delta.mapping;

import java.util.Locale;

/**
 * Kusto JSON mapping transformations ("Mapping transformations",
 * learn.microsoft.com/kusto/management/mappings#mapping-transformations):
 *
 * <ul>
 *   <li>{@code DateTimeFromUnixSeconds}, {@code ...Milliseconds}, {@code ...Microseconds}, {@code
 *       ...Nanoseconds}: a number (or numeric string) since 1970-01-01 UTC becomes a datetime
 *   <li>{@code SourceLocation}: the record's origin, {@code kafka://<topic>/<partition>} (Kusto
 *       gives the blob URI; a Kafka record's origin is its topic partition); no path needed
 *   <li>{@code SourceLineNumber}: the record's Kafka offset; no path needed
 *   <li>{@code DropMappedFields}: the object at the path, without the fields other columns of the
 *       mapping already take, as JSON text
 *   <li>{@code PropertyBagArrayToDictionary}: an array of single-property objects {@code
 *       [{"a":1},{"b":2}]} becomes the object {@code {"a":1,"b":2}}, as JSON text
 * </ul>
 *
 * A constant ({@code ConstValue}) is not a transform in Kusto's syntax but a property of the column
 * mapping; see {@link ColumnMapping#constValue()}.
 */
public enum Transform {
  NONE,
  DATETIME_FROM_UNIX_SECONDS,
  DATETIME_FROM_UNIX_MILLISECONDS,
  DATETIME_FROM_UNIX_MICROSECONDS,
  DATETIME_FROM_UNIX_NANOSECONDS,
  SOURCE_LOCATION,
  SOURCE_LINE_NUMBER,
  DROP_MAPPED_FIELDS,
  PROPERTY_BAG_ARRAY_TO_DICTIONARY;

  /** Whether the transform reads the document (and so needs a path). */
  public boolean readsDocument() {
    return this != SOURCE_LOCATION && this != SOURCE_LINE_NUMBER;
  }

  /**
   * @throws IllegalArgumentException for a name Kusto does not define (case-insensitive)
   */
  public static Transform parse(String name) {
    if (name == null
        || name.isBlank()
        || "null".equalsIgnoreCase(name.trim())
        || "none".equalsIgnoreCase(name.trim())) {
      return NONE;
    }
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "datetimefromunixseconds" -> DATETIME_FROM_UNIX_SECONDS;
      case "datetimefromunixmilliseconds" -> DATETIME_FROM_UNIX_MILLISECONDS;
      case "datetimefromunixmicroseconds" -> DATETIME_FROM_UNIX_MICROSECONDS;
      case "datetimefromunixnanoseconds" -> DATETIME_FROM_UNIX_NANOSECONDS;
      case "sourcelocation" -> SOURCE_LOCATION;
      case "sourcelinenumber" -> SOURCE_LINE_NUMBER;
      case "dropmappedfields" -> DROP_MAPPED_FIELDS;
      case "propertybagarraytodictionary" -> PROPERTY_BAG_ARRAY_TO_DICTIONARY;
      default ->
          throw new IllegalArgumentException(
              "unknown transform '"
                  + name
                  + "'; expected one of "
                  + "DateTimeFromUnixSeconds, DateTimeFromUnixMilliseconds, DateTimeFromUnixMicroseconds, "
                  + "DateTimeFromUnixNanoseconds, SourceLocation, SourceLineNumber, DropMappedFields, PropertyBagArrayToDictionary");
    };
  }
}
