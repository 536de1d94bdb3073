package io.deltasink.connect.delta.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds keys in this connector's namespace ({@code delta.}) that it does not read: a misspelling
 * such as {@code delta.flush.intervall.ms} would otherwise be ignored without a word. Each is
 * reported on itself with the closest key the connector knows, by Levenshtein distance (insertions,
 * deletions and substitutions of single characters). Keys of an open-ended family ({@code
 * delta.hadoop.*}, {@code delta.mappings.<name>}) are known; a misspelled family prefix is compared
 * as that family's key with the same suffix, so {@code delta.hadop.fs.x} suggests {@code
 * delta.hadoop.fs.x}.
 */
final class UnknownKeys {
  static final String NAMESPACE = "delta.";

  private UnknownKeys() {}

  /**
   * The error of every unknown key in {@code props}, keyed by that key, in the order of {@code
   * props}.
   *
   * @param keys every exact key the connector reads (they also are the suggestions)
   * @param internal exact keys the connector reads but never suggests (set by the connector itself)
   * @param families prefixes, each ending with {@code .}, under which any non-empty suffix is known
   */
  static Map<String, String> errors(
      Collection<String> props,
      Collection<String> keys,
      Collection<String> internal,
      Collection<String> families) {
    Map<String, String> errors = new LinkedHashMap<>();
    for (String key : props) {
      if (!key.startsWith(NAMESPACE)
          || keys.contains(key)
          || internal.contains(key)
          || inFamily(key, families)) {
        continue;
      }
      errors.put(
          key,
          "'"
              + key
              + "' is not a setting of this connector, so it would be ignored; did you mean '"
              + closest(key, keys, families)
              + "'?");
    }
    return errors;
  }

  private static boolean inFamily(String key, Collection<String> families) {
    return families.stream().anyMatch(f -> key.startsWith(f) && key.length() > f.length());
  }

  /** The candidate nearest to {@code key}; the first of equally near ones. */
  static String closest(String key, Collection<String> keys, Collection<String> families) {
    List<String> candidates = new ArrayList<>(keys);
    String[] segments = key.split("\\.", -1);
    for (String family : families) {
      // The family key with the same suffix: as many segments dropped as the prefix has.
      int prefixSegments = family.split("\\.").length;
      if (segments.length > prefixSegments) {
        candidates.add(
            family + String.join(".", List.of(segments).subList(prefixSegments, segments.length)));
      }
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(key, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance, in O(|a| * |b|) time and O(|b|) memory. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
