package io.deltasink.connect.delta.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The check every sink test ends with: the rows a Delta reader sees hold each expected Kafka
 * (partition, offset) exactly once, and nothing else. Rows come from {@link KernelReader#rows()} of
 * a table written with {@code delta.kafka.columns} including {@code partition,offset}; a
 * (partition, offset) is written {@code "<partition>/<offset>"}.
 */
public final class ExactlyOnce {
  private static final int SHOWN = 20;

  private ExactlyOnce() {}

  /** {@code "<partition>/<offset>"} of a row. */
  public static String offsetOf(Map<String, Object> row) {
    return row.get("kafka_partition") + "/" + row.get("kafka_offset");
  }

  /** Offsets {@code from} to {@code to} (exclusive) of {@code partition}. */
  public static Set<String> offsets(int partition, long from, long to) {
    Set<String> out = new HashSet<>();
    for (long o = from; o < to; o++) {
      out.add(partition + "/" + o);
    }
    return out;
  }

  /**
   * Offsets 0 to the end offset (exclusive) of each partition: every record of a topic without gaps
   * (no compaction, no transaction markers).
   */
  public static Set<String> offsetsBelow(Map<Integer, Long> endOffsets) {
    Set<String> out = new HashSet<>();
    endOffsets.forEach((p, end) -> out.addAll(offsets(p, 0, end)));
    return out;
  }

  /** Each (partition, offset) of {@code expected} in exactly one row, and no row for any other. */
  public static void assertEachOffsetOnce(List<Map<String, Object>> rows, Set<String> expected) {
    Map<String, Long> counts =
        rows.stream().collect(Collectors.groupingBy(ExactlyOnce::offsetOf, Collectors.counting()));
    Set<String> duplicated =
        counts.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .map(Map.Entry::getKey)
            .collect(Collectors.toSet());
    Set<String> missing = new HashSet<>(expected);
    missing.removeAll(counts.keySet());
    Set<String> unexpected = new HashSet<>(counts.keySet());
    unexpected.removeAll(expected);
    assertThat(duplicated.size())
        .as("partition/offset pairs in more than one row, such as %s", first(duplicated))
        .isZero();
    assertThat(missing.size())
        .as("partition/offset pairs missing from the table, such as %s", first(missing))
        .isZero();
    assertThat(unexpected.size())
        .as("rows of partition/offset pairs never expected, such as %s", first(unexpected))
        .isZero();
    assertThat(rows).hasSize(expected.size());
  }

  /** Every record below each partition's end offset exactly once: see {@link #offsetsBelow}. */
  public static void assertEachOffsetOnce(
      List<Map<String, Object>> rows, Map<Integer, Long> endOffsets) {
    assertEachOffsetOnce(rows, offsetsBelow(endOffsets));
  }

  /** The (partition, offset) of each record, its original Kafka coordinates. */
  public static Set<String> offsetsOf(Collection<SinkRecord> records) {
    return records.stream()
        .map(r -> r.originalKafkaPartition() + "/" + r.originalKafkaOffset())
        .collect(Collectors.toSet());
  }

  private static String first(Set<String> keys) {
    return new TreeSet<>(keys).stream().limit(SHOWN).toList()
        + (keys.size() > SHOWN ? " and " + (keys.size() - SHOWN) + " more" : "");
  }

  /** The paths of every {@code remove} action in the table's commit files (as the log has them). */
  public static java.util.Set<String> removedPaths(java.nio.file.Path table)
      throws java.io.IOException {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    java.util.Set<String> out = new java.util.HashSet<>();
    try (java.util.stream.Stream<java.nio.file.Path> files =
        java.nio.file.Files.list(table.resolve("_delta_log"))) {
      for (java.nio.file.Path f :
          files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
        for (String line : java.nio.file.Files.readAllLines(f)) {
          com.fasterxml.jackson.databind.JsonNode remove = json.readTree(line).get("remove");
          if (remove != null) {
            out.add(remove.path("path").asText());
          }
        }
      }
    }
    return out;
  }
}
