package io.deltasink.connect.delta.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The Open-Meteo sample shipped in config/sample-data (see its README for attribution). */
public final class SampleData {
  public static final Path TEMPERATURES = Path.of("config/sample-data/open-meteo/temperatures-2023.jsonl.gz");
  /** The original ADX mapping command, pasted as a user would. */
  public static final String MAPPING_COMMAND = ".create table ['temperatures'] ingestion json mapping 'temperatures_mapping' "
      + "'[{\"column\":\"latitude\",\"path\":\"$.latitude\",\"datatype\":\"decimal\"},"
      + "{\"column\":\"longitude\",\"path\":\"$.longitude\",\"datatype\":\"decimal\"},"
      + "{\"column\":\"time\",\"path\":\"$.time\",\"datatype\":\"string\"},"
      + "{\"column\":\"temperature_2m\",\"path\":\"$.temperature_2m\",\"datatype\":\"decimal\"}]'";

  private SampleData() {}

  /** The 26,064 messages, one JSON object per line. */
  public static List<String> temperatureLines() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(TEMPERATURES)), StandardCharsets.UTF_8))) {
      return r.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
