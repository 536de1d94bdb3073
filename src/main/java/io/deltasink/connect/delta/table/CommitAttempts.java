package io.deltasink.connect.delta.table;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.utils.ExponentialBackoff;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Delta backends share about the bounded attempts of a commit: the wait between them, and
 * learning from the log what became of a commit whose attempts failed (the outcome of a commit is
 * unknown until the log says otherwise).
 */
public final class CommitAttempts {
  private static final Logger LOG = LoggerFactory.getLogger(CommitAttempts.class);
  private static final long MAX_BACKOFF_MS = 10_000L;

  /** Spreads the retries of tasks that conflicted with each other (a fraction of each wait). */
  private static final double BACKOFF_JITTER = 0.2;

  private CommitAttempts() {}

  /**
   * The wait before attempt {@code n} (from 1) is {@code backoffMs * 2^(n-1)} ms, capped at 10 s,
   * with 20% jitter (Kafka's {@link ExponentialBackoff}).
   */
  public static ExponentialBackoff backoff(long backoffMs) {
    return new ExponentialBackoff(
        backoffMs, 2, Math.max(backoffMs, MAX_BACKOFF_MS), BACKOFF_JITTER);
  }

  /**
   * Sleeps before attempt {@code attempt} (from 1).
   *
   * @throws RetriableException when interrupted
   */
  public static void sleep(
      Sleeper sleeper, ExponentialBackoff backoff, int attempt, String location) {
    try {
      sleeper.sleep(backoff.backoff(attempt - 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableException(
          "interrupted while waiting to retry a Delta commit to " + location, e);
    }
  }

  /** What a failed attempt means for the next one. */
  public enum Failure {
    /** Another writer took the version (or the attempt lost a race): decide again. */
    CONFLICT,
    /** Another task created the table at the same moment: append to it. */
    CREATED_BY_ANOTHER,
    /** Storage failed; the attempt may have landed. */
    STORAGE,
    /** Delta refused the commit: retrying cannot help, unless it landed before failing. */
    REJECTED,
    /** Anything else: the outcome is unknown, the next attempt reads the log. */
    UNKNOWN
  }

  /** One commit attempt of a backend. */
  @FunctionalInterface
  public interface Attempt {
    CommitOutcome run();
  }

  /** Sorts a failed attempt's exception; throws it (or another) when it must end the commit. */
  @FunctionalInterface
  public interface Classifier {
    Failure classify(RuntimeException e);
  }

  /**
   * Runs up to {@code maxAttempts} attempts of a commit, waiting before each after the first; when
   * none succeeded, the log decides what landed ({@link #resolve}).
   *
   * @param versions reads the {@code txn} versions of app ids from the latest table version
   * @throws org.apache.kafka.connect.errors.ConnectException when Delta rejected the commit and
   *     none of it landed, or when {@code classify} says so
   * @throws CommitNotLandedException when no attempt landed
   * @throws CommitOutcomeUnknownException when the log cannot be read to learn the outcome
   */
  public static CommitOutcome run(
      String location,
      int maxAttempts,
      ExponentialBackoff backoff,
      Sleeper sleeper,
      List<PartitionCommit> partitions,
      Function<Collection<String>, Map<String, Long>> versions,
      Attempt attempt,
      Classifier classify) {
    RuntimeException last = null;
    for (int n = 0; n < maxAttempts; n++) {
      if (n > 0) {
        sleep(sleeper, backoff, n, location);
      }
      try {
        return attempt.run();
      } catch (RuntimeException e) {
        last = e;
        switch (classify.classify(e)) {
          case CREATED_BY_ANOTHER ->
              LOG.debug(
                  "Delta table {} was created by another writer at the same moment; appending to it",
                  location);
          case CONFLICT ->
              LOG.info(
                  "Delta commit to {} conflicted with a concurrent writer (attempt {} of {}),"
                      + " deciding again on the latest version: {}",
                  location,
                  n + 1,
                  maxAttempts,
                  oneLine(e.getCause() != null ? e.getCause().toString() : e.getMessage()));
          case STORAGE ->
              LOG.warn(
                  "Delta commit to {} hit a storage error (attempt {} of {}): {}",
                  location,
                  n + 1,
                  maxAttempts,
                  e.getMessage());
          case REJECTED -> {
            CommitOutcome landed = resolve(location, partitions, versions, e);
            if (landed != null) {
              return landed;
            }
            throw new org.apache.kafka.connect.errors.ConnectException(
                "Delta rejected the commit to " + location + ": " + oneLine(e.getMessage()), e);
          }
          case UNKNOWN ->
              LOG.warn(
                  "Delta commit to {} failed with an unknown outcome (attempt {} of {}); re-reading"
                      + " the log",
                  location,
                  n + 1,
                  maxAttempts,
                  e);
        }
      }
    }
    // The last attempt may have landed before failing: only the log can say.
    CommitOutcome landed = resolve(location, partitions, versions, last);
    if (landed != null) {
      return landed;
    }
    throw notLanded(location, maxAttempts, last);
  }

  /** A library's message on one line, as a Connect error and a REST reply read best. */
  public static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  /**
   * Reads the partitions' {@code txn} versions after a failed attempt: at {@code newVersion} the
   * attempt landed, at {@code expectedVersion} it did not, anything else means another owner moved
   * the partition (fenced).
   *
   * @param versions reads the {@code txn} version of each app id from the latest table version (-1
   *     for none)
   * @return the outcome, or null when nothing of the commit landed and nothing is fenced
   * @throws CommitOutcomeUnknownException when the log cannot be read
   */
  public static CommitOutcome resolve(
      String location,
      List<PartitionCommit> partitions,
      Function<Collection<String>, Map<String, Long>> versions,
      Exception failure) {
    Map<String, Long> found;
    try {
      found = versions.apply(partitions.stream().map(PartitionCommit::appId).toList());
    } catch (RuntimeException e) {
      if (failure != null) {
        e.addSuppressed(failure);
      }
      throw new CommitOutcomeUnknownException(
          "A Delta commit to "
              + location
              + " was attempted and the log cannot be "
              + "read to learn whether it landed ("
              + e.getMessage()
              + "); its files are kept and the next commit decides "
              + "from the log",
          e);
    }
    Set<String> committed = new HashSet<>();
    Map<String, Long> fenced = new HashMap<>();
    for (PartitionCommit pc : partitions) {
      long version = found.get(pc.appId());
      switch (pc.standing(version)) {
        case LANDED -> committed.add(pc.appId());
        case FENCED -> fenced.put(pc.appId(), version);
        case EXPECTED -> {}
      }
    }
    if (committed.isEmpty() && fenced.isEmpty()) {
      return null;
    }
    LOG.info(
        "The log of {} shows the outcome of the failed commit attempt: {} partitions committed, {} fenced",
        location,
        committed.size(),
        fenced.size());
    return new CommitOutcome(-1, committed, fenced);
  }

  /**
   * The error after the bounded attempts, when the log shows none of them landed.
   *
   * @param last the last attempt's failure
   */
  public static CommitNotLandedException notLanded(String location, int attempts, Exception last) {
    return new CommitNotLandedException(
        "Delta commit to "
            + location
            + " did not succeed after "
            + attempts
            + " attempts and the log shows none of it; the sink will retry from the last committed offsets",
        last);
  }
}
