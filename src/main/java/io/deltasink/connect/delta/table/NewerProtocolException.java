package io.deltasink.connect.delta.table;

import org.apache.kafka.connect.errors.ConnectException;

/**
 * A backend found the table at a protocol above the one it writes (Delta Standalone: reader 1,
 * writer 2), for example after another engine enabled deletion vectors. Nothing of the call that
 * throws it was committed: a backend that writes the newer protocol may take over.
 */
public class NewerProtocolException extends ConnectException {
  public NewerProtocolException(String message) {
    super(message);
  }

  public NewerProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
