package io.deltasink.connect.delta.table;

/**
 * Waits between commit attempts (ms); {@code Time::sleep} in a task, a no-op or a recorder in
 * tests.
 */
@FunctionalInterface
public interface Sleeper {
  void sleep(long ms) throws InterruptedException;
}
