package io.wsprobe.metrics;

import io.wsprobe.prober.Extension;
import io.wsprobe.prober.Phase;
import io.wsprobe.prober.ProbeResult;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The series of one on-demand probe, as {@code /probe?target=<url>} answers them: the
 * {@link OnDemandFamily} gauges of that probe alone, without {@code target}, {@code module} or
 * extra labels (Prometheus adds the scrape's own, as for blackbox_exporter). A family the probe
 * did not measure is left out: no phase it did not complete, no round trip without messages.
 */
final class OnDemandSeries {

  private OnDemandSeries() {}

  static void write(TextOut out, ExpositionFormatWriter format, ProbeResult r) {
    gauge(out, format, OnDemandFamily.SUCCESS, r.success() ? 1 : 0);
    format.header(out, OnDemandFamily.RESULT);
    labelled(out, OnDemandFamily.RESULT, "result", r.result().label(), 1);
    gauge(out, format, OnDemandFamily.DURATION, r.durationNanos() / 1e9);
    if (!r.phases().isEmpty()) {
      format.header(out, OnDemandFamily.PHASE_DURATION);
      for (Map.Entry<Phase, Long> e : r.phases().entrySet()) {
        labelled(out, OnDemandFamily.PHASE_DURATION, "phase", e.getKey().label(), e.getValue() / 1e9);
      }
    }
    gauge(out, format, OnDemandFamily.UPGRADE_STATUS, r.statusCode());
    format.header(out, OnDemandFamily.UPGRADE_HOP);
    labelled(out, OnDemandFamily.UPGRADE_HOP, "hop", r.hop().label(), 1);
    Extension e = r.extension() == null ? Extension.NONE : r.extension();
    format.header(out, OnDemandFamily.EXTENSION);
    out.bytes(OnDemandFamily.EXTENSION.labelled);
    // the values are wsprobe's own words: an agreed extension's parameters are Netty-checked names and numbers
    out.ascii("extension=\"" + e.name() + "\",params=\"" + e.params() + "\"} ");
    out.number(1);
    out.write('\n');
    if (r.proxyStatusCode() > 0) {
      gauge(out, format, OnDemandFamily.PROXY_STATUS, r.proxyStatusCode());
    }
    if (!r.rttNanos().isEmpty()) {
      gauge(out, format, OnDemandFamily.MESSAGE_RTT, slowest(r.rttNanos()) / 1e9);
    }
    if (!r.broadcastDelaysNanos().isEmpty()) {
      gauge(out, format, OnDemandFamily.BROADCAST_DELAY, slowest(r.broadcastDelaysNanos()) / 1e9);
    }
    if (r.broadcastMissing() >= 0) {
      gauge(out, format, OnDemandFamily.BROADCAST_MISSING, r.broadcastMissing());
    }
    if (r.holdSurvivedNanos() >= 0) {
      gauge(out, format, OnDemandFamily.HOLD_SURVIVED, r.holdSurvivedNanos() / 1e9);
    }
    if (r.certNotAfter() != null) {
      gauge(out, format, OnDemandFamily.CERT_EXPIRY, r.certNotAfter().toEpochMilli() / 1000.0);
    }
  }

  private static long slowest(List<Long> nanos) {
    return Collections.max(nanos);
  }

  private static void gauge(TextOut out, ExpositionFormatWriter format, OnDemandFamily f, double value) {
    format.header(out, f);
    out.bytes(f.plain);
    out.number(value);
    out.write('\n');
  }

  /** One sample with one label; the values are wsprobe's own words (result and phase names). */
  private static void labelled(TextOut out, OnDemandFamily f, String label, String value, double sample) {
    out.bytes(f.labelled);
    out.ascii(label + "=\"" + value + "\"} ");
    out.number(sample);
    out.write('\n');
  }
}
