package io.wsprobe.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.wsprobe.config.Buckets;
import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Phase;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-target series: every name and label of docs/metrics.md that belongs to a target is
 * defined and updated here and nowhere else.
 *
 * <p>All series of one metric carry the same label names, as Prometheus expects: {@code target},
 * {@code module}, then the union of the configured extra labels (empty where a target lacks
 * one). A reload that changes that union builds a new instance.
 *
 * <p>One collector for every target, in the registry {@code /metrics} scrapes, rather than
 * Micrometer meters per target: a target's state is a few plain counters and bucket arrays
 * updated in place (no meter lookup or time-window bookkeeping per probe), its label sets are
 * built once, and histograms export buckets, {@code _count} and {@code _sum} only. A histogram a
 * target cannot observe is not exported: {@code dns} for an IP-address URL, {@code tls} for ws://,
 * {@code app_handshake} for raw modules, message round trips without messages, broadcast delay
 * without a broadcast.
 */
public final class ProbeMetrics implements MultiCollector {

  public static final String PROBE_SUCCESS = "wsprobe_probe_success";
  public static final String PROBES = "wsprobe_probes";
  public static final String PROBES_SKIPPED = "wsprobe_probes_skipped";
  public static final String PROBE_DURATION = "wsprobe_probe_duration_seconds";
  public static final String PHASE_DURATION = "wsprobe_phase_duration_seconds";
  public static final String UPGRADE_STATUS = "wsprobe_upgrade_status_code";
  public static final String MESSAGE_RTT = "wsprobe_message_rtt_seconds";
  public static final String HOLD_SURVIVED = "wsprobe_hold_survived_seconds";
  public static final String CERT_EXPIRY = "wsprobe_tls_cert_expiry_timestamp_seconds";
  public static final String LAST_PROBE = "wsprobe_last_probe_timestamp_seconds";
  public static final String TARGET_INFO = "wsprobe_target_info";
  public static final String BROADCAST_DELAY = "wsprobe_broadcast_delay_seconds";
  public static final String BROADCAST_MISSING = "wsprobe_broadcast_missing_receivers";

  private static final MetricMetadata SUCCESS_META = new MetricMetadata(PROBE_SUCCESS,
      "1 if the last probe passed every step, else 0");
  private static final MetricMetadata PROBES_META = new MetricMetadata(PROBES, "Probes by outcome");
  private static final MetricMetadata SKIPPED_META = new MetricMetadata(PROBES_SKIPPED,
      "Probes not started because the previous one of the target was still running");
  private static final MetricMetadata DURATION_META = new MetricMetadata(PROBE_DURATION, "Duration of whole probes");
  private static final MetricMetadata PHASE_META = new MetricMetadata(PHASE_DURATION, "Duration of each probe phase");
  private static final MetricMetadata STATUS_META = new MetricMetadata(UPGRADE_STATUS,
      "HTTP status of the last upgrade answer (101 ok, 0 none)");
  private static final MetricMetadata RTT_META = new MetricMetadata(MESSAGE_RTT, "Message round trip");
  private static final MetricMetadata HOLD_META = new MetricMetadata(HOLD_SURVIVED,
      "How long the last held session survived");
  private static final MetricMetadata CERT_META = new MetricMetadata(CERT_EXPIRY,
      "Earliest notAfter in the peer's certificate chain, Unix time");
  private static final MetricMetadata LAST_META = new MetricMetadata(LAST_PROBE, "When the last probe ended, Unix time");
  private static final MetricMetadata INFO_META = new MetricMetadata(TARGET_INFO,
      "Target name to URL (credentials redacted)");
  private static final MetricMetadata BROADCAST_META = new MetricMetadata(BROADCAST_DELAY,
      "Time from sending a broadcast marker to its arrival, per receiver");
  private static final MetricMetadata MISSING_META = new MetricMetadata(BROADCAST_MISSING,
      "Receivers that did not get the last broadcast marker");

  private final PrometheusRegistry registry;
  private final List<String> extraLabelNames;
  private final Buckets buckets;
  private final Bounds durationBounds;
  private final Bounds phaseBounds;
  private final Bounds rttBounds;
  private final Bounds broadcastBounds;
  private final Map<String, TargetMeters> targets = new ConcurrentHashMap<>();

  public ProbeMetrics(PrometheusMeterRegistry registry, Config config) {
    this.registry = registry.getPrometheusRegistry();
    this.extraLabelNames = extraLabelNames(config);
    this.buckets = config.global().buckets();
    this.durationBounds = new Bounds(buckets.probeDuration());
    this.phaseBounds = new Bounds(buckets.phaseDuration());
    this.rttBounds = new Bounds(buckets.messageRtt());
    this.broadcastBounds = new Bounds(buckets.broadcastDelay());
    this.registry.register(this);
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
    targets.remove(targetName);
  }

  /** Drops every target's series and leaves the registry: a new instance takes over. */
  public void removeAll() {
    targets.clear();
    registry.unregister(this);
  }

