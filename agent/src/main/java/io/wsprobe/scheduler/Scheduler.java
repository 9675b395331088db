package io.wsprobe.scheduler;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.metrics.AgentMetrics;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Prober;
import io.wsprobe.results.ResultSubscriber;
import io.wsprobe.results.TargetFeed;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * Probes every target once per interval. Targets are spread over their interval by a stable
 * offset derived from the name (no thundering herd after a start or reload); a target never has
 * two probes at once (a tick that finds the previous probe still running is counted as skipped);
 * at most {@code global.max_concurrent_probes} run at once, the rest wait in arrival order, and
 * the wait shows in {@code wsprobe_scheduler_lag_seconds}.
 *
 * <p>Each target lives on one event loop, its lane, chosen from its name: its timer fires there,
 * its probe runs there and its result is recorded there, so a probe costs no hand-over between
 * threads (each one is a wake-up of an idle thread, a system call and a context switch: at low
 * rates they were a third of a probe's cost). A lane's state is confined to its loop; what lanes
 * share is the count of probes in flight (atomic), how many probes wait, and the arrival number
 * of each lane's oldest waiting probe: a freed slot goes to the oldest waiting probe of any lane,
 * so waiting is in arrival order over the whole agent, with one allowance that keeps a saturated
 * agent from handing every freed slot to another thread: a lane keeps a slot it freed for its own
 * oldest waiting probe when that probe arrived at most {@link #PASS_BY} arrivals after the
 * agent's oldest (no probe is passed by more than that many later ones). {@link #apply} runs on
 * the context the scheduler was created on.
 *
 * <p>It decides when to probe and emits the results: each scheduled target has a
 * {@link TargetFeed} from the {@link ResultSubscriber} (the series, the status board, the
 * result log), fed on the target's lane, kept while the target is unchanged.
 */
public final class Scheduler {

  /**
   * How many later arrivals on other lanes may start before a waiting probe. Small against any
   * queue that matters (a probe waits behind every other waiting one anyway), large enough that
   * lanes whose probes arrive interleaved, as at saturation, keep their freed slots.
   */
  static final long PASS_BY = 16;

  private final Context context;
  private final Prober prober;
  private final AgentMetrics agent;
  private final ResultSubscriber results;
  private final List<Lane> lanes = new ArrayList<>();

  /** Replaced whole, never changed in place. */
  private volatile Map<String, TargetState> states = Map.of();
  /** Probes running now, over every lane. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile int maxInFlight = 1;
  private volatile boolean stopped;
  /** Probes waiting for a slot, over every lane. */
  private final AtomicInteger waitingAll = new AtomicInteger();
  /** Arrival numbers of waiting probes. */
  private final AtomicLong arrivals = new AtomicLong();

  private record Planned(TargetState state, long plannedNanos, long arrival) {}

  /** @param results told of every scheduled target and its results */
  public Scheduler(Vertx vertx, Prober prober, AgentMetrics agent, ResultSubscriber results) {
    this.context = vertx.getOrCreateContext();
    this.prober = prober;
    this.agent = agent;
    this.results = results;
    VertxInternal internal = (VertxInternal) vertx;
    for (EventExecutor loop : internal.nettyEventLoopGroup()) {
      lanes.add(new Lane(internal.contextBuilder().withEventLoop((EventLoop) loop).build()));
    }
  }

  /**
   * One event loop's targets: their timers, probes and results run on it. Its queue holds the
   * probes that found every slot taken, in arrival order.
   */
  private final class Lane {
    final ContextInternal context;
    final EventLoop loop;
    final ArrayDeque<Planned> waiting = new ArrayDeque<>();
    /** The arrival number of the oldest waiting probe, MAX_VALUE when none; read by other lanes. */
    volatile long head = Long.MAX_VALUE;

    Lane(ContextInternal context) {
      this.context = context;
      this.loop = context.nettyEventLoop();
    }

    /** Queues a probe that found no slot, then tries to start the oldest. On this lane's loop. */
    void enqueue(TargetState state, long plannedNanos) {
      state.queued = true;
      waiting.add(new Planned(state, plannedNanos, arrivals.incrementAndGet()));
      waitingAll.incrementAndGet();
      publishHead();
      // a slot freed elsewhere before this probe was visible went unclaimed: take it now
      drain();
    }

    /**
     * Starts this lane's waiting probes while slots are free and they are the oldest of all; when
     * another lane's probe is older, wakes that lane instead. On this lane's loop.
     */
    void drain() {
      while (true) {
        Planned next = waiting.peek();
        if (next != null && (next.state.cancelled || stopped)) {
          drop();
          continue;
        }
        if (next == null) {
          return;
        }
        Lane oldest = oldestLane();
        if (oldest != null && oldest != this && next.arrival - oldest.head > PASS_BY) {
          oldest.context.runOnContext(v -> oldest.drain());
          return;
        }
        if (!tryAcquire()) {
          return;
        }
        drop();
        run(next.state, next.plannedNanos);
      }
    }

    private void drop() {
      Planned p = waiting.poll();
      p.state.queued = false;
      waitingAll.decrementAndGet();
      publishHead();
    }

    private void publishHead() {
      Planned first = waiting.peek();
      head = first == null ? Long.MAX_VALUE : first.arrival;
    }
  }

  /** The lane whose oldest waiting probe arrived first, or null when none waits. */
  private Lane oldestLane() {
    Lane oldest = null;
    long min = Long.MAX_VALUE;
    for (int i = 0; i < lanes.size(); i++) { // no iterator: this runs for every freed slot
      Lane lane = lanes.get(i);
      long h = lane.head;
      if (h < min) {
        min = h;
        oldest = lane;
      }
    }
    return oldest;
  }

  /** Switches to {@code config}: unchanged targets keep their schedule and series. */
  public void apply(Config config) {
    context.runOnContext(v -> applyNow(config));
  }

  private void applyNow(Config config) {
    if (stopped) {
      return;
    }
    maxInFlight = config.global().maxConcurrentProbes();
    // a raised limit frees slots now; removed targets leave the queues
    lanes.forEach(lane -> lane.context.runOnContext(v -> lane.drain()));
    Map<String, TargetState> current = states;
    if (!results.fits(config)) {
      current.values().forEach(TargetState::close);
      current = Map.of();
    }
    results.applying(config);
    Map<String, TargetState> next = new LinkedHashMap<>();
    Map<String, TargetState> old = new HashMap<>(current);
    for (Target target : config.targets()) {
      Module module = config.moduleOf(target);
      TargetState kept = old.remove(target.name());
      if (kept != null && kept.target.equals(target) && kept.module.equals(module)) {
        next.put(target.name(), kept);
        continue;
      }
      if (kept != null) {
        kept.close();
      }
      TargetState fresh = new TargetState(target, module, results.open(target, module),
          laneOf(target.name()));
      next.put(target.name(), fresh);
      fresh.lane.context.runOnContext(v -> fresh.scheduleFirst());
    }
    for (TargetState removed : old.values()) {
      removed.close();
    }
    lanes.forEach(lane -> lane.context.runOnContext(v -> lane.drain()));
    states = next;
    results.applied(config);
    agent.shardTargets(states.size());
  }

  public void stop() {
    context.runOnContext(v -> {
      stopped = true;
      states.values().forEach(TargetState::cancel);
      lanes.forEach(lane -> lane.context.runOnContext(w -> lane.drain()));
    });
  }

  private Lane laneOf(String name) {
    CRC32 crc = new CRC32();
    crc.update(name.getBytes(StandardCharsets.UTF_8));
    // the low bits of the CRC place the target within its interval (offsetNanos uses the whole
    // value): mix before taking the lane, so lanes do not follow the offsets
    long h = crc.getValue() * 0x9E3779B97F4A7C15L;
    return lanes.get((int) Long.remainderUnsigned(h >>> 16, lanes.size()));
  }

  private boolean tryAcquire() {
    while (true) {
      int now = inFlight.get();
      if (now >= maxInFlight) {
        return false;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /**
   * Frees a slot and hands it to the oldest waiting probe, whichever lane it is on; {@code own}
   * is null for an on-demand probe, which has no lane.
   */
  private void release(Lane own) {
    inFlight.decrementAndGet();
    if (waitingAll.get() == 0) {
      return;
    }
    Lane oldest = oldestLane();
    if (oldest == null) {
      return;
    }
    long ownHead = own == null ? Long.MAX_VALUE : own.head;
    if (oldest == own || ownHead != Long.MAX_VALUE && ownHead - oldest.head <= PASS_BY) {
      own.drain(); // on this thread: no hand-over
    } else {
      oldest.context.runOnContext(v -> oldest.drain());
    }
  }

  /**
   * One probe now, outside the schedule ({@code /probe}): it takes a slot of
   * {@code max_concurrent_probes} and shows in {@code wsprobe_probes_in_flight} like a scheduled
   * probe, but never waits for a slot, nor takes one while scheduled probes wait for theirs: it
   * fails at once with {@link NoFreeSlot}. Its result is not recorded in the target's series.
   */
  public io.vertx.core.Future<ProbeResult> probeNow(Target target, Module module) {
    if (stopped || waitingAll.get() > 0 || !tryAcquire()) {
      return io.vertx.core.Future.failedFuture(new NoFreeSlot(maxInFlight));
    }
    agent.probeStarted();
    io.vertx.core.Future<ProbeResult> probe;
    try {
      probe = prober.probe(target, module, laneOf(target.name()).context);
    } catch (RuntimeException e) {
      probe = io.vertx.core.Future.failedFuture(e);
    }
    return probe.andThen(ar -> {
      agent.probeEnded();
      release(null);
    });
  }

  /** Stable offset of a target within its interval, from its name. */
  static long offsetNanos(String name, long intervalNanos) {
    CRC32 crc = new CRC32();
    crc.update(name.getBytes(StandardCharsets.UTF_8));
    return (long) ((crc.getValue() / (double) (1L << 32)) * intervalNanos);
  }

  /** On the target's lane. */
  private void tick(TargetState state, long plannedNanos) {
    if (state.cancelled) {
      return;
    }
    state.scheduleAt(plannedNanos + state.target.interval().toNanos());
    if (state.running || state.queued) {
      state.feed.skipped();
      return;
    }
    if (waitingAll.get() == 0 && tryAcquire()) {
      run(state, plannedNanos);
      return;
    }
    state.lane.enqueue(state, plannedNanos);
  }

  /** On the target's lane, holding a slot. */
  private void run(TargetState state, long plannedNanos) {
    if (state.cancelled) {
      release(state.lane); // removed since its tick
      return;
    }
    agent.lag(System.nanoTime() - plannedNanos);
    state.running = true;
    agent.probeStarted();
    io.vertx.core.Future<ProbeResult> probe;
    try {
      probe = prober.probeUntraced(state.target, state.module, state.lane.context); // its trace is never shown
    } catch (RuntimeException e) {
      probe = io.vertx.core.Future.failedFuture(e);
    }
    probe.onComplete(ar -> {
      state.running = false;
      agent.probeEnded();
      try {
        if (ar.succeeded() && !state.cancelled) {
          state.feed.result(ar.result());
        }
      } finally {
        release(state.lane);
      }
    });
  }

  /** A target's schedule and state; it is its own timer task (one object for every tick). */
  private final class TargetState implements Runnable {
    final Target target;
    final Module module;
    final TargetFeed feed;
    final Lane lane;
    /** The next tick; written on the lane, cancelled from the scheduler's context. */
    volatile ScheduledFuture<?> timer;
    /** On the lane only. */
    boolean running;
    boolean queued;
    volatile boolean cancelled;
    /** When the tick the timer waits for was planned; on the lane only. */
    private long plannedNanos;
    private final Runnable tick = () -> tick(this, plannedNanos);

    TargetState(Target target, Module module, TargetFeed feed, Lane lane) {
      this.target = target;
      this.module = module;
      this.feed = feed;
      this.lane = lane;
    }

    void scheduleFirst() {
      if (cancelled) {
        return;
      }
      scheduleAt(System.nanoTime() + offsetNanos(target.name(), target.interval().toNanos()));
    }

    void scheduleAt(long plannedNanos) {
      this.plannedNanos = plannedNanos;
      long delay = Math.max(0, plannedNanos - System.nanoTime());
      // a Netty timer on the lane's loop (this object is its task), run as the lane's Vert.x context
      timer = lane.loop.schedule(this, delay, TimeUnit.NANOSECONDS);
      if (cancelled) {
        timer.cancel(false); // cancelled while this was being scheduled
      }
    }

    @Override
    public void run() {
      lane.context.dispatch(tick);
    }

    void cancel() {
      cancelled = true;
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }

    /** Leaves the schedule: cancelled, and its subscribers told. On the scheduler's context. */
    void close() {
      cancel();
      feed.closed();
    }
  }

  /** For tests: the targets now scheduled. */
  List<String> targetNames() {
    return List.copyOf(states.keySet());
  }
}
