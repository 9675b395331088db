package io.wsprobe.scheduler;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Probes every target once per interval. Targets are spread over their interval by a stable
 * offset derived from the name (no thundering herd after a start or reload); a target never has
 * two probes at once (a tick that finds the previous probe still running is counted as skipped);
 * at most {@code global.max_concurrent_probes} run at once, the rest wait in arrival order, and
 * the wait shows in {@code wsprobe_scheduler_lag_seconds}.
 *
 * <p>Confined to the Vert.x context it was created on: {@link #apply} and the timers all run
 * there, so the state needs no locks.
 */
public final class Scheduler {

  /** Told of every probe result, on the scheduler's context. */
  public interface Listener {
    void onResult(Target target, Module module, ProbeResult result);
  }

  private final Vertx vertx;
  private final Context context;
  private final WebSocketProber prober;
  private final AgentMetrics agent;
  private final Listener listener;

  private ProbeMetrics metrics;
  /** Replaced whole, never changed in place: the status page reads it from other threads. */
  private volatile Map<String, TargetState> states = Map.of();
  private final ArrayDeque<Planned> waiting = new ArrayDeque<>();
  private int inFlight;
  private int maxInFlight = 1;
  private boolean stopped;

  private record Planned(TargetState state, long plannedNanos) {}

  public Scheduler(Vertx vertx, WebSocketProber prober, AgentMetrics agent, Listener listener) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.prober = prober;
    this.agent = agent;
    this.listener = listener;
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
      TargetState fresh = new TargetState(target, module, metrics.register(target, module));
      next.put(target.name(), fresh);
      fresh.scheduleFirst();
    }
    for (TargetState removed : old.values()) {
      removed.cancel();
      metrics.remove(removed.target.name());
    }
    waiting.removeIf(p -> p.state.cancelled);
    states = next;
    agent.shardTargets(states.size());
  }

  public void stop() {
    context.runOnContext(v -> {
      stopped = true;
      states.values().forEach(TargetState::cancel);
      waiting.clear();
    });
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

  private void tick(TargetState state, long plannedNanos) {
    if (state.cancelled) {
      return;
    }
    state.scheduleAt(plannedNanos + state.target.interval().toNanos());
    if (state.running || state.queued) {
      state.meters.skipped();
      return;
    }
    if (inFlight >= maxInFlight) {
      state.queued = true;
      waiting.add(new Planned(state, plannedNanos));
      return;
    }
    run(state, plannedNanos);
  }

  private void run(TargetState state, long plannedNanos) {
    agent.lag(System.nanoTime() - plannedNanos);
    state.running = true;
    inFlight++;
    agent.probeStarted();
    prober.probe(state.target, state.module).onComplete(ar -> {
      state.running = false;
      inFlight--;
      agent.probeEnded();
      if (ar.succeeded() && !state.cancelled) {
        ProbeResult r = ar.result();
        state.meters.record(r, System.currentTimeMillis());
        state.last = new LastResult(r.result(), r.detail(), r.durationNanos());
        listener.onResult(state.target, state.module, r);
      }
      drain();
    });
  }

  private void drain() {
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      Planned next = waiting.poll();
      next.state.queued = false;
      if (!next.state.cancelled) {
        run(next.state, next.plannedNanos);
      }
    }
  }

  private final class TargetState {
    final Target target;
    final Module module;
    final ProbeMetrics.TargetMeters meters;
    long timerId = -1;
    boolean running;
    boolean queued;
    boolean cancelled;
    volatile LastResult last;

    TargetState(Target target, Module module, ProbeMetrics.TargetMeters meters) {
      this.target = target;
      this.module = module;
      this.meters = meters;
    }

    void scheduleFirst() {
      scheduleAt(System.nanoTime() + offsetNanos(target.name(), target.interval().toNanos()));
    }

    void scheduleAt(long plannedNanos) {
      long delayMillis = TimeUnit.NANOSECONDS.toMillis(plannedNanos - System.nanoTime());
      timerId = vertx.setTimer(Math.max(1, delayMillis), id -> tick(this, plannedNanos));
    }

    void cancel() {
      cancelled = true;
      vertx.cancelTimer(timerId);
    }
  }

  /** For tests: the targets now scheduled. */
  List<String> targetNames() {
    return List.copyOf(states.keySet());
  }
}
