package io.wsprobe.metrics;

import io.wsprobe.config.Buckets;
import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The per-target series of one config: one {@link TargetSeries} per target, the families of
 * {@link ProbeFamily}, and their samples, in whichever exposition format writes the headers.
 *
 * <p>All series of one metric carry the same label names, as Prometheus expects: {@code target},
 * {@code module}, then the union of the configured extra labels (empty where a target lacks
 * one). A reload that changes that union, or the buckets, builds a new instance ({@link #fits}).
 *
 * <p>Written straight to the exposition text rather than through a Micrometer meter per target:
 * a target's state is updated in place (no meter lookup or time-window bookkeeping per probe),
 * and a scrape appends numbers to its ready-made label sets. Histograms export buckets,
 * {@code _count} and {@code _sum} only.
 */
public final class ProbeMetrics {

  static final byte[] CLOSE = ProbeFamily.ascii("} ");

  private final List<String> extraLabelNames;
  private final Buckets buckets;
  private final Histogram.Bounds durationBounds;
  private final Histogram.Bounds phaseBounds;
  private final Histogram.Bounds rttBounds;
  private final Histogram.Bounds broadcastBounds;
  private final Map<String, TargetSeries> targets = new ConcurrentHashMap<>();

  public ProbeMetrics(Config config) {
    this.extraLabelNames = extraLabelNames(config);
    this.buckets = config.global().buckets();
    this.durationBounds = new Histogram.Bounds(buckets.probeDuration());
    this.phaseBounds = new Histogram.Bounds(buckets.phaseDuration());
    this.rttBounds = new Histogram.Bounds(buckets.messageRtt());
    this.broadcastBounds = new Histogram.Bounds(buckets.broadcastDelay());
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

  public TargetSeries register(Target target, Module module) {
    return targets.computeIfAbsent(target.name(), n -> new TargetSeries(target, module, extraLabelNames,
        durationBounds, phaseBounds, rttBounds, broadcastBounds));
  }

  public void remove(String targetName) {
    targets.remove(targetName);
  }

  public void removeAll() {
    targets.clear();
  }

  /**
   * Writes every target's series, family by family; {@code format} writes each family's header
   * (the sample lines are the same in both formats).
   */
  void writeTo(TextOut out, ExpositionFormatWriter format) {
    List<TargetSeries.Snapshot> all = new ArrayList<>(targets.size());
    for (TargetSeries m : targets.values()) {
      all.add(m.snapshot());
    }
    if (all.isEmpty()) {
      return;
    }
    all.sort((a, b) -> a.series().target().name().compareTo(b.series().target().name()));
    gauges(out, format, ProbeFamily.SUCCESS, all, s -> true, s -> s.success());
    format.header(out, ProbeFamily.PROBES);
    for (TargetSeries.Snapshot s : all) {
      for (int r = 0; r < s.results().length; r++) {
        if (s.results()[r] >= 0) {
          sample(out, ProbeFamily.PROBES.sample, s.series().resultLabels(r), (double) s.results()[r]);
        }
      }
    }
    format.header(out, ProbeFamily.SKIPPED);
    for (TargetSeries.Snapshot s : all) {
      sample(out, ProbeFamily.SKIPPED.sample, s.series().labels, (double) s.skipped());
    }
    histograms(out, format, ProbeFamily.DURATION, all, TargetSeries.Snapshot::duration);
    format.header(out, ProbeFamily.PHASE_DURATION);
    for (TargetSeries.Snapshot s : all) {
      for (Map.Entry<Phase, Histogram> e : s.phases().entrySet()) {
        e.getValue().write(out, ProbeFamily.PHASE_DURATION, s.series().phaseLabels.get(e.getKey()));
      }
    }
    gauges(out, format, ProbeFamily.UPGRADE_STATUS, all, s -> true, s -> s.statusCode());
    format.header(out, ProbeFamily.UPGRADE_HOP);
    for (TargetSeries.Snapshot s : all) {
      sample(out, ProbeFamily.UPGRADE_HOP.sample, s.series().hopLabels(s.hop()), 1.0);
    }
    format.header(out, ProbeFamily.EXTENSION);
    for (TargetSeries.Snapshot s : all) {
      sample(out, ProbeFamily.EXTENSION.sample, s.series().extensionLabels(s.extension()), 1.0);
    }
    gauges(out, format, ProbeFamily.PROXY_STATUS, all, s -> s.series().proxied, s -> s.proxyStatusCode());
    gauges(out, format, ProbeFamily.ORIGIN_UPGRADE_SUCCESS, all, s -> s.series().hasOrigin,
        s -> s.originSuccess());
    gauges(out, format, ProbeFamily.LAST_PROBE, all, s -> true, s -> s.lastProbeMillis() / 1000.0);
    format.header(out, ProbeFamily.TARGET_INFO);
    for (TargetSeries.Snapshot s : all) {
      sample(out, ProbeFamily.TARGET_INFO.sample, s.series().infoLabels, 1.0);
    }
    histograms(out, format, ProbeFamily.MESSAGE_RTT, all, TargetSeries.Snapshot::rtt);
    histograms(out, format, ProbeFamily.BROADCAST_DELAY, all, TargetSeries.Snapshot::broadcast);
    gauges(out, format, ProbeFamily.HOLD_SURVIVED, all, s -> s.holdSurvivedNanos() >= 0,
        s -> s.holdSurvivedNanos() / 1e9);
    gauges(out, format, ProbeFamily.CERT_EXPIRY, all, s -> s.certExpiryMillis() > 0,
        s -> s.certExpiryMillis() / 1000.0);
    gauges(out, format, ProbeFamily.BROADCAST_MISSING, all, s -> s.series().broadcast != null,
        s -> (double) s.broadcastMissing());
  }

  private static void gauges(TextOut out, ExpositionFormatWriter format, ProbeFamily f,
                             List<TargetSeries.Snapshot> all, Predicate<TargetSeries.Snapshot> has,
                             ToDoubleFunction<TargetSeries.Snapshot> value) {
    boolean header = false;
    for (TargetSeries.Snapshot s : all) {
      if (has.test(s)) {
        if (!header) {
          format.header(out, f);
          header = true;
        }
        sample(out, f.sample, s.series().labels, value.applyAsDouble(s));
      }
    }
  }

  private static void histograms(TextOut out, ExpositionFormatWriter format, ProbeFamily f,
                                 List<TargetSeries.Snapshot> all, Function<TargetSeries.Snapshot, Histogram> of) {
    boolean header = false;
    for (TargetSeries.Snapshot s : all) {
      Histogram h = of.apply(s);
      if (h != null) {
        if (!header) {
          format.header(out, f);
          header = true;
        }
        h.write(out, f, s.series().labels);
      }
    }
  }

  static void sample(TextOut out, byte[] start, byte[] labels, double value) {
    out.bytes(start);
    out.bytes(labels);
    out.bytes(CLOSE);
    out.number(value);
    out.write('\n');
  }
}
