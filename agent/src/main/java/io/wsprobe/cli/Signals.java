package io.wsprobe.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import sun.misc.Signal;

/** SIGHUP reloads the configuration, as with Prometheus; SIGTERM and Ctrl-C stop cleanly. */
final class Signals {
  private Signals() {}

  /**
   * Blocks until the JVM is asked to stop (SIGTERM, Ctrl-C), then runs {@code stop} and closes
   * {@code vertx} before the JVM exits.
   */
  static void runUntilStopped(Vertx vertx, Supplier<Future<?>> stop) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // not stop().eventually(vertx::close): that result is handed to a closed event loop, so
      // awaiting it would hang the shutdown for ever
      try {
        stop.get().await();
      } finally {
        vertx.close().await();
      }
      stopped.countDown();
    }));
    stopped.await();
  }

  static void onHangup(Runnable action) {
    try {
      Signal.handle(new Signal("HUP"), s -> action.run());
    } catch (IllegalArgumentException e) {
      // no SIGHUP on this platform: POST /-/reload still works
    }
  }
}
