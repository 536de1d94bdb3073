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
public record PartitionCommit(String appId, long expectedVersion, long newVersion, List<WrittenFile> files) {
  public PartitionCommit {
    files = List.copyOf(files);
    if (newVersion <= expectedVersion) {
      throw new IllegalArgumentException("txn version must grow: " + appId + " " + expectedVersion + " -> " + newVersion);
    }
  }
}
