package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.table.CommitNotLandedException;
import io.deltasink.connect.delta.table.CommitOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;

/**
 * Turns a flush's prepared table commits into Delta commits and their outcomes. With several tables
 * to commit, their Delta commits (the log reads and writes, the slow part on remote storage) run at
 * once on the task's commit threads, at most {@value #MAX_THREADS}; each outcome is recorded on the
 * calling (task) thread. A commit that threw is of unknown outcome, unless the log showed it did
 * not land ({@link CommitNotLandedException}): its files are then kept for the log to decide.
 */
final class Committer implements AutoCloseable {
  /** Delta commits of different tables that run at once, per task. */
  static final int MAX_THREADS = 8;

  private final String threadPrefix;
  private ExecutorService pool;

  /**
   * @param threadPrefix the commit threads' name, a number follows
   */
  Committer(String threadPrefix) {
    this.threadPrefix = threadPrefix;
  }

  /**
   * Commits each table and records its outcome. Every table's outcome is recorded before anything
   * is thrown: then an {@link Error} first, a fatal exception next, a {@link RetriableException}
   * last.
   */
  void commit(List<TableCommit> commits) {
    Map<TableCommit, Future<CommitOutcome>> running = new HashMap<>();
    if (commits.stream().filter(TableCommit::needsDeltaCommit).count() > 1) {
      for (TableCommit c : commits) {
        if (c.needsDeltaCommit()) {
          running.put(c, pool().submit(c::commitToDelta));
        }
      }
    }
    Throwable worst = null;
    for (TableCommit c : commits) {
      try {
        CommitOutcome outcome;
        try {
          Future<CommitOutcome> f = running.get(c);
          outcome = f != null ? await(f, c) : c.needsDeltaCommit() ? c.commitToDelta() : null;
        } catch (RuntimeException | Error e) {
          if (!(e instanceof CommitNotLandedException)) {
            c.outcomeUnknown();
          }
          throw e;
        }
        c.apply(outcome);
      } catch (RuntimeException | Error e) {
        if (worst == null || severity(e) > severity(worst)) {
          worst = e;
        }
      }
    }
    if (worst instanceof Error e) {
      throw e;
    }
    if (worst != null) {
      throw (RuntimeException) worst;
    }
  }

  private static int severity(Throwable t) {
    return t instanceof Error ? 2 : t instanceof RetriableException ? 0 : 1;
  }

  /**
   * Waits for a commit running on a commit thread. An interrupt does not end the wait: a commit
   * left running could land after this task gave up its files, so the wait ends with the commit
   * (bounded by {@code delta.commit.max.attempts}) and the interrupt is restored afterwards.
   */
  private static CommitOutcome await(Future<CommitOutcome> f, TableCommit c) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new ConnectException(
          "Delta commit of " + c.location() + " failed: " + e.getCause(), e.getCause());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The commit threads: made on first use, in the task's class loader, gone after 60 s idle. */
  private ExecutorService pool() {
    if (pool == null) {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor p =
          new ThreadPoolExecutor(
              MAX_THREADS,
              MAX_THREADS,
              60,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              r -> {
                Thread t = new Thread(r, threadPrefix + n.incrementAndGet());
                t.setDaemon(true);
                t.setContextClassLoader(loader);
                return t;
              });
      p.allowCoreThreadTimeOut(true);
      pool = p;
    }
    return pool;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
