package io.deltasink.connect.delta.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Validators shared by the config definitions. */
final class ConfigValidators {
  private ConfigValidators() {}

  /** A LIST whose every element is one of {@code allowed} (case-insensitive). */
  static ConfigDef.Validator subsetOf(String... allowed) {
    List<String> ok = Arrays.asList(allowed);
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (value == null) {
          return;
        }
        for (Object o : (List<?>) value) {
          String s = o.toString().trim().toLowerCase(Locale.ROOT);
          if (!s.isEmpty() && !ok.contains(s)) {
            throw new ConfigException(name, value, "'" + o + "' is not one of " + ok);
          }
        }
      }

      @Override
      public String toString() {
        return "any of " + ok;
      }
    };
  }

  /** A STRING equal, ignoring case, to one of {@code allowed}; messages list them in this order. */
  static ConfigDef.Validator oneOf(String... allowed) {
    List<String> ok = Arrays.asList(allowed);
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        if (value == null || !ok.contains(value.toString().trim().toLowerCase(Locale.ROOT))) {
          throw new ConfigException(name, value, "must be one of " + ok + " (case-insensitive)");
        }
      }

      @Override
      public String toString() {
        return "one of " + ok;
      }
    };
  }

  /** Splits a comma-separated list as ConfigDef does, dropping blanks. */
  static List<String> splitList(String value) {
    List<String> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    for (String s : value.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }
}
