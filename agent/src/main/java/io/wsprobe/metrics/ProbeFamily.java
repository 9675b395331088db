package io.wsprobe.metrics;

import java.nio.charset.StandardCharsets;

/**
 * The catalogue of per-target metric families (docs/metrics.md): name, type and help, in the
 * order a scrape writes them. Each exposition format renders a family's header its own way
 * (the writers of {@link ExpositionFormats}); the sample lines are the same in both.
 */
public enum ProbeFamily {
  SUCCESS("wsprobe_probe_success", Type.GAUGE, "1 if the last probe passed every step, else 0"),
  PROBES("wsprobe_probes", Type.COUNTER, "Probes by outcome"),
  SKIPPED("wsprobe_probes_skipped", Type.COUNTER,
      "Probes not started because the previous one of the target was still running"),
  DURATION("wsprobe_probe_duration_seconds", Type.HISTOGRAM, "Duration of whole probes"),
  PHASE_DURATION("wsprobe_phase_duration_seconds", Type.HISTOGRAM, "Duration of each probe phase"),
  UPGRADE_STATUS("wsprobe_upgrade_status_code", Type.GAUGE,
      "HTTP status of the last upgrade answer (101 ok, 0 none)"),
  UPGRADE_HOP("wsprobe_upgrade_hop_info", Type.GAUGE,
      "The proxy or CDN the latest upgrade answer that named one came through (hop label; unknown until one does)"),
  EXTENSION("wsprobe_websocket_extension_info", Type.GAUGE,
      "The WebSocket extension the latest session's upgrade agreed to, with its parameters (extension none until one does, or when none was)"),
  PROXY_STATUS("wsprobe_proxy_connect_status_code", Type.GAUGE,
      "HTTP status of the forward proxy's last answer to CONNECT (200 ok, 0 none)"),
  ORIGIN_UPGRADE_SUCCESS("wsprobe_origin_upgrade_success", Type.GAUGE,
      "1 if the last direct upgrade of the target's origin_url succeeded, else 0"),
  LAST_PROBE("wsprobe_last_probe_timestamp_seconds", Type.GAUGE, "When the last probe ended, Unix time"),
  TARGET_INFO("wsprobe_target_info", Type.GAUGE, "Target name to URL (credentials redacted)"),
  MESSAGE_RTT("wsprobe_message_rtt_seconds", Type.HISTOGRAM, "Message round trip"),
  BROADCAST_DELAY("wsprobe_broadcast_delay_seconds", Type.HISTOGRAM,
      "Time from sending a broadcast marker to its arrival, per receiver"),
  HOLD_SURVIVED("wsprobe_hold_survived_seconds", Type.GAUGE, "How long the last held session survived"),
  CERT_EXPIRY("wsprobe_tls_cert_expiry_timestamp_seconds", Type.GAUGE,
      "Earliest notAfter in the peer's certificate chain, Unix time"),
  BROADCAST_MISSING("wsprobe_broadcast_missing_receivers", Type.GAUGE,
      "Receivers that did not get the last broadcast marker");

  /** The metric types wsprobe exports, by their exposition names. */
  public enum Type {
    GAUGE, COUNTER, HISTOGRAM;

    final String label = name().toLowerCase(java.util.Locale.ROOT);
  }

  private final String metricName;
  private final Type type;
  private final String help;
  /** {@code name{} or, for a counter, {@code name_total{}: where a sample line starts. */
  final byte[] sample;
  /** Histograms only: where the bucket, count and sum lines start. */
  final byte[] bucket;
  final byte[] count;
  final byte[] sum;

  ProbeFamily(String metricName, Type type, String help) {
    this.metricName = metricName;
    this.type = type;
    this.help = help;
    this.sample = ascii(type == Type.COUNTER ? metricName + "_total{" : metricName + "{");
    this.bucket = ascii(metricName + "_bucket{");
    this.count = ascii(metricName + "_count{");
    this.sum = ascii(metricName + "_sum{");
  }

  /** The family's name as OpenMetrics writes it (without a counter's {@code _total}). */
  public String metricName() {
    return metricName;
  }

  public Type type() {
    return type;
  }

  public String help() {
    return help;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
