package io.wsprobe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wsprobe.config.Buckets;
import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Phase;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-target series: every name and label of docs/metrics.md that belongs to a target is
 * defined and updated here and nowhere else.
 *
 * <p>All series of one metric carry the same label names, as Prometheus expects: {@code target},
 * {@code module}, then the union of the configured extra labels (empty where a target lacks
 * one). A reload that changes that union builds a new instance.
 */
public final class ProbeMetrics {

  public static final String PROBE_SUCCESS = "wsprobe.probe.success";
  public static final String PROBES = "wsprobe.probes";
  public static final String PROBES_SKIPPED = "wsprobe.probes.skipped";
  public static final String PROBE_DURATION = "wsprobe.probe.duration";
  public static final String PHASE_DURATION = "wsprobe.phase.duration";
  public static final String UPGRADE_STATUS = "wsprobe.upgrade.status.code";
  public static final String MESSAGE_RTT = "wsprobe.message.rtt";
  public static final String HOLD_SURVIVED = "wsprobe.hold.survived";
  public static final String CERT_EXPIRY = "wsprobe.tls.cert.expiry.timestamp";
  public static final String LAST_PROBE = "wsprobe.last.probe.timestamp";
  public static final String TARGET_INFO = "wsprobe.target.info";
  public static final String BROADCAST_DELAY = "wsprobe.broadcast.delay";
  public static final String BROADCAST_MISSING = "wsprobe.broadcast.missing.receivers";

  private final PrometheusMeterRegistry registry;
  private final List<String> extraLabelNames;
  private final Buckets buckets;
  private final Map<String, TargetMeters> targets = new ConcurrentHashMap<>();

  public ProbeMetrics(PrometheusMeterRegistry registry, Config config) {
    this.registry = registry;
    this.extraLabelNames = extraLabelNames(config);
    this.buckets = config.global().buckets();
  }

  /** The sorted union of extra label names over all targets: the shape of every series. */
  public static List<String> extraLabelNames(Config config) {
    TreeSet<String> names = new TreeSet<>(config.global().labels().keySet());
    for (Target t : config.targets()) {
      names.addAll(t.labels().keySet());
    }
    return List.copyOf(names);
  }

  /** Whether a new config gives series the same shape, so this instance can go on serving it. */
  public boolean fits(Config config) {
    return extraLabelNames.equals(extraLabelNames(config))
        && buckets.equals(config.global().buckets());
  }

  public TargetMeters register(Target target, Module module) {
    return targets.computeIfAbsent(target.name(), n -> new TargetMeters(target, module));
  }

  public void remove(String targetName) {
    TargetMeters m = targets.remove(targetName);
    if (m != null) {
      m.remove();
    }
  }

  public void removeAll() {
    new ArrayList<>(targets.keySet()).forEach(this::remove);
  }

  private static Duration[] seconds(List<Double> bounds) {
    return bounds.stream().map(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);
  }

  /** The meters of one target; {@link #record} is the only writer. */
  public final class TargetMeters {
    private final Tags tags;
    private final Target target;
    private final List<Meter> meters = new ArrayList<>();
    private final AtomicLong success = new AtomicLong();
    private final AtomicLong statusCode = new AtomicLong();
    private final AtomicLong lastProbeMillis = new AtomicLong();
    private final AtomicLong holdSurvivedNanos = new AtomicLong();
    private final AtomicLong certExpiryMillis = new AtomicLong();
    private final Map<Result, Counter> results = new EnumMap<>(Result.class);
    private final Map<Phase, Timer> phases = new EnumMap<>(Phase.class);
    private final Timer duration;
    private final Timer rtt;
    private final Counter skipped;
    private final Timer broadcastDelay;
    private final AtomicLong broadcastMissing = new AtomicLong();
    private boolean certGauge;

