package io.deltasink.connect.delta.table;

import org.apache.kafka.connect.errors.RetriableException;

/**
 * Every attempt of a commit failed and the log, read afterwards, shows that none of it landed: its
 * files are referenced by no version, and the caller may retry or drop them. Any other failure of
 * {@link TableLog#commit} leaves the outcome unknown.
 */
public class CommitNotLandedException extends RetriableException {
  private static final long serialVersionUID = 1L;

  public CommitNotLandedException(String message, Throwable cause) {
    super(message, cause);
  }
}
