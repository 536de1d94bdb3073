package io.deltasink.connect.delta.table;

import org.apache.kafka.connect.errors.RetriableException;

/**
 * A commit was attempted and the log could not be read afterwards, so whether it landed is not
 * known. Its files may already be referenced by the log: the caller keeps them (never deletes them)
 * and lets the next read of the partitions' {@code txn} versions decide (Delta PROTOCOL.md,
 * "Transaction Identifiers").
 */
public class CommitOutcomeUnknownException extends RetriableException {
  private static final long serialVersionUID = 1L;

  public CommitOutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