    TargetMeters(Target target, Module module) {
      this.target = target;
      List<Tag> list = new ArrayList<>();
      list.add(Tag.of("target", target.name()));
      list.add(Tag.of("module", module.name()));
      for (String name : extraLabelNames) {
        list.add(Tag.of(name, target.labels().getOrDefault(name, "")));
      }
      this.tags = Tags.of(list);
      gauge(PROBE_SUCCESS, null, "1 if the last probe passed every step, else 0", success, AtomicLong::get);
      gauge(UPGRADE_STATUS, null, "HTTP status of the last upgrade answer (101 ok, 0 none)",
          statusCode, AtomicLong::get);
      gauge(LAST_PROBE, "seconds", "When the last probe ended, Unix time", lastProbeMillis,
          v -> v.get() / 1000.0);
      if (module.hold() != null) {
        gauge(HOLD_SURVIVED, "seconds", "How long the last held session survived",
            holdSurvivedNanos, v -> v.get() / 1e9);
      }
      meters.add(Gauge.builder(TARGET_INFO, () -> 1)
          .description("Target name to URL (credentials redacted)")
          .tags(tags).tag("url", Secret.redactUrl(target.url()))
          .strongReference(true).register(registry));
      duration = timer(PROBE_DURATION, "Duration of whole probes", tags, buckets.probeDuration());
      rtt = timer(MESSAGE_RTT, "Message round trip", tags, buckets.messageRtt());
      for (Phase p : Phase.values()) {
        if (p == Phase.TLS && !target.tls()
            || p == Phase.APP_HANDSHAKE && module.app().protocol() == Module.Protocol.RAW) {
          continue;
        }
        phases.put(p, timer(PHASE_DURATION, "Duration of each probe phase",
            tags.and("phase", p.label()), buckets.phaseDuration()));
      }
      if (module.app().broadcast() != null) {
        broadcastDelay = timer(BROADCAST_DELAY, "Time from sending a broadcast marker to its arrival, per receiver",
            tags, buckets.broadcastDelay());
        gauge(BROADCAST_MISSING, null, "Receivers that did not get the last broadcast marker",
            broadcastMissing, AtomicLong::get);
      } else {
        broadcastDelay = null;
      }
      results.put(Result.SUCCESS, counter(Result.SUCCESS));
      skipped = Counter.builder(PROBES_SKIPPED)
          .description("Probes not started because the previous one of the target was still running")
          .tags(tags).register(registry);
      meters.add(skipped);
    }

    private <T> void gauge(String name, String unit, String help, T holder,
                           java.util.function.ToDoubleFunction<T> f) {
      meters.add(Gauge.builder(name, holder, f).description(help).baseUnit(unit).tags(tags)
          .strongReference(true).register(registry));
    }

    private Timer timer(String name, String help, Tags t, List<Double> bounds) {
      Timer timer = Timer.builder(name).description(help).tags(t)
          .serviceLevelObjectives(seconds(bounds)).register(registry);
      meters.add(timer);
      return timer;
    }

    private Counter counter(Result r) {
      Counter c = Counter.builder(PROBES).description("Probes by outcome")
          .tags(tags).tag("result", r.label()).register(registry);
      meters.add(c);
      return c;
    }

    public synchronized void record(ProbeResult r, long endEpochMillis) {
      success.set(r.success() ? 1 : 0);
      results.computeIfAbsent(r.result(), this::counter).increment();
      duration.record(r.durationNanos(), TimeUnit.NANOSECONDS);
      r.phases().forEach((p, nanos) -> {
        Timer t = phases.get(p);
        if (t != null) {
          t.record(nanos, TimeUnit.NANOSECONDS);
        }
      });
      statusCode.set(r.statusCode());
      for (long nanos : r.rttNanos()) {
        rtt.record(nanos, TimeUnit.NANOSECONDS);
      }
      if (broadcastDelay != null) {
        for (long nanos : r.broadcastDelaysNanos()) {
          broadcastDelay.record(nanos, TimeUnit.NANOSECONDS);
        }
        if (r.broadcastMissing() >= 0) {
          broadcastMissing.set(r.broadcastMissing());
        }
      }
      if (r.holdSurvivedNanos() >= 0) {
        holdSurvivedNanos.set(r.holdSurvivedNanos());
      }
      if (r.certNotAfter() != null) {
        certExpiryMillis.set(r.certNotAfter().toEpochMilli());
        if (!certGauge) {
          certGauge = true;
          gauge(CERT_EXPIRY, "seconds", "Earliest notAfter in the peer's certificate chain, Unix time",
              certExpiryMillis, v -> v.get() / 1000.0);
        }
      }
      lastProbeMillis.set(endEpochMillis);
    }

    public void skipped() {
      skipped.increment();
    }

    public Target target() {
      return target;
    }

    synchronized void remove() {
      meters.forEach(registry::remove);
      results.values().forEach(registry::remove);
      meters.clear();
    }
  }
}