  @Override
  public MetricSnapshots collect() {
    List<TargetMeters.Snapshot> all = new ArrayList<>(targets.size());
    for (TargetMeters m : targets.values()) {
      all.add(m.snapshot());
    }
    int n = all.size();
    List<GaugeDataPointSnapshot> success = new ArrayList<>(n);
    List<GaugeDataPointSnapshot> status = new ArrayList<>(n);
    List<GaugeDataPointSnapshot> last = new ArrayList<>(n);
    List<GaugeDataPointSnapshot> info = new ArrayList<>(n);
    List<GaugeDataPointSnapshot> hold = new ArrayList<>();
    List<GaugeDataPointSnapshot> cert = new ArrayList<>();
    List<GaugeDataPointSnapshot> missing = new ArrayList<>();
    List<CounterDataPointSnapshot> probes = new ArrayList<>(n);
    List<CounterDataPointSnapshot> skipped = new ArrayList<>(n);
    List<HistogramDataPointSnapshot> duration = new ArrayList<>(n);
    List<HistogramDataPointSnapshot> phases = new ArrayList<>(3 * n);
    List<HistogramDataPointSnapshot> rtt = new ArrayList<>();
    List<HistogramDataPointSnapshot> broadcast = new ArrayList<>();
    for (TargetMeters.Snapshot s : all) {
      TargetMeters m = s.meters;
      success.add(gauge(s.success, m.labels));
      status.add(gauge(s.statusCode, m.labels));
      last.add(gauge(s.lastProbeMillis / 1000.0, m.labels));
      info.add(gauge(1, m.infoLabels));
      if (s.holdSurvivedNanos >= 0) {
        hold.add(gauge(s.holdSurvivedNanos / 1e9, m.labels));
      }
      if (s.certExpiryMillis > 0) {
        cert.add(gauge(s.certExpiryMillis / 1000.0, m.labels));
      }
      if (m.broadcast != null) {
        missing.add(gauge(s.broadcastMissing, m.labels));
      }
      for (int r = 0; r < s.results.length; r++) {
        if (s.results[r] >= 0) {
          probes.add(new CounterDataPointSnapshot(s.results[r], m.resultLabels[r], null, 0));
        }
      }
      skipped.add(new CounterDataPointSnapshot(s.skipped, m.labels, null, 0));
      duration.add(s.duration.point(m.labels));
      s.phases.forEach((phase, h) -> phases.add(h.point(m.phaseLabels.get(phase))));
      if (s.rtt != null) {
        rtt.add(s.rtt.point(m.labels));
      }
      if (s.broadcast != null) {
        broadcast.add(s.broadcast.point(m.labels));
      }
    }
    List<MetricSnapshot> out = new ArrayList<>(13);
    if (n > 0) {
      out.add(new GaugeSnapshot(SUCCESS_META, success));
      out.add(new CounterSnapshot(PROBES_META, probes));
      out.add(new CounterSnapshot(SKIPPED_META, skipped));
      out.add(new HistogramSnapshot(DURATION_META, duration));
      out.add(new HistogramSnapshot(PHASE_META, phases));
      out.add(new GaugeSnapshot(STATUS_META, status));
      out.add(new GaugeSnapshot(LAST_META, last));
      out.add(new GaugeSnapshot(INFO_META, info));
    }
    if (!rtt.isEmpty()) {
      out.add(new HistogramSnapshot(RTT_META, rtt));
    }
    if (!broadcast.isEmpty()) {
      out.add(new HistogramSnapshot(BROADCAST_META, broadcast));
    }
    if (!hold.isEmpty()) {
      out.add(new GaugeSnapshot(HOLD_META, hold));
    }
    if (!cert.isEmpty()) {
      out.add(new GaugeSnapshot(CERT_META, cert));
    }
    if (!missing.isEmpty()) {
      out.add(new GaugeSnapshot(MISSING_META, missing));
    }
    return new MetricSnapshots(out);
  }

  private static GaugeDataPointSnapshot gauge(double value, Labels labels) {
    return new GaugeDataPointSnapshot(value, labels, null);
  }

  /** Bucket upper bounds in seconds and nanoseconds, +Inf last. */
  private static final class Bounds {
    final double[] seconds;
    final long[] nanos;

    Bounds(List<Double> bounds) {
      seconds = new double[bounds.size() + 1];
      nanos = new long[bounds.size()];
      for (int i = 0; i < bounds.size(); i++) {
        seconds[i] = bounds.get(i);
        nanos[i] = Math.round(bounds.get(i) * 1e9);
      }
      seconds[bounds.size()] = Double.POSITIVE_INFINITY;
    }
  }

  /** A classic histogram: a count per bucket (not cumulative) and the sum, in nanoseconds. */
  private static final class Histogram {
    final Bounds bounds;
    final long[] counts;
    long sumNanos;

    Histogram(Bounds bounds) {
      this.bounds = bounds;
      this.counts = new long[bounds.seconds.length];
    }

    private Histogram(Histogram h) {
      this.bounds = h.bounds;
      this.counts = h.counts.clone();
      this.sumNanos = h.sumNanos;
    }

    void observe(long nanos) {
      long[] upper = bounds.nanos;
      int i = 0;
      while (i < upper.length && nanos > upper[i]) {
        i++;
      }
      counts[i]++;
      sumNanos += nanos;
    }

