package io.deltasink.connect.delta.table.kernel;

import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.UnsupportedTableFeatureException;
import io.delta.kernel.internal.actions.Metadata;
import io.delta.kernel.internal.actions.Protocol;
import io.delta.kernel.internal.tablefeatures.TableFeature;
import io.delta.kernel.internal.tablefeatures.TableFeatures;
import io.deltasink.connect.delta.table.TableProperties;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which tables the Kernel backend appends to: the protocol's table features (PROTOCOL.md, "Table
 * Features") that Delta Kernel writes and this sink has been built and tested for. Everything else
 * is refused with a message that names the feature and what the user can do.
 */
public final class KernelFeatures {

  /** See {@link TableProperties#WRITABLE_FEATURES}. */
  static final Set<String> WRITABLE = TableProperties.WRITABLE_FEATURES;

  /** What a user can do about a feature in use that cannot be written, by feature. */
  private static final Map<String, String> ADVICE =
      Map.of(
          "invariants",
          "the table has column invariants (SQL expressions) that this connector cannot evaluate;"
              + " remove them, or write to another table",
          "checkConstraints",
          "the table has CHECK constraints (SQL expressions) that this connector cannot evaluate;"
              + " drop them (ALTER TABLE ... DROP CONSTRAINT), or write to another table",
          "generatedColumns",
          "the table has generated columns, whose values the writer must compute; write to a table"
              + " without them",
          "identityColumns",
          "the table has identity columns, whose values the writer must assign; write to a table"
              + " without them");

  private KernelFeatures() {}

  /**
   * Why this sink cannot append to a table with this protocol and metadata, or empty when it can.
   */
  static Optional<String> refusal(String location, Protocol protocol, Metadata metadata) {
    Set<String> named = new TreeSet<>();
    protocol.getImplicitlyAndExplicitlySupportedFeatures().stream()
        .map(TableFeature::featureName)
        .forEach(named::add);
    named.addAll(protocol.getReaderAndWriterFeatures());
    for (String feature : named) {
      if (!WRITABLE.contains(feature)) {
        return Optional.of(
            message(
                location,
                feature,
                "this connector does not write tables with it yet; write to a table without it"));
      }
    }
    try {
      TableFeatures.validateKernelCanWriteToTable(protocol, metadata, location);
    } catch (UnsupportedTableFeatureException e) {
      String feature = new TreeSet<>(e.getUnsupportedFeatures()).first();
      return Optional.of(
          message(
              location,
              feature,
              ADVICE.getOrDefault(
                  feature, "Delta Kernel does not write it; write to a table without it")));
    } catch (KernelException e) {
      return Optional.of(
          "Delta table "
              + location
              + " cannot be written by this connector (protocol reader "
              + protocol.getMinReaderVersion()
              + ", writer "
              + protocol.getMinWriterVersion()
              + "): "
              + oneLine(e.getMessage()));
    }
    return Optional.empty();
  }

  private static String message(String location, String feature, String advice) {
    return "Delta table "
        + location
        + " uses the table feature '"
        + feature
        + "', which this connector cannot write: "
        + advice
        + ".";
  }

  /** Kernel's messages may span lines; a Connect error and a REST reply read better on one. */
  static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
