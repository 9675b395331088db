package io.wsprobe.support;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * When this JVM's threads did not run: a thread that sleeps 5 ms at a time and notes each wake-up
 * later than 10 ms past its due time (the machine gave the JVM no core, or a safepoint stopped
 * it). A probe's timer cannot fire during such a stall either, so a test that checks that a probe
 * kept its deadline allows for the stalls that overlapped the probe, and only for those.
 */
public final class Stalls {
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long NOTED_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final Stalls WATCH = new Stalls();

  /** {end of the stall, its length} in nanos, oldest first; bounded to the last 10,000. */
  private final ConcurrentLinkedDeque<long[]> seen = new ConcurrentLinkedDeque<>();

  private Stalls() {
    Thread watch = new Thread(() -> {
      while (true) {
        long due = System.nanoTime() + TICK_NANOS;
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
        long now = System.nanoTime();
        if (now - due > NOTED_NANOS) {
          seen.addLast(new long[] {now, now - due});
          if (seen.size() > 10_000) {
            seen.pollFirst();
          }
        }
      }
    }, "test-stall-watch");
    watch.setDaemon(true);
    watch.start();
  }

  /** The JVM's one watch, started by the first call. */
  public static Stalls watch() {
    return WATCH;
  }

  /** The longest stall that overlapped {@code [from, to]} ({@link System#nanoTime}), 0 when none did. */
  public long longest(long from, long to) {
    long longest = 0;
    for (long[] stall : seen) {
      if (stall[0] >= from && stall[0] - stall[1] <= to) {
        longest = Math.max(longest, stall[1]);
      }
    }
    return longest;
  }
}
