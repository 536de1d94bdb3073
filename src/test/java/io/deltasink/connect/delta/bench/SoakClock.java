package io.deltasink.connect.delta.bench;

import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;

/**
 * The system clock moved forward by {@link #advance}: the flush policy sees a flush interval pass
 * between a round's {@code put} and its {@code preCommit} without the run waiting for it.
 */
final class SoakClock implements Time {
  private long skewMs;

  void advance(long ms) {
    skewMs += ms;
  }

  @Override
  public long milliseconds() {
    return SYSTEM.milliseconds() + skewMs;
  }

  @Override
  public long nanoseconds() {
    return SYSTEM.nanoseconds() + skewMs * 1_000_000L;
  }

  @Override
  public void sleep(long ms) {
    SYSTEM.sleep(ms); // the connector's commit retry backoff, real
  }

  @Override
  public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs)
      throws InterruptedException {
    SYSTEM.waitObject(obj, condition, deadlineMs - skewMs);
  }
}
