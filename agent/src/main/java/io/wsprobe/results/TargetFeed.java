package io.wsprobe.results;

import io.wsprobe.prober.ProbeResult;

/**
 * One subscriber's end of one target's results. {@link #result} and {@link #skipped} come on the
 * target's event loop (its lane), {@link #closed} on the scheduler's context.
 */
public interface TargetFeed {

  /** A scheduled probe of the target ended (failures are results too). */
  void result(ProbeResult result);

  /** A tick found the target's previous probe still running or waiting, and started none. */
  default void skipped() {}

  /**
   * The target left the schedule (removed, changed, or every target restarted for a config whose
   * series have another shape): nothing more comes through this feed.
   */
  default void closed() {}
}
