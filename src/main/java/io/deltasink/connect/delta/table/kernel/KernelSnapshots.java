package io.deltasink.connect.delta.table.kernel;

import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.KernelEngineException;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.exceptions.UnsupportedProtocolVersionException;
import io.delta.kernel.exceptions.UnsupportedTableFeatureException;
import io.delta.kernel.internal.fs.Path;
import io.delta.kernel.internal.util.FileNames;
import io.deltasink.connect.delta.table.CommitAttempts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;

/**
 * The snapshots a {@link KernelTableLog} decides its commits on: the latest one, read by listing
 * the log, or the one Kernel built after this writer's own last commit, which needs no listing
 * (listing {@code _delta_log} is what grows with a table's age: docs/performance.md). Not
 * thread-safe; the table log calls it under its lock.
 *
 * <p>A post-commit snapshot is offered at most once, and not:
 *
 * <ul>
 *   <li>after {@link #RELIST_AFTER_COMMITS} commits on such snapshots (each adds a commit file to
 *       the snapshot's log segment, which a partition that commits rarely replays), or {@link
 *       #RELIST_AFTER_MS} (another writer's checkpoint and log cleanup may have happened);
 *   <li>within {@link #CONTENDED_MS} of a lost race: while writers commit in quick succession, one
 *       that decides on its own last commit beats one that lists, and the latter could lose every
 *       attempt, so all list;
 *   <li>when its commit file is gone (a table deleted and created again at a lower version).
 * </ul>
 */
final class KernelSnapshots {
  static final int RELIST_AFTER_COMMITS = 100;
  static final long RELIST_AFTER_MS = 10 * 60_000L;
  static final long CONTENDED_MS = 10_000L;

  private final String location;
  private final Engine engine;
  private Snapshot afterLastCommit;
  private int unlistedCommits;
  private long listedAtMs;
  private volatile long lostRaceAtMs = Long.MIN_VALUE / 2;

  KernelSnapshots(String location, Engine engine) {
    this.location = location;
    this.engine = engine;
  }

  /** A snapshot to decide an attempt on. */
  record Read(Snapshot snapshot, boolean postCommit) {}

  /** The post-commit snapshot when it may be used, else the latest ({@code null}: no table). */
  Read forAttempt() {
    Snapshot snapshot = afterLastCommit;
    afterLastCommit = null; // offered once: a failed attempt lists the log again
    long now = System.currentTimeMillis();
    if (snapshot != null
        && unlistedCommits < RELIST_AFTER_COMMITS
        && now - listedAtMs <= RELIST_AFTER_MS
        && now - lostRaceAtMs > CONTENDED_MS
        && stillInLog(snapshot)) {
      return new Read(snapshot, true);
    }
    return new Read(listed(), false);
  }

  /** The latest snapshot, listing the log; empty when the table has no version yet. */
  Optional<Snapshot> latest() {
    try {
      return Optional.of(guard(location, () -> TableManager.loadSnapshot(location).build(engine)));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    } catch (UnsupportedTableFeatureException | UnsupportedProtocolVersionException e) {
      throw new ConnectException(
          "Delta table "
              + location
              + " uses a protocol or table feature this connector cannot read, so it cannot write"
              + " the table either: "
              + CommitAttempts.oneLine(e.getMessage()),
          e);
    }
  }

  /** Lists the log now and for the next attempt's snapshot. */
  Snapshot listed() {
    afterLastCommit = null;
    Snapshot snapshot = latest().orElse(null);
    unlistedCommits = 0;
    listedAtMs = System.currentTimeMillis();
    return snapshot;
  }

  /** The attempt decided on {@code snapshot} without writing: the next may decide on it too. */
  void unchanged(Snapshot snapshot) {
    afterLastCommit = snapshot;
  }

  /** This writer committed; Kernel's post-commit snapshot (empty after a conflict). */
  void committed(Optional<Snapshot> postCommit) {
    afterLastCommit = postCommit.orElse(null);
    unlistedCommits++;
  }

  /** Another writer took the version this writer tried to write. */
  void lostRace() {
    lostRaceAtMs = System.currentTimeMillis();
  }

  /** Another read of the table happened: the next attempt lists the log. */
  void forget() {
    afterLastCommit = null;
  }

  private boolean stillInLog(Snapshot snapshot) {
    String commit =
        FileNames.deltaFile(new Path(snapshot.getLogPath().toString()), snapshot.getVersion());
    try {
      engine.getFileSystemClient().getFileStatus(commit);
      return true;
    } catch (IOException | RuntimeException e) {
      return false; // gone, or unknown: list the log
    }
  }

  /**
   * Runs a Kernel call on the table at {@code location}: storage failures become {@link
   * RetriableException}; a missing table and Kernel's refusals pass as they are.
   */
  static <T> T guard(String location, Supplier<T> call) {
    try {
      return call.get();
    } catch (KernelException e) {
      throw e;
    } catch (UncheckedIOException | KernelEngineException e) {
      throw new RetriableException(
          "Storage error on Delta table "
              + location
              + ": "
              + CommitAttempts.oneLine(e.getMessage()),
          e);
    }
  }
}
