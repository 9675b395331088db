package io.wsprobe.prober;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The file descriptors probes may hold, so that probes can never take the last ones: a few stay
 * free for the web port ({@code /metrics} must keep answering), DNS lookups and the log.
 *
 * <p>Probe sockets are counted exactly (one acquire per socket a probe opens, one release when
 * it is closed). What the rest of the process holds is sampled from the kernel at most once per
 * {@link #SAMPLE_EVERY_NANOS} (counting {@code /proc/self/fd} costs far more than a probe), and
 * at once after a refusal or an EMFILE, so that a limit raised while the agent runs ({@code
 * prlimit --pid}) or descriptors freed elsewhere are seen within a second: probes resume by
 * themselves.
 *
 * <p>Where the JVM cannot tell its limits (not a Unix), every acquire succeeds.
 */
public final class FdBudget {

  /** Kept free of probes: a scrape, a reload's files, a DNS lookup, the log. */
  public static final int RESERVE = 16;
  static final long SAMPLE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final LongSupplier limit;
  private final LongSupplier open;
  private final AtomicInteger probeSockets = new AtomicInteger();
  /** Descriptors held outside probe sockets at the last sample, and the limit then. */
  private volatile long others;
  private volatile long max = Long.MAX_VALUE;
  /** The last count failed: the process could not even open {@code /proc/self/fd}. */
  private volatile boolean uncounted;
  private final AtomicLong sampledAt = new AtomicLong(Long.MIN_VALUE);

  /** The process's own limit and count. */
  public static FdBudget ofProcess() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
      return new FdBudget(unix::getMaxFileDescriptorCount, unix::getOpenFileDescriptorCount);
    }
    return new FdBudget(() -> Long.MAX_VALUE, () -> 0);
  }

  /** @param limit the soft RLIMIT_NOFILE now; {@code open} the descriptors open now */
  FdBudget(LongSupplier limit, LongSupplier open) {
    this.limit = limit;
    this.open = open;
  }

  /**
   * Takes one descriptor for a probe socket, or refuses when that would eat into the reserve.
   * Any thread.
   */
  public boolean tryAcquire() {
    sampleIfDue(false);
    while (true) {
      int held = probeSockets.get();
      if (held + 1 > max - others - RESERVE) {
        if (sampleIfDue(true) && held + 1 <= max - others - RESERVE) {
          continue; // the limit was raised or descriptors were freed since the last sample
        }
        return false;
      }
      if (probeSockets.compareAndSet(held, held + 1)) {
        return true;
      }
    }
  }

  public void release() {
    probeSockets.decrementAndGet();
  }

  /** The kernel refused a descriptor (EMFILE, ENFILE): count again before the next probe. */
  public void exhausted() {
    sampledAt.set(Long.MIN_VALUE);
  }

  /** Why a probe was just refused, for its result's detail. */
  public String refusal() {
    String limits = "the limit is " + max + " (ulimit -n) and " + RESERVE + " stay free for the web port";
    return uncounted
        ? "no file descriptor free for the probe's socket: the agent could not even count its open"
            + " descriptors; " + limits
        : "no file descriptor free for the probe's socket: " + probeSockets.get() + " probe sockets and "
            + others + " other descriptors are open, " + limits;
  }

  /** Probe sockets open now. */
  public int probeSockets() {
    return probeSockets.get();
  }

  /** The soft limit at the last sample. */
  public long limit() {
    return max;
  }

  /** Descriptors held outside probe sockets at the last sample. */
  public long others() {
    return others;
  }

  /**
   * Counts again when the last count is older than a second, or at most every 100 ms when
   * {@code refused}: a refused probe must not scan {@code /proc} each time either.
   *
   * @return whether this call counted
   */
  private boolean sampleIfDue(boolean refused) {
    long now = System.nanoTime();
    long last = sampledAt.get();
    long every = refused ? SAMPLE_EVERY_NANOS / 10 : SAMPLE_EVERY_NANOS;
    if (last != Long.MIN_VALUE && now - last < every) {
      return false;
    }
    if (!sampledAt.compareAndSet(last, now)) {
      return false; // another thread is counting
    }
    long openNow;
    try {
      openNow = open.getAsLong();
    } catch (Throwable e) {
      // at the limit the JDK cannot open /proc/self/fd either: it throws InternalError
      // ("errno: 24") or returns -1
      openNow = -1;
    }
    max = limit.getAsLong();
    uncounted = openNow < 0;
    // the probe sockets are among the open descriptors; what is left is everyone else's. A count
    // that failed means nothing is free.
    others = uncounted ? max : Math.max(0, openNow - probeSockets.get());
    return true;
  }
}
