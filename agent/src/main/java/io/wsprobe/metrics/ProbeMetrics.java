package io.wsprobe.metrics;

import io.wsprobe.config.Buckets;
import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Phase;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.netty.util.NetUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * <p>Written straight to the exposition text by {@link #writeTo}, rather than through a
 * Micrometer meter per target: a target's state is a few plain counters and bucket arrays updated
 * in place (no meter lookup or time-window bookkeeping per probe), its label sets are rendered
 * once, and a scrape appends numbers to them. Histograms export buckets, {@code _count} and
 * {@code _sum} only. A histogram a target cannot observe is not exported: {@code dns} for an
 * IP-address URL, {@code tls} for ws://, {@code app_handshake} for raw modules, message round
 * trips without messages, broadcast delay without a broadcast.
 */
public final class ProbeMetrics {

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

  private enum Kind { GAUGE, COUNTER, HISTOGRAM }

  /** A metric family: its name, type and help, as both exposition formats write them. */
  private record Family(String name, Kind kind, String help, byte[] sample, byte[] textHeader, byte[] omHeader) {
    Family(String name, Kind kind, String help) {
      this(name, kind, help, ascii(kind == Kind.COUNTER ? name + "_total{" : name + "{"),
          ascii(headerText(name, kind, help, false)), ascii(headerText(name, kind, help, true)));
    }

    private static String headerText(String name, Kind kind, String help, boolean openMetrics) {
      String type = kind.name().toLowerCase(java.util.Locale.ROOT);
      if (openMetrics) {
        return "# TYPE " + name + " " + type + "\n# HELP " + name + " " + help + "\n";
      }
      String shown = kind == Kind.COUNTER ? name + "_total" : name;
      return "# HELP " + shown + " " + help + "\n# TYPE " + shown + " " + type + "\n";
    }

    void header(TextOut out, boolean openMetrics) {
      out.bytes(openMetrics ? omHeader : textHeader);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static final Family SUCCESS_F = new Family(PROBE_SUCCESS, Kind.GAUGE,
      "1 if the last probe passed every step, else 0");
  private static final Family PROBES_F = new Family(PROBES, Kind.COUNTER, "Probes by outcome");
  private static final Family SKIPPED_F = new Family(PROBES_SKIPPED, Kind.COUNTER,
      "Probes not started because the previous one of the target was still running");
  private static final Family DURATION_F = new Family(PROBE_DURATION, Kind.HISTOGRAM, "Duration of whole probes");
  private static final Family PHASE_F = new Family(PHASE_DURATION, Kind.HISTOGRAM, "Duration of each probe phase");
  private static final Family STATUS_F = new Family(UPGRADE_STATUS, Kind.GAUGE,
      "HTTP status of the last upgrade answer (101 ok, 0 none)");
  private static final Family RTT_F = new Family(MESSAGE_RTT, Kind.HISTOGRAM, "Message round trip");
  private static final Family HOLD_F = new Family(HOLD_SURVIVED, Kind.GAUGE, "How long the last held session survived");
  private static final Family CERT_F = new Family(CERT_EXPIRY, Kind.GAUGE,
      "Earliest notAfter in the peer's certificate chain, Unix time");
  private static final Family LAST_F = new Family(LAST_PROBE, Kind.GAUGE, "When the last probe ended, Unix time");
  private static final Family INFO_F = new Family(TARGET_INFO, Kind.GAUGE, "Target name to URL (credentials redacted)");
  private static final Family BROADCAST_F = new Family(BROADCAST_DELAY, Kind.HISTOGRAM,
      "Time from sending a broadcast marker to its arrival, per receiver");
  private static final Family MISSING_F = new Family(BROADCAST_MISSING, Kind.GAUGE,
      "Receivers that did not get the last broadcast marker");

  private final List<String> extraLabelNames;
  private final Buckets buckets;
  private final Bounds durationBounds;
  private final Bounds phaseBounds;
  private final Bounds rttBounds;
  private final Bounds broadcastBounds;
  private final Map<String, TargetMeters> targets = new ConcurrentHashMap<>();

  public ProbeMetrics(Config config) {
    this.extraLabelNames = extraLabelNames(config);
    this.buckets = config.global().buckets();
    this.durationBounds = new Bounds(buckets.probeDuration());
    this.phaseBounds = new Bounds(buckets.phaseDuration());
    this.rttBounds = new Bounds(buckets.messageRtt());
    this.broadcastBounds = new Bounds(buckets.broadcastDelay());
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

  public void removeAll() {
    targets.clear();
  }

  /**
   * Writes every target's series, family by family, in Prometheus text 0.0.4 or OpenMetrics (the
   * caller writes OpenMetrics' closing {@code # EOF}).
   */
  public void writeTo(TextOut out, boolean openMetrics) {
    List<TargetMeters.Snapshot> all = new ArrayList<>(targets.size());
    for (TargetMeters m : targets.values()) {
      all.add(m.snapshot());
    }
    if (all.isEmpty()) {
      return;
    }
    all.sort((a, b) -> a.meters().target.name().compareTo(b.meters().target.name()));
    gauges(out, openMetrics, SUCCESS_F, all, s -> true, s -> s.success());
    PROBES_F.header(out, openMetrics);
    for (TargetMeters.Snapshot s : all) {
      for (int r = 0; r < s.results().length; r++) {
        if (s.results()[r] >= 0) {
          sample(out, PROBES_F.sample(), s.meters().resultLabels(r), (double) s.results()[r]);
        }
      }
    }
    SKIPPED_F.header(out, openMetrics);
    for (TargetMeters.Snapshot s : all) {
      sample(out, SKIPPED_F.sample(), s.meters().labels, (double) s.skipped());
    }
    histograms(out, openMetrics, DURATION_F, all, TargetMeters.Snapshot::duration);
    PHASE_F.header(out, openMetrics);
    for (TargetMeters.Snapshot s : all) {
      for (Map.Entry<Phase, Histogram> e : s.phases().entrySet()) {
        e.getValue().write(out, PHASE_LINES, s.meters().phaseLabels.get(e.getKey()));
      }
    }
    gauges(out, openMetrics, STATUS_F, all, s -> true, s -> s.statusCode());
    gauges(out, openMetrics, LAST_F, all, s -> true, s -> s.lastProbeMillis() / 1000.0);
    INFO_F.header(out, openMetrics);
    for (TargetMeters.Snapshot s : all) {
      sample(out, INFO_F.sample(), s.meters().infoLabels, 1.0);
    }
    histograms(out, openMetrics, RTT_F, all, TargetMeters.Snapshot::rtt);
    histograms(out, openMetrics, BROADCAST_F, all, TargetMeters.Snapshot::broadcast);
    gauges(out, openMetrics, HOLD_F, all, s -> s.holdSurvivedNanos() >= 0, s -> s.holdSurvivedNanos() / 1e9);
    gauges(out, openMetrics, CERT_F, all, s -> s.certExpiryMillis() > 0, s -> s.certExpiryMillis() / 1000.0);
    gauges(out, openMetrics, MISSING_F, all, s -> s.meters().broadcast != null, s -> (double) s.broadcastMissing());
  }

  /** The three line starts of a histogram family. */
  private record HistogramLines(byte[] bucket, byte[] count, byte[] sum) {
    HistogramLines(String name) {
      this(ascii(name + "_bucket{"), ascii(name + "_count{"), ascii(name + "_sum{"));
    }
  }

  private static final HistogramLines PHASE_LINES = new HistogramLines(PHASE_DURATION);
  private static final Map<String, HistogramLines> LINES = Map.of(PROBE_DURATION, new HistogramLines(PROBE_DURATION),
      MESSAGE_RTT, new HistogramLines(MESSAGE_RTT), BROADCAST_DELAY, new HistogramLines(BROADCAST_DELAY));

  private static void gauges(TextOut out, boolean openMetrics, Family f, List<TargetMeters.Snapshot> all,
                             java.util.function.Predicate<TargetMeters.Snapshot> has,
                             java.util.function.ToDoubleFunction<TargetMeters.Snapshot> value) {
    boolean header = false;
    for (TargetMeters.Snapshot s : all) {
      if (has.test(s)) {
        if (!header) {
          f.header(out, openMetrics);
          header = true;
        }
        sample(out, f.sample(), s.meters().labels, value.applyAsDouble(s));
      }
    }
  }

  private static void histograms(TextOut out, boolean openMetrics, Family f, List<TargetMeters.Snapshot> all,
                                 java.util.function.Function<TargetMeters.Snapshot, Histogram> of) {
    HistogramLines lines = LINES.get(f.name());
    boolean header = false;
    for (TargetMeters.Snapshot s : all) {
      Histogram h = of.apply(s);
      if (h != null) {
        if (!header) {
          f.header(out, openMetrics);
          header = true;
        }
        h.write(out, lines, s.meters().labels);
      }
    }
  }

  private static final byte[] CLOSE = ascii("} ");

  private static void sample(TextOut out, byte[] start, byte[] labels, double value) {
    out.bytes(start);
    out.bytes(labels);
    out.bytes(CLOSE);
    out.number(value);
    out.write('\n');
  }

  /** {@code k="v",...} sorted by name, values escaped as both exposition formats want, UTF-8. */
  private static byte[] render(Map<String, String> labels) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(e.getKey()).append("=\"");
      String v = e.getValue();
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        switch (c) {
          case '\\' -> out.append("\\\\");
          case '"' -> out.append("\\\"");
          case '\n' -> out.append("\\n");
          default -> out.append(c);
        }
      }
      out.append('"');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Bucket upper bounds in seconds and nanoseconds, +Inf last. */
  private static final class Bounds {
    final long[] nanos;
    /** {@code ,le="0.005"} for each bucket, +Inf last. */
    final byte[][] le;

    Bounds(List<Double> bounds) {
      nanos = new long[bounds.size()];
      le = new byte[bounds.size() + 1][];
      for (int i = 0; i < bounds.size(); i++) {
        nanos[i] = Math.round(bounds.get(i) * 1e9);
        le[i] = ascii(",le=\"" + bounds.get(i) + "\"} ");
      }
      le[bounds.size()] = ascii(",le=\"+Inf\"} ");
    }
  }

  /** A classic histogram: a count per bucket (not cumulative) and the sum, in nanoseconds. */
  private static final class Histogram {
    final Bounds bounds;
    final long[] counts;
    long sumNanos;

    Histogram(Bounds bounds) {
      this.bounds = bounds;
      this.counts = new long[bounds.le.length];
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

    void write(TextOut out, HistogramLines lines, byte[] labels) {
      long cumulative = 0;
      for (int i = 0; i < counts.length; i++) {
        cumulative += counts[i];
        out.bytes(lines.bucket());
        out.bytes(labels);
        out.bytes(bounds.le[i]);
        out.number(cumulative);
        out.write('\n');
      }
      out.bytes(lines.count());
      out.bytes(labels);
      out.bytes(CLOSE);
      out.number(cumulative);
      out.write('\n');
      sample(out, lines.sum(), labels, sumNanos / 1e9);
    }
  }

  /** The series of one target; {@link #record} is the only writer, a scrape the only reader. */
  public final class TargetMeters {
    private final Target target;
    /** The target's label set, rendered; with {@code url}, {@code result} or {@code phase} added. */
    private final Map<String, String> labelMap = new java.util.HashMap<>();
    private final byte[] labels;
    private final byte[] infoLabels;
    private final byte[][] resultLabels = new byte[Result.values().length][];
    private final Map<Phase, byte[]> phaseLabels = new EnumMap<>(Phase.class);
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
      labelMap.put("target", target.name());
      labelMap.put("module", module.name());
      for (String name : extraLabelNames) {
        labelMap.put(name, target.labels().getOrDefault(name, ""));
      }
      this.labels = render(labelMap);
      this.infoLabels = with("url", module.shownUrl(target.url()));
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
        phaseLabels.put(p, with("phase", p.label()));
      }
      rtt = module.messages().isEmpty() ? null : new Histogram(rttBounds);
      broadcast = module.app().broadcast() == null ? null : new Histogram(broadcastBounds);
      holds = module.hold() != null;
      if (holds) {
        holdSurvivedNanos = 0;
      }
    }

    private byte[] with(String name, String value) {
      Map<String, String> more = new java.util.HashMap<>(labelMap);
      more.put(name, value);
      return render(more);
    }

    /** Rendered when the result first occurs: most targets never see most results. */
    private synchronized byte[] resultLabels(int result) {
      if (resultLabels[result] == null) {
        resultLabels[result] = with("result", Result.values()[result].label());
      }
      return resultLabels[result];
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
