package io.wsprobe.metrics;

/**
 * The families of one on-demand probe's answer ({@code /probe?target=<url>}, docs/metrics.md):
 * gauges of that one probe, as blackbox_exporter answers, named as the scheduled families they
 * correspond to. Where the scheduled family is a histogram, this one is a gauge of the probe's
 * own value (Prometheus keeps the two apart: a histogram's series are {@code _bucket},
 * {@code _sum} and {@code _count}).
 */
enum OnDemandFamily {
  SUCCESS(ProbeFamily.SUCCESS.metricName(), "1 if the probe passed every step, else 0"),
  RESULT("wsprobe_probe_result", "The probe's outcome, as the result label (always 1)"),
  DURATION(ProbeFamily.DURATION.metricName(), "Duration of the whole probe"),
  PHASE_DURATION(ProbeFamily.PHASE_DURATION.metricName(), "Duration of each phase the probe completed"),
  UPGRADE_STATUS(ProbeFamily.UPGRADE_STATUS.metricName(), ProbeFamily.UPGRADE_STATUS.help()),
  UPGRADE_HOP(ProbeFamily.UPGRADE_HOP.metricName(), "The proxy or CDN the upgrade answer came through (hop label)"),
  EXTENSION(ProbeFamily.EXTENSION.metricName(),
      "The WebSocket extension the probe's upgrade agreed to, with its parameters (extension none when none was)"),
  PROXY_STATUS(ProbeFamily.PROXY_STATUS.metricName(), "HTTP status of the forward proxy's answer to CONNECT"),
  MESSAGE_RTT(ProbeFamily.MESSAGE_RTT.metricName(), "The slowest message round trip of the probe"),
  BROADCAST_DELAY(ProbeFamily.BROADCAST_DELAY.metricName(),
      "The slowest arrival of the broadcast marker at a receiver"),
  BROADCAST_MISSING(ProbeFamily.BROADCAST_MISSING.metricName(), "Receivers that did not get the broadcast marker"),
  HOLD_SURVIVED(ProbeFamily.HOLD_SURVIVED.metricName(), "How long the held session survived"),
  CERT_EXPIRY(ProbeFamily.CERT_EXPIRY.metricName(), ProbeFamily.CERT_EXPIRY.help());

  private final String metricName;
  private final String help;
  /** {@code name} and a space, or {@code name{}: where a sample line starts. */
  final byte[] plain;
  final byte[] labelled;

  OnDemandFamily(String metricName, String help) {
    this.metricName = metricName;
    this.help = help;
    this.plain = ProbeFamily.ascii(metricName + " ");
    this.labelled = ProbeFamily.ascii(metricName + "{");
  }

  String metricName() {
    return metricName;
  }

  String help() {
    return help;
  }
}
