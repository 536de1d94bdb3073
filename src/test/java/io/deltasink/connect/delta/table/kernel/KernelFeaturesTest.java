package io.deltasink.connect.delta.table.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.testing.FeatureTables;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which existing tables the connector refuses, and the message a user gets: the feature by name and
 * what to do, on one line (the refusal {@code validate()} shows and the task fails with).
 */
class KernelFeaturesTest {
  private static final String PLAIN_SCHEMA =
      "{\"type\":\"struct\",\"fields\":[{\"name\":\"seq\",\"type\":\"long\",\"nullable\":true,"
          + "\"metadata\":{}}]}";

  @TempDir Path dir;

  private Optional<String> refusal(Path table) {
    return KernelFeatures.refusal(table.toUri().toString(), HadoopConf.build(Map.of()));
  }

  private static String schemaWithFieldMetadata(String metadata) {
    return "{\"type\":\"struct\",\"fields\":[{\"name\":\"seq\",\"type\":\"long\",\"nullable\":true,"
        + "\"metadata\":"
        + metadata
        + "}]}";
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "checkConstraints",
            "{\"minReaderVersion\":1,\"minWriterVersion\":3}",
            PLAIN_SCHEMA,
            "{\"delta.constraints.positive\":\"seq > 0\"}",
            "drop them (ALTER TABLE ... DROP CONSTRAINT)"),
        Arguments.of(
            "invariants",
            "{\"minReaderVersion\":1,\"minWriterVersion\":7,\"writerFeatures\":[\"invariants\"]}",
            schemaWithFieldMetadata(
                "{\"delta.invariants\":\"{\\\"expression\\\":{\\\"expression\\\":\\\"seq > 0\\\"}}\"}"),
            "{}",
            "column invariants"),
        Arguments.of(
            "generatedColumns",
            "{\"minReaderVersion\":1,\"minWriterVersion\":4}",
            schemaWithFieldMetadata("{\"delta.generationExpression\":\"1\"}"),
            "{}",
            "generated columns"),
        Arguments.of(
            "identityColumns",
            "{\"minReaderVersion\":1,\"minWriterVersion\":6}",
            schemaWithFieldMetadata(
                "{\"delta.identity.start\":1,\"delta.identity.step\":1,"
                    + "\"delta.identity.allowExplicitInsert\":false}"),
            "{}",
            "identity columns"),
        Arguments.of(
            "variantType",
            "{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"variantType\"],"
                + "\"writerFeatures\":[\"variantType\"]}",
            PLAIN_SCHEMA,
            "{}",
            "does not write tables with it yet"),
        Arguments.of(
            "icebergCompatV2",
            "{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"columnMapping\"],"
                + "\"writerFeatures\":[\"columnMapping\",\"icebergCompatV2\"]}",
            PLAIN_SCHEMA,
            "{}",
            "does not write tables with it yet"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void aFeatureThisConnectorCannotWriteIsRefusedByName(
      String feature, String protocol, String schema, String configuration, String advice)
      throws Exception {
    FeatureTables.writeVersionZero(dir, protocol, schema, configuration);
    assertThat(refusal(dir))
        .get()
        .asString()
        .startsWith("Delta table " + dir.toUri() + " uses the table feature '" + feature + "'")
        .contains(advice)
        .doesNotContain("\n");
  }

  @Test
  void aFeatureUnknownEvenToKernelIsRefusedWithKernelsReason() throws Exception {
    FeatureTables.writeVersionZero(
        dir,
        "{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"fancyFuture\"],"
            + "\"writerFeatures\":[\"fancyFuture\"]}",
        PLAIN_SCHEMA,
        "{}");
    assertThat(refusal(dir))
        .get()
        .asString()
        .contains("fancyFuture")
        .startsWith("Delta table " + dir.toUri())
        .doesNotContain("\n");
  }

  @Test
  void tablesBothBackendsWriteAreNotRefused() throws Exception {
    assertThat(refusal(dir.resolve("missing"))).isEmpty();
    FeatureTables.writeVersionZero(
        dir.resolve("legacy"),
        "{\"minReaderVersion\":1,\"minWriterVersion\":2}",
        PLAIN_SCHEMA,
        "{}");
    assertThat(refusal(dir.resolve("legacy"))).isEmpty();
    String modern = dir.resolve("modern").toUri().toString();
    FeatureTables.create(
        modern,
        PLAIN_SCHEMA,
        Map.of(
            "delta.enableDeletionVectors", "true",
            "delta.enableRowTracking", "true",
            "delta.enableInCommitTimestamps", "true",
            "delta.checkpointPolicy", "v2",
            "delta.enableChangeDataFeed", "true",
            "delta.appendOnly", "true"),
        List.of());
    assertThat(refusal(dir.resolve("modern"))).isEmpty();
    String mapped = dir.resolve("mapped").toUri().toString();
    FeatureTables.create(mapped, PLAIN_SCHEMA, Map.of("delta.columnMapping.mode", "id"), List.of());
    assertThat(refusal(dir.resolve("mapped"))).isEmpty();
  }
}
