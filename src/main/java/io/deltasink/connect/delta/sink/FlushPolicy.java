package io.deltasink.connect.delta.sink;

/**
 * When a task commits, as a function of numbers alone: the records and bytes it holds uncommitted,
 * the time since the first of them arrived, and whether Connect's last poll brought nothing. The
 * first limit reached wins. No I/O: the caller passes the clock's time (ms).
 *
 * <ul>
 *   <li>{@code delta.flush.records} records or {@code delta.flush.bytes} bytes held;
 *   <li>{@code delta.flush.interval.ms} since the first uncommitted record;
 *   <li>{@code delta.flush.idle.ms} (when above 0): a poll came back empty while anything is held.
 *       The task asks Connect to poll for at most that long ({@link #nextCallInMs}), so an empty
 *       poll means the task has read everything there is.
 * </ul>
 */
final class FlushPolicy {
  private final long maxRecords;
  private final long maxBytes;
  private final long intervalMs;
  private final long idleMs;

  /** When the first record not yet committed arrived (ms), -1 when the task holds none. */
  private long firstBufferedMs = -1;

  /**
   * @param maxRecords records held that make a commit due
   * @param maxBytes bytes held (Parquet, estimated) that make a commit due
   * @param intervalMs longest time a record waits for its commit (ms)
   * @param idleMs commit once a poll of at most this long (ms) comes back empty; 0 turns it off
   */
  FlushPolicy(long maxRecords, long maxBytes, long intervalMs, long idleMs) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.intervalMs = intervalMs;
    this.idleMs = idleMs;
  }

  /** The task holds uncommitted work at {@code nowMs}: starts the interval if it is the first. */
  void holding(boolean pending, long nowMs) {
    if (pending && firstBufferedMs < 0) {
      firstBufferedMs = nowMs;
    }
  }

  /**
   * A commit ended: the interval starts again at {@code nowMs} for what is still held, if anything.
   */
  void committed(boolean stillPending, long nowMs) {
    firstBufferedMs = stillPending ? nowMs : -1;
  }

  /** Whether a commit is due for {@code records} and {@code bytes} held at {@code nowMs}. */
  boolean due(long records, long bytes, long nowMs) {
    if (firstBufferedMs < 0) {
      return false;
    }
    return nowMs - firstBufferedMs >= intervalMs || records >= maxRecords || bytes >= maxBytes;
  }

  /**
   * Whether an empty poll ({@code pollWasEmpty}) makes a commit due: the task holds something and
   * idle commits are on.
   */
  boolean idle(boolean pollWasEmpty) {
    return pollWasEmpty && firstBufferedMs >= 0 && idleMs > 0;
  }

  /**
   * How long Connect may poll before calling the task again (ms, at least 1), so that the interval,
   * or the idle time, is kept even when no record arrives; -1 when the task holds nothing.
   */
  long nextCallInMs(long nowMs) {
    if (firstBufferedMs < 0) {
      return -1;
    }
    long wait = Math.max(1, firstBufferedMs + intervalMs - nowMs);
    return idleMs > 0 ? Math.min(wait, idleMs) : wait;
  }
}
