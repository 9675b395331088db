package io.wsprobe.metrics;

import io.netty.util.NetUtil;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Extension;
import io.wsprobe.prober.Hop;
import io.wsprobe.prober.Phase;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The series of one target: a few plain counters and bucket arrays updated in place, and its
 * label sets rendered once. {@link #record} and {@link #skipped} are the only writers, a scrape's
 * {@link #snapshot} the only reader. A histogram the target cannot observe is not kept:
 * {@code dns} for an IP-address URL, {@code tls} for ws://, {@code app_handshake} for raw
 * modules, message round trips without messages, broadcast delay without a broadcast.
 */
public final class TargetSeries {
  private final Target target;
  /** The target's label set, rendered; with {@code url}, {@code result} or {@code phase} added. */
  private final Map<String, String> labelMap = new HashMap<>();
  final byte[] labels;
  final byte[] infoLabels;
  private final byte[][] resultLabels = new byte[Result.values().length][];
  private final byte[][] hopLabels = new byte[Hop.values().length][];
  /** The label set of the last extension exported, rendered again only when it changes. */
  private Extension extensionRendered;
  private byte[] extensionLabels;
  final Map<Phase, byte[]> phaseLabels = new EnumMap<>(Phase.class);
  private final Histogram duration;
  private final Map<Phase, Histogram> phases = new EnumMap<>(Phase.class);
  private final Histogram rtt;
  final Histogram broadcast;
  private final boolean holds;
  /** The module tunnels through a forward proxy: its CONNECT status is exported. */
  final boolean proxied;
  /** The target has an origin_url: its direct upgrade's outcome is exported. */
  final boolean hasOrigin;
  /** Probes per result, by ordinal; -1 until the first one (success is exported from the start). */
  private final long[] results = new long[Result.values().length];
  private long skipped;
  private double success;
  private long statusCode;
  private long proxyStatusCode;
  private double originSuccess;
  /** The hop the latest answer that named one came through: a probe that got no answer keeps it. */
  private Hop hop = Hop.UNKNOWN;
  /** The extension the latest judged 101 agreed to: a probe that got no 101 keeps it. */
  private Extension extension = Extension.NONE;
  private long lastProbeMillis;
  private long holdSurvivedNanos = -1;
  private long certExpiryMillis;
  private long broadcastMissing;

  TargetSeries(Target target, Module module, List<String> extraLabelNames, Histogram.Bounds durationBounds,
               Histogram.Bounds phaseBounds, Histogram.Bounds rttBounds, Histogram.Bounds broadcastBounds) {
    this.target = target;
    labelMap.put("target", target.name());
    labelMap.put("module", module.name());
    for (String name : extraLabelNames) {
      labelMap.put(name, target.labels().getOrDefault(name, ""));
    }
    this.labels = render(labelMap);
    this.infoLabels = with("url", module.shownUrl(target.url()));
    Arrays.fill(results, -1);
    results[Result.SUCCESS.ordinal()] = 0;
    duration = new Histogram(durationBounds);
    // through a forward proxy the probe resolves the proxy's name, not the target's
    String host = module.proxy() != null ? module.proxy().host() : target.url().getHost();
    boolean ipLiteral = host != null && (NetUtil.isValidIpV4Address(host)
        || NetUtil.isValidIpV6Address(host.startsWith("[") ? host.substring(1, host.length() - 1) : host));
    for (Phase p : Phase.values()) {
      if (p == Phase.DNS && ipLiteral
          || p == Phase.TLS && !target.tls()
          || p == Phase.PROXY_CONNECT && module.proxy() == null
          || p == Phase.APP_HANDSHAKE && module.app().protocol() == Module.Protocol.RAW) {
        continue;
      }
      phases.put(p, new Histogram(phaseBounds));
      phaseLabels.put(p, with("phase", p.label()));
    }
    // server-first steps (expect without send) are no round trips
    rtt = module.messages().stream().anyMatch(Module.Message::sends) ? new Histogram(rttBounds) : null;
    broadcast = module.app().broadcast() == null ? null : new Histogram(broadcastBounds);
    holds = module.hold() != null;
    proxied = module.proxy() != null;
    hasOrigin = target.originUrl() != null;
    if (holds) {
      holdSurvivedNanos = 0;
    }
  }

  private byte[] with(String name, String value) {
    Map<String, String> more = new HashMap<>(labelMap);
    more.put(name, value);
    return render(more);
  }

  private byte[] with(String name, String value, String name2, String value2) {
    Map<String, String> more = new HashMap<>(labelMap);
    more.put(name, value);
    more.put(name2, value2);
    return render(more);
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

  /** Rendered when the result first occurs: most targets never see most results. */
  synchronized byte[] resultLabels(int result) {
    if (resultLabels[result] == null) {
      resultLabels[result] = with("result", Result.values()[result].label());
    }
    return resultLabels[result];
  }

  /** Rendered when the hop is first named: a target sees one or two of them. */
  synchronized byte[] hopLabels(Hop hop) {
    if (hopLabels[hop.ordinal()] == null) {
      hopLabels[hop.ordinal()] = with("hop", hop.label());
    }
    return hopLabels[hop.ordinal()];
  }

  /** Rendered when the agreed extension changes: a target keeps one for good, or flips between two. */
  synchronized byte[] extensionLabels(Extension e) {
    if (!e.equals(extensionRendered)) {
      extensionLabels = with("extension", e.name(), "params", e.params());
      extensionRendered = e;
    }
    return extensionLabels;
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
    proxyStatusCode = r.proxyStatusCode();
    if (r.origin() != null) {
      originSuccess = r.origin().upgraded() ? 1 : 0;
    }
    if (r.hop() != Hop.UNKNOWN) {
      hop = r.hop();
    }
    if (r.extension() != null) {
      extension = r.extension();
    }
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
  synchronized Snapshot snapshot() {
    Map<Phase, Histogram> phaseCopies = new EnumMap<>(Phase.class);
    phases.forEach((p, h) -> phaseCopies.put(p, h.copy()));
    return new Snapshot(this, success, statusCode, lastProbeMillis, holds ? holdSurvivedNanos : -1,
        certExpiryMillis, broadcastMissing, results.clone(), skipped, duration.copy(), phaseCopies,
        rtt == null ? null : rtt.copy(), broadcast == null ? null : broadcast.copy(), proxyStatusCode,
        originSuccess, hop, extension);
  }

  record Snapshot(TargetSeries series, double success, long statusCode, long lastProbeMillis,
                  long holdSurvivedNanos, long certExpiryMillis, long broadcastMissing, long[] results,
                  long skipped, Histogram duration, Map<Phase, Histogram> phases, Histogram rtt,
                  Histogram broadcast, long proxyStatusCode, double originSuccess, Hop hop,
                  Extension extension) {}
}
