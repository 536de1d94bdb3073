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

  public static TombstonePolicy parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }
}
