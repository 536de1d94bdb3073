package io.deltasink.connect.delta.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/** The Open-Meteo sample shipped in config/sample-data (see its README for attribution). */
public final class SampleData {
  public static final Path TEMPERATURES =
      Path.of("config/sample-data/open-meteo/temperatures-2023.jsonl.gz");

  /** The original ADX mapping command, pasted as a user would. */
  public static final String MAPPING_COMMAND =
      ".create table ['temperatures'] ingestion json mapping 'temperatures_mapping' "
          + "'[{\"column\":\"latitude\",\"path\":\"$.latitude\",\"datatype\":\"decimal\"},"
          + "{\"column\":\"longitude\",\"path\":\"$.longitude\",\"datatype\":\"decimal\"},"
          + "{\"column\":\"time\",\"path\":\"$.time\",\"datatype\":\"string\"},"
          + "{\"column\":\"temperature_2m\",\"path\":\"$.temperature_2m\",\"datatype\":\"decimal\"}]'";

  /** The raw 2019-2022 API responses, one gzipped JSON file per city and year. */
  public static final Path HOURLY_2019_2022 =
      Path.of("config/sample-data/open-meteo/hourly-2019-2022");

  private SampleData() {}

  /**
   * The 2019-2022 responses flattened into one message per hour, shaped like the 2023 messages
   * ({@code {"latitude":..,"longitude":..,"time":..,"temperature_2m":..}}, numbers as the API wrote
   * them): 210,384 lines, 35,064 per location.
   */
  public static List<String> hourly2019To2022Lines() {
    ObjectMapper json =
        new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    List<String> out = new java.util.ArrayList<>(210_384);
    try (java.util.stream.Stream<Path> files = Files.list(HOURLY_2019_2022)) {
      for (Path f : files.sorted().toList()) {
        JsonNode response;
        try (InputStreamReader r =
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(f)), StandardCharsets.UTF_8)) {
          response = json.readTree(r);
        }
        JsonNode times = response.path("hourly").path("time");
        JsonNode temps = response.path("hourly").path("temperature_2m");
        for (int i = 0; i < times.size(); i++) {
          com.fasterxml.jackson.databind.node.ObjectNode m = json.createObjectNode();
          m.set("latitude", response.get("latitude"));
          m.set("longitude", response.get("longitude"));
          m.set("time", times.get(i));
          m.set("temperature_2m", temps.get(i));
          out.add(json.writeValueAsString(m));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The 26,064 messages, one JSON object per line. */
  public static List<String> temperatureLines() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(TEMPERATURES)), StandardCharsets.UTF_8))) {
      return r.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Checks a table written from the whole sample with the original mapping, as a user would: 26,064
   * rows, 4,344 per (latitude, longitude), the 96 messages without a temperature as nulls, and the
   * sum of {@code temperature_2m} equal to the exact decimal sum of the file's text.
   */
  public static void assertTemperatureRows(String where, List<Map<String, Object>> rows) {
    BigDecimal expectedSum = BigDecimal.ZERO;
    int missing = 0;
    ObjectMapper json =
        new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    try {
      for (String l : temperatureLines()) {
        JsonNode n = json.readTree(l);
        if (n.hasNonNull("temperature_2m")) {
          expectedSum = expectedSum.add(n.get("temperature_2m").decimalValue());
        } else {
          missing++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(rows).hasSize(26_064);
    Map<String, Integer> perCity = new TreeMap<>();
    BigDecimal sum = BigDecimal.ZERO;
    int nulls = 0;
    for (Map<String, Object> r : rows) {
      perCity.merge(
          ((BigDecimal) r.get("latitude")).stripTrailingZeros()
              + ","
              + ((BigDecimal) r.get("longitude")).stripTrailingZeros(),
          1,
          Integer::sum);
      if (r.get("temperature_2m") == null) {
        nulls++;
        continue;
      }
      sum = sum.add((BigDecimal) r.get("temperature_2m"));
    }
    assertThat(nulls).isEqualTo(missing).isEqualTo(96);
    assertThat(perCity).hasSize(6).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(4_344));
    assertThat(perCity).containsKey("13,77.600006");
    assertThat(sum).isEqualByComparingTo(expectedSum);
    System.out.printf(
        "[measure] %s: %d rows, 6 x 4344, %d null temperatures, sum(temperature_2m) = %s (exact)%n",
        where, rows.size(), nulls, sum.stripTrailingZeros().toPlainString());
  }
}
