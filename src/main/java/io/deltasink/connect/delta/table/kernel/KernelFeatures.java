package io.deltasink.connect.delta.table.kernel;

import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.exceptions.UnsupportedProtocolVersionException;
import io.delta.kernel.exceptions.UnsupportedTableFeatureException;
import io.delta.kernel.internal.actions.Metadata;
import io.delta.kernel.internal.actions.Protocol;
import io.delta.kernel.internal.tablefeatures.TableFeature;
import io.delta.kernel.internal.tablefeatures.TableFeatures;
import io.deltasink.connect.delta.table.CommitAttempts;
import io.deltasink.connect.delta.table.TableProperties;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;

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
              + CommitAttempts.oneLine(e.getMessage()));
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

  /**
   * The table's protocol as {@code {minReaderVersion, minWriterVersion}} ({@code {3, 7}} for a
   * table whose features Kernel cannot even read), or null when no table is there.
   *
   * @throws org.apache.kafka.connect.errors.RetriableException when storage fails
   */
  public static int[] protocolVersions(String location, Configuration conf) {
    Engine engine = DefaultEngine.create(conf);
    try {
      Protocol p =
          KernelSnapshots.guard(location, () -> TableManager.loadSnapshot(location).build(engine))
              .getProtocol();
      return new int[] {p.getMinReaderVersion(), p.getMinWriterVersion()};
    } catch (TableNotFoundException e) {
      return null;
    } catch (UnsupportedTableFeatureException | UnsupportedProtocolVersionException e) {
      return new int[] {3, 7};
    }
  }

  /**
   * Why this connector cannot append to the existing table at {@code location}, or empty when it
   * can (through either backend) or no table is there yet.
   *
   * @throws RuntimeException when storage fails
   */
  public static Optional<String> refusal(String location, Configuration conf) {
    Engine engine = DefaultEngine.create(conf);
    Snapshot snapshot;
    try {
      snapshot = TableManager.loadSnapshot(location).build(engine);
    } catch (TableNotFoundException e) {
      return Optional.empty();
    } catch (UnsupportedTableFeatureException | UnsupportedProtocolVersionException e) {
      return Optional.of(
          "Delta table "
              + location
              + " uses a protocol or table feature this connector cannot read, so it cannot"
              + " write the table either: "
              + CommitAttempts.oneLine(e.getMessage()));
    }
    Protocol protocol = snapshot.getProtocol();
    if (protocol.getMinReaderVersion() <= 1 && protocol.getMinWriterVersion() <= 2) {
      return Optional.empty(); // Delta Standalone writes it
    }
    return KernelFeatures.refusal(location, protocol, snapshot.getMetadata());
  }
}
