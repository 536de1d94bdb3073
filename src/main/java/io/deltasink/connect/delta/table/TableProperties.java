package io.deltasink.connect.delta.table;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Delta table properties ({@code metaData.configuration}, PROTOCOL.md "Table Properties") as this
 * sink sets and reads them: the defaults it gives the tables it creates, the check of a user's
 * {@code delta.table.properties.*} values, and Delta's interval values ({@code interval 2 days}).
 */
public final class TableProperties {
  public static final String LOG_RETENTION = "delta.logRetentionDuration";
  public static final String DELETED_FILE_RETENTION = "delta.deletedFileRetentionDuration";
  public static final String TXN_RETENTION = "delta.setTransactionRetentionDuration";
  public static final String CHECKPOINT_INTERVAL = "delta.checkpointInterval";

  /**
   * What the sink sets on a table it creates unless the user sets it (docs/table-maintenance.md).
   * Log retention: Delta's 30 days keep 1.3 million commit files for a table committed every 2 s,
   * and every reader lists them (ADLS lists a whole directory); 2 days keep about 86,000 and two
   * days of time travel. Checkpoint interval: every checkpoint holds every live file and every
   * tombstone of the last {@code delta.deletedFileRetentionDuration} (7 days), so at a commit every
   * few seconds Delta's 10 would write one every 20 s; 100 writes a tenth of that while readers
   * replay at most 100 small commit files.
   */
  public static final Map<String, String> CREATE_DEFAULTS =
      Map.of(LOG_RETENTION, "interval 2 days", CHECKPOINT_INTERVAL, "100");

  /**
   * Properties that turn on a table feature of a protocol above reader 1 / writer 2, which Delta
   * Standalone cannot write (the sink then creates the table through Delta Kernel): the values that
   * enable it, by key. {@code delta.feature.<name>=supported} does the same for any feature.
   */
  private static final Map<String, String> NEWER_PROTOCOL =
      Map.of(
          "delta.enableDeletionVectors", "true",
          "delta.enableChangeDataFeed", "true",
          "delta.enableRowTracking", "true",
          "delta.enableInCommitTimestamps", "true",
          "delta.enableTypeWidening", "true",
          "delta.checkpointPolicy", "v2",
          "delta.columnMapping.mode", "name|id");

  /**
   * The table features (PROTOCOL.md, "Table Features") an append by this sink may meet, each tested
   * in {@code ModernTablesIT}. Some are writable only while the table does not use them: Kernel
   * refuses invariants, CHECK constraints, generated and identity columns that are defined.
   */
  public static final java.util.Set<String> WRITABLE_FEATURES =
      java.util.Set.of(
          "appendOnly",
          "invariants",
          "checkConstraints",
          "changeDataFeed",
          "generatedColumns",
          "identityColumns",
          "columnMapping",
          "deletionVectors",
          "v2Checkpoint",
          "timestampNtz",
          "inCommitTimestamp",
          "domainMetadata",
          "rowTracking",
          "clustering",
          "vacuumProtocolCheck",
          "checkpointProtection",
          "typeWidening",
          "typeWidening-preview");

  private static final String FEATURE_PREFIX = "delta.feature.";

  /**
   * Column mapping: the first files of a table the sink creates are written before the table (and
   * its physical column names) exist.
   */
  private static final String COLUMN_MAPPING = "delta.columnMapping.mode";

  private static final List<String> INTERVALS =
      List.of(LOG_RETENTION, DELETED_FILE_RETENTION, TXN_RETENTION);

  private static final Pattern INTERVAL =
      Pattern.compile("\\s*interval\\s+(\\d+)\\s+([a-z]+?)s?\\s*", Pattern.CASE_INSENSITIVE);

  private TableProperties() {}

  /** The properties for a new table: {@link #CREATE_DEFAULTS} overridden by {@code user}. */
  public static Map<String, String> forNewTable(Map<String, String> user) {
    Map<String, String> out = new LinkedHashMap<>(CREATE_DEFAULTS);
    out.putAll(user);
    return out;
  }

  /**
   * What is wrong with a user's table property, or empty: an interval Delta cannot parse, a
   * checkpoint interval that is not a positive number, a feature this connector cannot write yet.
   */
  public static Optional<String> error(String key, String value) {
    if (INTERVALS.contains(key) && intervalMs(value).isEmpty()) {
      return Optional.of(
          key
              + " must be a Delta interval such as 'interval 2 days' (units: millisecond, second,"
              + " minute, hour, day, week)");
    }
    if (key.equals(CHECKPOINT_INTERVAL)) {
      try {
        if (Integer.parseInt(value.trim()) > 0) {
          return Optional.empty();
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      return Optional.of(key + " must be a positive number of commits");
    }
    if (key.startsWith(FEATURE_PREFIX)) {
      String feature = key.substring(FEATURE_PREFIX.length());
      if (!WRITABLE_FEATURES.contains(feature) || feature.equals("columnMapping")) {
        return Optional.of(
            key
                + ": this connector does not write tables with the feature '"
                + feature
                + "' that it would create; leave it out (docs/delta-backends.md lists the features"
                + " it writes)");
      }
    }
    if (key.equals(COLUMN_MAPPING) && enables(key, value)) {
      return Optional.of(
          key
              + "="
              + value
              + ": the sink cannot create a table with column mapping (its first files are written"
              + " before the table exists, under the columns' own names); create the table with"
              + " column mapping first, for example in Spark, and the sink appends to it");
    }
    return Optional.empty();
  }

  /**
   * Whether a table created with {@code properties} has a protocol above reader 1 / writer 2, so
   * that Delta Standalone cannot create or write it.
   */
  public static boolean needNewerProtocol(Map<String, String> properties) {
    return properties.entrySet().stream()
        .anyMatch(e -> e.getKey().startsWith(FEATURE_PREFIX) || enables(e.getKey(), e.getValue()));
  }

  private static boolean enables(String key, String value) {
    String enabling = NEWER_PROTOCOL.get(key);
    return enabling != null
        && value != null
        && value.trim().toLowerCase(Locale.ROOT).matches(enabling);
  }

  /**
   * A Delta interval ({@code interval <n> <unit>}, units from millisecond to week, singular or
   * plural) in ms; empty when it is not one.
   */
  public static Optional<Long> intervalMs(String value) {
    if (value == null) {
      return Optional.empty();
    }
    Matcher m = INTERVAL.matcher(value);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    TimeUnit unit;
    switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "millisecond" -> unit = TimeUnit.MILLISECONDS;
      case "second" -> unit = TimeUnit.SECONDS;
      case "minute" -> unit = TimeUnit.MINUTES;
      case "hour" -> unit = TimeUnit.HOURS;
      case "day" -> unit = TimeUnit.DAYS;
      case "week" -> {
        unit = TimeUnit.DAYS;
        n = Math.multiplyExact(n, 7);
      }
      default -> {
        return Optional.empty();
      }
    }
    return Optional.of(unit.toMillis(n));
  }
}
