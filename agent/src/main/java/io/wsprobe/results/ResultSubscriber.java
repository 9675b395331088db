package io.wsprobe.results;

import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;

/**
 * Something that follows the scheduler's results: the per-target series, the status board, the
 * result log. The scheduler opens a feed per scheduled target and keeps it while the target is
 * unchanged, reloads included; every method here runs on the scheduler's context, in this order
 * on each config applied: {@link #fits}, {@link #applying}, {@link #open} for each new or
 * changed target, {@link #applied}.
 */
public interface ResultSubscriber {

  /**
   * Whether what was opened under the running config can carry on under {@code next}. When a
   * subscriber says no, the scheduler closes every target's feeds and opens them all anew (their
   * schedules restart too). The first config never fits.
   */
  default boolean fits(Config next) {
    return true;
  }

  /** {@code config} is being applied: after the closing, before the opening. */
  default void applying(Config config) {}

  /** A target enters the schedule (or re-enters it, changed). */
  TargetFeed open(Target target, Module module);

  /** {@code config}'s targets are all open now. */
  default void applied(Config config) {}
}
