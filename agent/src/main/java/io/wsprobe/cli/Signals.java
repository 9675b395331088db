package io.wsprobe.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import sun.misc.Signal;

/**
 * SIGHUP reloads the configuration, as with Prometheus; SIGTERM and Ctrl-C stop cleanly and the
 * process exits 0, as Prometheus and its exporters do (the JVM's own handling exits 143, which
 * systemd and Kubernetes log as a failure).
 */
final class Signals {
  private Signals() {}

  /** How long a stop may take before the process exits anyway. */
  static final long STOP_SECONDS = 5;

  /**
   * Blocks until SIGTERM or SIGINT, then runs {@code stop} and closes {@code vertx}, and returns:
   * the command then exits 0. A JVM shutdown by other means (System.exit elsewhere, a signal
   * not handled here) still runs {@code stop} from a shutdown hook.
   */
  static void runUntilStopped(Vertx vertx, Supplier<Future<?>> stop) throws InterruptedException {
    CountDownLatch asked = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stopOnce = () -> {
      // not stop().eventually(vertx::close): that result is handed to a closed event loop, so
      // awaiting it would hang the shutdown for ever
      try {
        stop.get().await(STOP_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing anyway
      } finally {
        try {
          vertx.close().await(STOP_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
          // exiting anyway
        }
        stopped.countDown();
      }
    };
    Thread hook = new Thread(() -> {
      if (asked.getCount() > 0) {
        asked.countDown();
        stopOnce.run();
      }
    }, "wsprobe-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), s -> asked.countDown());
      } catch (IllegalArgumentException e) {
        // not on this platform (or the JVM keeps it, with -Xrs): the shutdown hook stops instead
      }
    }
    asked.await();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook does the stop
      stopped.await(2 * STOP_SECONDS, TimeUnit.SECONDS);
      return;
    }
    stopOnce.run();
  }

  static void onHangup(Runnable action) {
    try {
      Signal.handle(new Signal("HUP"), s -> action.run());
    } catch (IllegalArgumentException e) {
      // no SIGHUP on this platform: POST /-/reload still works
    }
  }
}
