package io.deltasink.connect.delta.table;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Concurrent Delta writers on ADLS Gen2 are safe only when the storage account has a hierarchical
 * namespace: Delta's {@code AzureLogStore} publishes each commit by a rename that must fail when
 * the target exists, which only such accounts do atomically (Delta PROTOCOL.md, "Delta Log
 * Entries": a commit file must be created mutually exclusively). The ABFS driver answers the path
 * capability {@code fs.capability.paths.acls} with whether the account has one (hadoop-azure,
 * {@code AzureBlobFileSystem.hasPathCapability}); that costs one request at start-up.
 */
public final class AzureNamespace {
  public static final String ACLS_CAPABILITY = "fs.capability.paths.acls";

  private AzureNamespace() {}

  /**
   * A warning when {@code location} is an {@code abfs://}/{@code abfss://} table on an account
   * without hierarchical namespace; empty for other schemes, for accounts with one, and when the
   * account cannot be asked (the first commit then reports the storage error).
   */
  public static Optional<String> warning(Configuration conf, String location) {
    URI uri;
    try {
      uri = new URI(location);
    } catch (java.net.URISyntaxException e) {
      return Optional.empty(); // reported by the location checks of the config
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("abfs") && !scheme.equals("abfss")) {
      return Optional.empty();
    }
    try {
      Path root = new Path(uri);
      FileSystem fs = root.getFileSystem(conf);
      if (fs.hasPathCapability(root, ACLS_CAPABILITY)) {
        return Optional.empty();
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.of(
        "Storage account "
            + uri.getHost()
            + " of Delta table "
            + location
            + " has no hierarchical "
            + "namespace: its rename is not atomic, so two writers committing the same Delta version at the same moment "
            + "can overwrite each other's commit. Use an ADLS Gen2 account with hierarchical namespace enabled, or make "
            + "this connector the table's only writer with tasks.max=1.");
  }
}
