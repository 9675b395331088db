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
import io.wsprobe.metrics.ProbeMetrics;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.wsprobe.prober.WebSocketProber;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * share is the count of probes in flight (atomic) and their queues' sizes. {@link #apply} runs on
 * the context the scheduler was created on.
 */
public final class Scheduler {

  /** Told of every probe result, on the scheduler's context. */
  public interface Listener {
    void onResult(Target target, Module module, ProbeResult result);
  }

  private final Context context;
  private final WebSocketProber prober;
  private final AgentMetrics agent;
  private final Listener listener;
  private final List<Lane> lanes = new ArrayList<>();

  private ProbeMetrics metrics;
  /** Replaced whole, never changed in place: the status page reads it from other threads. */
  private volatile Map<String, TargetState> states = Map.of();
  /** Probes running now, over every lane. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile int maxInFlight = 1;
  private volatile boolean stopped;

  private record Planned(TargetState state, long plannedNanos) {}

  public Scheduler(Vertx vertx, WebSocketProber prober, AgentMetrics agent, Listener listener) {
    this.context = vertx.getOrCreateContext();
    this.prober = prober;
    this.agent = agent;
    this.listener = listener;
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
    /** waiting.size(), readable by the other lanes. */
    final AtomicInteger queued = new AtomicInteger();

    Lane(ContextInternal context) {
      this.context = context;
      this.loop = context.nettyEventLoop();
    }

    /** Starts waiting probes while slots are free. On this lane's loop. */
    void drain() {
      while (!waiting.isEmpty() && tryAcquire()) {
        Planned next = waiting.poll();
        queued.decrementAndGet();
        next.state.queued = false;
        if (next.state.cancelled) {
          release();
          continue;
        }
        run(next.state, next.plannedNanos);
      }
    }

    /** Drops the probes of removed targets. On this lane's loop. */
    void purge() {
      if (waiting.removeIf(p -> p.state.cancelled || stopped)) {
        queued.set(waiting.size());
      }
    }
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
    // a raised limit frees slots now
    lanes.forEach(lane -> lane.context.runOnContext(v -> lane.drain()));
    Map<String, TargetState> current = states;
    if (metrics == null || !metrics.fits(config)) {
      current.values().forEach(TargetState::cancel);
      current = Map.of();
      if (metrics != null) {
        metrics.removeAll();
      }
      metrics = new ProbeMetrics(config);
      agent.probeMetrics(metrics);
    }
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
        kept.cancel();
        metrics.remove(target.name());
      }
      TargetState fresh = new TargetState(target, module, metrics.register(target, module),
          laneOf(target.name()));
      next.put(target.name(), fresh);
      fresh.scheduleFirst();
    }
    for (TargetState removed : old.values()) {
      removed.cancel();
      metrics.remove(removed.target.name());
    }
    lanes.forEach(lane -> lane.context.runOnContext(v -> lane.purge()));
    states = next;
    agent.shardTargets(states.size());
  }

  public void stop() {
    context.runOnContext(v -> {
      stopped = true;
      states.values().forEach(TargetState::cancel);
      lanes.forEach(lane -> lane.context.runOnContext(w -> lane.purge()));
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

  /** Frees a slot; a lane with probes waiting is woken to take it (its own first). */
  private void release() {
    inFlight.decrementAndGet();
  }

  private void wakeWaiting(Lane own) {
    own.drain();
    if (inFlight.get() >= maxInFlight) {
      return;
    }
    for (Lane lane : lanes) {
      if (lane != own && lane.queued.get() > 0) {
        lane.context.runOnContext(v -> lane.drain());
      }
    }
  }

  /** A snapshot of each target's last result, for the status page (read from any thread). */
  public Collection<TargetStatus> status() {
    return states.values().stream().map(s -> new TargetStatus(s.target, s.module.name(), s.last))
        .toList();
  }

  /** What the status page shows of a target; {@code last} is null until its first probe ends. */
  public record TargetStatus(Target target, String module, LastResult last) {}

  /**
   * The little the status page needs of a target's last probe. Not the {@link ProbeResult}: its
   * trace would keep every target's last request and answer alive for a whole interval, which
   * at thousands of targets fills the old generation with dead probes.
   */
  public record LastResult(Result result, String detail, long durationNanos) {
    public boolean success() {
      return result == Result.SUCCESS;
    }
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
      state.meters.skipped();
      return;
    }
    Lane lane = state.lane;
    if (lane.waiting.isEmpty() && tryAcquire()) {
      run(state, plannedNanos);
      return;
    }
    state.queued = true;
    lane.waiting.add(new Planned(state, plannedNanos));
    lane.queued.incrementAndGet();
    // a slot freed on another lane between the failed try and the queueing saw no queue here
    lane.drain();
  }

  /** On the target's lane, holding a slot. */
  private void run(TargetState state, long plannedNanos) {
    agent.lag(System.nanoTime() - plannedNanos);
    state.running = true;
    agent.probeStarted();
    prober.probe(state.target, state.module, state.lane.context).onComplete(ar -> {
      state.running = false;
      release();
      agent.probeEnded();
      if (ar.succeeded() && !state.cancelled) {
        ProbeResult r = ar.result();
        state.meters.record(r, System.currentTimeMillis());
        state.last = new LastResult(r.result(), r.detail(), r.durationNanos());
        listener.onResult(state.target, state.module, r);
      }
      wakeWaiting(state.lane);
    });
  }

  private final class TargetState {
    final Target target;
    final Module module;
    final ProbeMetrics.TargetMeters meters;
    final Lane lane;
    /** The next tick; written on the lane, cancelled from the scheduler's context. */
    volatile ScheduledFuture<?> timer;
    /** On the lane only. */
    boolean running;
    boolean queued;
    volatile boolean cancelled;
    volatile LastResult last;

    TargetState(Target target, Module module, ProbeMetrics.TargetMeters meters, Lane lane) {
      this.target = target;
      this.module = module;
      this.meters = meters;
      this.lane = lane;
    }

    void scheduleFirst() {
      scheduleAt(System.nanoTime() + offsetNanos(target.name(), target.interval().toNanos()));
    }

    void scheduleAt(long plannedNanos) {
      long delay = Math.max(0, plannedNanos - System.nanoTime());
      // a Netty timer on the lane's loop, run as the lane's Vert.x context
      timer = lane.loop.schedule(() -> lane.context.dispatch(() -> tick(this, plannedNanos)),
          delay, TimeUnit.NANOSECONDS);
      if (cancelled) {
        timer.cancel(false); // cancelled while this was being scheduled
      }
    }

    void cancel() {
      cancelled = true;
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }
  }

  /** For tests: the targets now scheduled. */
  List<String> targetNames() {
    return List.copyOf(states.keySet());
  }
}
