package io.deltasink.connect.delta.testing;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.internal.types.DataTypeJsonSerDe;
import io.delta.kernel.transaction.CreateTableTransactionBuilder;
import io.delta.kernel.transaction.DataLayoutSpec;
import io.delta.kernel.utils.CloseableIterable;
import io.deltasink.connect.delta.config.HadoopConf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Delta tables with table features, made the way other engines make them: through Delta Kernel's
 * create and update transactions where Kernel can, and as a hand-written first commit (protocol and
 * {@code metaData} actions per PROTOCOL.md) for what Kernel cannot create (constraints, invariants,
 * generated and identity columns, features Kernel does not know).
 */
public final class FeatureTables {
  private FeatureTables() {}

  private static Engine engine() {
    return DefaultEngine.create(HadoopConf.build(Map.of()));
  }

  /**
   * Creates an empty table through Kernel.
   *
   * @param schemaJson the Delta schema JSON
   * @param clusterBy clustering columns (liquid clustering), empty for none
   */
  public static void create(
      String location, String schemaJson, Map<String, String> properties, List<String> clusterBy) {
    create(location, schemaJson, properties, clusterBy, List.of());
  }

  /** {@link #create} partitioned by {@code partitionBy}. */
  public static void create(
      String location,
      String schemaJson,
      Map<String, String> properties,
      List<String> clusterBy,
      List<String> partitionBy) {
    Engine engine = engine();
    CreateTableTransactionBuilder b =
        TableManager.buildCreateTableTransaction(
                location, DataTypeJsonSerDe.deserializeStructType(schemaJson), "test/1")
            .withTableProperties(properties);
    if (!partitionBy.isEmpty()) {
      b =
          b.withDataLayoutSpec(
              DataLayoutSpec.partitioned(partitionBy.stream().map(Column::new).toList()));
    }
    if (!clusterBy.isEmpty()) {
      b =
          b.withDataLayoutSpec(
              DataLayoutSpec.clustered(clusterBy.stream().map(Column::new).toList()));
    }
    b.build(engine).commit(engine, CloseableIterable.emptyIterable());
  }

  /** Adds table properties through a Kernel update transaction (for example to upgrade it). */
  public static void setProperties(String location, Map<String, String> properties) {
    Engine engine = engine();
    Snapshot s = TableManager.loadSnapshot(location).build(engine);
    s.buildUpdateTableTransaction("test/1", Operation.MANUAL_UPDATE)
        .withTablePropertiesAdded(properties)
        .build(engine)
        .commit(engine, CloseableIterable.emptyIterable());
  }

  /**
   * The protocol's reader and writer versions and the features it supports, those a legacy protocol
   * implies included ({@code (1,2) [appendOnly, invariants]}), as one comparable text.
   */
  public static String protocol(String location) {
    var p = TableManager.loadSnapshot(location).build(engine()).getProtocol();
    Set<String> features = new TreeSet<>();
    p.getImplicitlyAndExplicitlySupportedFeatures().forEach(f -> features.add(f.featureName()));
    return "(" + p.getMinReaderVersion() + "," + p.getMinWriterVersion() + ") " + features;
  }

  /**
   * Writes version 0 of a table by hand: a {@code protocol} and a {@code metaData} action.
   *
   * @param protocolJson the protocol action's object, for example {@code
   *     {"minReaderVersion":1,"minWriterVersion":3}}
   * @param schemaJson the Delta schema JSON, field metadata included
   * @param configurationJson the {@code metaData.configuration} object
   */
  public static void writeVersionZero(
      Path table, String protocolJson, String schemaJson, String configurationJson)
      throws IOException {
    Path log = Files.createDirectories(table.resolve("_delta_log"));
    String metaData =
        "{\"metaData\":{\"id\":\"fixture\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"
            + "\"schemaString\":"
            + com.fasterxml.jackson.databind.node.TextNode.valueOf(schemaJson)
            + ",\"partitionColumns\":[],\"configuration\":"
            + configurationJson
            + ",\"createdTime\":1}}";
    Files.writeString(
        log.resolve("00000000000000000000.json"),
        "{\"protocol\":" + protocolJson + "}\n" + metaData + "\n",
        StandardCharsets.UTF_8);
  }
}
