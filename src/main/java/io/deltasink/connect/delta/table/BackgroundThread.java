package io.deltasink.connect.delta.table;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread for work off the commit path (checkpoints, table maintenance) that exists only
 * while there is work: it ends after {@code idleSeconds} without any.
 */
public final class BackgroundThread {
  private BackgroundThread() {}

  public static ExecutorService create(String name, long idleSeconds) {
    return new ThreadPoolExecutor(
        0,
        1,
        idleSeconds,
        TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Stops taking work and waits up to {@code waitMs} for the work in flight.
   *
   * @return false when work was still running after the wait (it goes on, on its daemon thread)
   */
  public static boolean shutdown(ExecutorService executor, long waitMs) {
    executor.shutdown();
    try {
      return executor.awaitTermination(waitMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
