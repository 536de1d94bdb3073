package io.deltasink.connect.delta.table;

/**
 * Builds the {@code txn} application ids (PROTOCOL.md, "Transaction Identifiers") that record how
 * far each Kafka partition has been written: {@code <applicationId>/<topic>/<partition>}. Topic
 * names cannot contain {@code /} and partitions are digits, so reading from the right recovers all
 * three parts even when the application id itself contains a slash.
 */
public final class TxnAppIds {
  private TxnAppIds() {}

  /** The app id for one partition of one topic. */
  public static String of(String applicationId, String topic, int partition) {
    return applicationId + "/" + topic + "/" + partition;
  }
}