    Histogram copy() {
      return new Histogram(this);
    }

    HistogramDataPointSnapshot point(Labels labels) {
      return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds.seconds, counts), sumNanos / 1e9,
          labels, Exemplars.EMPTY, 0);
    }
  }

  /** The series of one target; {@link #record} is the only writer, a scrape the only reader. */
  public final class TargetMeters {
    private final Target target;
    private final Labels labels;
    private final Labels infoLabels;
    private final Labels[] resultLabels = new Labels[Result.values().length];
    private final Map<Phase, Labels> phaseLabels = new EnumMap<>(Phase.class);
    private final Histogram duration;
    private final Map<Phase, Histogram> phases = new EnumMap<>(Phase.class);
    private final Histogram rtt;
    private final Histogram broadcast;
    private final boolean holds;
    /** Probes per result, by ordinal; -1 until the first one (success is exported from the start). */
    private final long[] results = new long[Result.values().length];
    private long skipped;
    private double success;
    private long statusCode;
    private long lastProbeMillis;
    private long holdSurvivedNanos = -1;
    private long certExpiryMillis;
    private long broadcastMissing;

    TargetMeters(Target target, Module module) {
      this.target = target;
      String[] names = new String[2 + extraLabelNames.size()];
      String[] values = new String[names.length];
      names[0] = "target";
      values[0] = target.name();
      names[1] = "module";
      values[1] = module.name();
      for (int i = 0; i < extraLabelNames.size(); i++) {
        names[2 + i] = extraLabelNames.get(i);
        values[2 + i] = target.labels().getOrDefault(extraLabelNames.get(i), "");
      }
      this.labels = Labels.of(names, values);
      this.infoLabels = labels.add("url", Secret.redactUrl(target.url()));
      for (Result r : Result.values()) {
        resultLabels[r.ordinal()] = labels.add("result", r.label());
      }
      java.util.Arrays.fill(results, -1);
      results[Result.SUCCESS.ordinal()] = 0;
      duration = new Histogram(durationBounds);
      String host = target.url().getHost();
      boolean ipLiteral = host != null && (NetUtil.isValidIpV4Address(host)
          || NetUtil.isValidIpV6Address(host.startsWith("[") ? host.substring(1, host.length() - 1) : host));
      for (Phase p : Phase.values()) {
        if (p == Phase.DNS && ipLiteral
            || p == Phase.TLS && !target.tls()
            || p == Phase.APP_HANDSHAKE && module.app().protocol() == Module.Protocol.RAW) {
          continue;
        }
        phases.put(p, new Histogram(phaseBounds));
        phaseLabels.put(p, labels.add("phase", p.label()));
      }
      rtt = module.messages().isEmpty() ? null : new Histogram(rttBounds);
      broadcast = module.app().broadcast() == null ? null : new Histogram(broadcastBounds);
      holds = module.hold() != null;
      if (holds) {
        holdSurvivedNanos = 0;
      }
    }

    public synchronized void record(ProbeResult r, long endEpochMillis) {
      success = r.success() ? 1 : 0;
      int result = r.result().ordinal();
      results[result] = Math.max(0, results[result]) + 1;
      duration.observe(r.durationNanos());
      r.phases().forEach((p, nanos) -> {
        Histogram h = phases.get(p);
        if (h != null) {
          h.observe(nanos);
        }
      });
      statusCode = r.statusCode();
      if (rtt != null) {
        for (long nanos : r.rttNanos()) {
          rtt.observe(nanos);
        }
      }
      if (broadcast != null) {
        for (long nanos : r.broadcastDelaysNanos()) {
          broadcast.observe(nanos);
        }
        if (r.broadcastMissing() >= 0) {
          broadcastMissing = r.broadcastMissing();
        }
      }
      if (holds && r.holdSurvivedNanos() >= 0) {
        holdSurvivedNanos = r.holdSurvivedNanos();
      }
      if (r.certNotAfter() != null) {
        certExpiryMillis = r.certNotAfter().toEpochMilli();
      }
      lastProbeMillis = endEpochMillis;
    }

    public synchronized void skipped() {
      skipped++;
    }

    public Target target() {
      return target;
    }

    /** A consistent copy, taken under the lock a probe's record holds. */
    private synchronized Snapshot snapshot() {
      Map<Phase, Histogram> phaseCopies = new EnumMap<>(Phase.class);
      phases.forEach((p, h) -> phaseCopies.put(p, h.copy()));
      return new Snapshot(this, success, statusCode, lastProbeMillis, holds ? holdSurvivedNanos : -1,
          certExpiryMillis, broadcastMissing, results.clone(), skipped, duration.copy(), phaseCopies,
          rtt == null ? null : rtt.copy(), broadcast == null ? null : broadcast.copy());
    }

    private record Snapshot(TargetMeters meters, double success, long statusCode, long lastProbeMillis,
                            long holdSurvivedNanos, long certExpiryMillis, long broadcastMissing, long[] results,
                            long skipped, Histogram duration, Map<Phase, Histogram> phases, Histogram rtt,
                            Histogram broadcast) {}
  }
}
