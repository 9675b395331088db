package io.wsprobe.bench;

import io.netty.channel.Channel;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Injected delays that are exact to a few tens of microseconds. On epoll, the channel's own event
 * loop schedules them: its timers are timerfd deadlines in nanoseconds. Netty's NIO timers wake up on
 * whole milliseconds (a 5 ms delay fires anywhere in 5–6 ms), which would swamp the sub-millisecond
 * errors the accuracy bench measures; so one thread parks until each deadline (the kernel wakes
 * it some 50 µs late) and hands the write to the channel's event loop. It does not spin to the
 * deadline: at thousands of delayed frames per second that would burn a core of the two the
 * agent under test shares. How late each write really ran is recorded and reported, so the bench
 * shows the injection's own error.
 */
final class Delays {

  enum Kind { UPGRADE, FRAME }

  private static final int KEPT = 200_000;
  private static final boolean ON_LOOP = Boolean.getBoolean("bench.delays.on-loop");

  private record Due(long deadline, long seq, Channel channel, Kind kind, Runnable task) {}

  private final PriorityQueue<Due> queue = new PriorityQueue<>(
      (a, b) -> a.deadline != b.deadline ? Long.compare(a.deadline, b.deadline) : Long.compare(a.seq, b.seq));
  private final Thread timer;
  private long seq;
  private final long[][] lateness = {new long[KEPT], new long[KEPT]};
  private final int[] counts = new int[2];

  Delays() {
    timer = new Thread(this::loop, "bench-delays");
    timer.setDaemon(true);
    timer.start();
  }

  /** Runs {@code task} on {@code channel}'s event loop {@code delayNanos} after {@code fromNanos}. */
  void run(Channel channel, long fromNanos, long delayNanos, Kind kind, Runnable task) {
    if (delayNanos <= 0) {
      task.run();
      return;
    }
    if (ON_LOOP && channel instanceof io.netty.channel.epoll.EpollSocketChannel) {
      // epoll's timers are timerfd deadlines in nanoseconds: the channel's own loop, no hand-over
      long deadline = fromNanos + delayNanos;
      channel.eventLoop().schedule(() -> {
        record(kind, System.nanoTime() - deadline);
        task.run();
      }, deadline - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
      return;
    }
    boolean first;
    synchronized (queue) {
      Due due = new Due(fromNanos + delayNanos, seq++, channel, kind, task);
      queue.add(due);
      first = queue.peek() == due;
    }
    if (first) {
      LockSupport.unpark(timer); // it may be parked until a later deadline
    }
  }

  private void loop() {
    while (true) {
      Due next;
      synchronized (queue) {
        next = queue.peek();
      }
      long now = System.nanoTime();
      if (next == null) {
        LockSupport.parkNanos(this, 10_000_000);
        continue;
      }
      long wait = next.deadline - now;
      if (wait > 0) {
        LockSupport.parkNanos(this, wait);
        continue; // an earlier deadline may have arrived meanwhile
      }
      synchronized (queue) {
        queue.remove(next);
      }
      Due due = next;
      due.channel.eventLoop().execute(() -> {
        record(due.kind, System.nanoTime() - due.deadline);
        due.task.run();
      });
    }
  }

  private synchronized void record(Kind kind, long lateNanos) {
    int k = kind.ordinal();
    lateness[k][counts[k] % KEPT] = lateNanos;
    counts[k]++;
  }

  synchronized void reset() {
    counts[0] = 0;
    counts[1] = 0;
  }

  /** One line per kind: {@code <kind> count=N p50_ms=… p99_ms=… max_ms=…}. */
  synchronized String report() {
    StringBuilder out = new StringBuilder();
    for (Kind kind : Kind.values()) {
      int k = kind.ordinal();
      int n = Math.min(counts[k], KEPT);
      long[] v = java.util.Arrays.copyOf(lateness[k], n);
      java.util.Arrays.sort(v);
      out.append(String.format(Locale.ROOT, "%s count=%d p50_ms=%.4f p99_ms=%.4f max_ms=%.4f%n",
          kind.name().toLowerCase(Locale.ROOT), counts[k], q(v, 0.5), q(v, 0.99), n == 0 ? 0 : v[n - 1] / 1e6));
    }
    return out.toString();
  }

  private static double q(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
  }
}
