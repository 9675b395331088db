package io.wsprobe.cli;

import sun.misc.Signal;

/** SIGHUP reloads the configuration, as with Prometheus. */
final class Signals {
  private Signals() {}

  static void onHangup(Runnable action) {
    try {
      Signal.handle(new Signal("HUP"), s -> action.run());
    } catch (IllegalArgumentException e) {
      // no SIGHUP on this platform: POST /-/reload still works
    }
  }
}
