package io.deltasink.connect.delta.table.backend;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.NewerProtocolException;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.table.TableState;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One table written through the backend its protocol needs (docs/delta-backends.md): Delta
 * Standalone for tables of protocol reader 1 / writer 2 and, unless the configured table properties
 * need a newer protocol, for the tables the sink creates (older readers such as Synapse Spark 3.1
 * read only those); Delta Kernel for every other table. The choice is made from a look at the log
 * when the table is first used, and again when Standalone finds the table upgraded by another
 * engine ({@link NewerProtocolException}, thrown before Standalone wrote anything, or a log it
 * cannot load while the look finds a newer protocol): the call is then repeated through Kernel,
 * which decides from the log's {@code txn} versions what is still to commit, so the switch neither
 * loses nor repeats a commit. Kernel then stays the table's backend.
 */
public final class ProtocolAwareTableLog implements TableLog {
  private static final Logger LOG = LoggerFactory.getLogger(ProtocolAwareTableLog.class);

  /** What a look at the table's log found. */
  public enum Found {
    NO_TABLE,
    /** Protocol reader 1 / writer 2 at most: Delta Standalone writes it. */
    PROTOCOL_ONE_TWO,
    NEWER_PROTOCOL
  }

  private final String location;
  private final Supplier<TableLog> standalone;
  private final Supplier<TableLog> kernel;
  private final Supplier<Found> probe;
  private final boolean createNewer;
  private TableLog current;
  private boolean onKernel;

  /**
   * @param standalone opens the table through Delta Standalone
   * @param kernel opens the table through Delta Kernel
   * @param probe reads the table's protocol (through Kernel, which reads every protocol);
   *     RetriableException when storage fails
   * @param createNewer whether a table the sink creates needs a protocol above (1,2): the table
   *     properties enable a newer feature, so Kernel creates it
   */
  public ProtocolAwareTableLog(
      String location,
      Supplier<TableLog> standalone,
      Supplier<TableLog> kernel,
      Supplier<Found> probe,
      boolean createNewer) {
    this.location = location;
    this.standalone = standalone;
    this.kernel = kernel;
    this.probe = probe;
    this.createNewer = createNewer;
  }

  /** Whether the table is written through Delta Kernel now (for tests and metrics). */
  public synchronized boolean onKernel() {
    return onKernel;
  }

  /**
   * The backend, chosen at the first call from a look at the log; a storage error leaves the choice
   * to the next call.
   */
  private synchronized TableLog current() {
    if (current == null) {
      Found found = probe.get();
      if (found == Found.NEWER_PROTOCOL) {
        return switchToKernel("the table's protocol is above reader 1 / writer 2");
      }
      if (found == Found.NO_TABLE && createNewer) {
        return switchToKernel("the table properties need a newer protocol than (1,2)");
      }
      try {
        current = standalone.get();
      } catch (NewerProtocolException e) {
        return switchToKernel(e.getMessage()); // upgraded since the look
      }
    }
    return current;
  }

  private synchronized TableLog switchToKernel(String why) {
    if (!onKernel) {
      LOG.info("Delta table {} is written through Delta Kernel from now on: {}", location, why);
      TableLog old = current;
      current = kernel.get();
      onKernel = true;
      if (old != null) {
        old.close();
      }
    }
    return current;
  }

  /**
   * Whether Standalone's failure comes from a protocol it cannot read: an upgrade it saw ({@link
   * NewerProtocolException}), or a log it cannot load, such as a V2 checkpoint another engine wrote
   * after enabling {@code v2Checkpoint}, which the log look tells apart from a storage error.
   */
  private boolean standaloneOutgrown(TableLog log, RuntimeException e) {
    if (e instanceof NewerProtocolException) {
      return true;
    }
    if (!(e instanceof RetriableException) || log != currentIfChosen() || onKernel()) {
      return false;
    }
    try {
      return probe.get() == Found.NEWER_PROTOCOL;
    } catch (RuntimeException probeFailed) {
      e.addSuppressed(probeFailed);
      return false;
    }
  }

  private synchronized TableLog currentIfChosen() {
    return current;
  }

  private <T> T call(Function<TableLog, T> f) {
    TableLog log = current();
    try {
      return f.apply(log);
    } catch (RuntimeException e) {
      if (onKernel() && log != current()) {
        return f.apply(current()); // another thread switched meanwhile
      }
      if (log == current() && !onKernel() && standaloneOutgrown(log, e)) {
        return f.apply(switchToKernel(e.getMessage()));
      }
      throw e;
    }
  }

  @Override
  public String location() {
    return location;
  }

  @Override
  public Optional<TableState> state() {
    return call(TableLog::state);
  }

  @Override
  public long committedVersion(String appId) {
    return call(l -> l.committedVersion(appId));
  }

  @Override
  public Map<String, Long> committedVersions(Collection<String> appIds) {
    return call(l -> l.committedVersions(appIds));
  }

  @Override
  public CommitOutcome commit(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      io.deltasink.connect.delta.schema.EvolutionMode evolution) {
    return call(l -> l.commit(schema, partitionColumns, partitions, evolution));
  }

  @Override
  public CommitOutcome merge(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      io.deltasink.connect.delta.schema.EvolutionMode evolution,
      io.deltasink.connect.delta.table.Upsert upsert) {
    return call(l -> l.merge(schema, partitionColumns, partitions, evolution, upsert));
  }

  @Override
  public List<WrittenFile> smallFiles() {
    return call(TableLog::smallFiles);
  }

  @Override
  public long rewrite(List<WrittenFile> removed, WrittenFile added) {
    return call(l -> l.rewrite(removed, added));
  }

  @Override
  public Set<String> referenced(Set<String> paths) {
    return call(l -> l.referenced(paths));
  }

  @Override
  public synchronized void close() {
    if (current != null) {
      current.close();
    }
  }
}
