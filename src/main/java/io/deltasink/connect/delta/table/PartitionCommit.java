package io.deltasink.connect.delta.table;

import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.List;

/**
 * The files of one Kafka partition to add in a commit.
 *
 * @param appId the {@code txn} application id of the partition (see {@link TxnAppIds})
 * @param expectedVersion the {@code txn} version this writer last saw committed, -1 for none
 * @param newVersion the version to record: the Kafka offset of the last row in {@code files}
 * @param files the data files, all already written
 */
public record PartitionCommit(
    String appId, long expectedVersion, long newVersion, List<WrittenFile> files) {
  public PartitionCommit {
    files = List.copyOf(files);
    if (newVersion <= expectedVersion) {
      throw new IllegalArgumentException(
          "txn version must grow: " + appId + " " + expectedVersion + " -> " + newVersion);
    }
  }

  /** Where a partition stands against the {@code txn} version the log holds for it. */
  public enum Standing {
    /** At {@code newVersion}: this commit (or an earlier attempt of it) landed. */
    LANDED,
    /** At {@code expectedVersion}: nothing of it landed; it may be committed. */
    EXPECTED,
    /** Anywhere else: another owner moved the partition. */
    FENCED
  }

  /**
   * Where this partition stands when the log's {@code txn} version for its app id is {@code found}
   * (-1: none). None while this writer expected one is {@link Standing#EXPECTED}: the entry expired
   * ({@code delta.setTransactionRetentionDuration}, PROTOCOL.md "Transaction Identifiers") while
   * the partition was idle, and no other writer committed it since, or its entry would be there.
   */
  public Standing standing(long found) {
    if (found == newVersion) {
      return Standing.LANDED;
    }
    return found == expectedVersion || found == -1 ? Standing.EXPECTED : Standing.FENCED;
  }
}
