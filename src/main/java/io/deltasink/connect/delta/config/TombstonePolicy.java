package io.deltasink.connect.delta.config;

import java.util.Locale;

/**
 * What a {@code struct} or {@code json} table does with a tombstone (a record whose value is null):
 * an append-only table has no row for it. Bronze tables always keep tombstones as rows with a null
 * value.
 */
public enum TombstonePolicy {
  /** Skip it; its offset still counts as done. The default. */
  IGNORE,
  /** Fail the task. */
  FAIL,
  /** Treat it as a bad record: dead-letter queue under errors.tolerance=all, else fail the task. */
  DLQ;

  /**
   * Applies the policy to a tombstone at {@code where} (its topic, partition and offset): returns
   * when it is to be skipped ({@link #IGNORE}).
   *
   * @throws org.apache.kafka.connect.errors.ConnectException with {@link #FAIL}
   * @throws org.apache.kafka.connect.errors.DataException with {@link #DLQ}: a bad record
   */
  public void check(String where) {
    if (this == FAIL) {
      throw new org.apache.kafka.connect.errors.ConnectException(
          where + ": tombstone (null value) and delta.tombstone.policy=fail");
    }
    if (this == DLQ) {
      throw new org.apache.kafka.connect.errors.DataException(
          "tombstone (null value); delta.tombstone.policy=dlq sends tombstones to the dead-letter"
              + " queue");
    }
  }

  public static TombstonePolicy parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }
}
