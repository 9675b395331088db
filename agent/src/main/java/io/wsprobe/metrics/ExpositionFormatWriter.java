package io.wsprobe.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wsprobe.prober.ProbeResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * One exposition format of {@code /metrics}, as client_java's writers are: its content type,
 * whether a scraper's {@code Accept} header asks for it, and how it writes a family's header
 * (the sample lines are the same in both formats). Pick one with {@link ExpositionFormats#find}.
 */
public abstract sealed class ExpositionFormatWriter
    permits PrometheusTextFormatWriter, OpenMetricsTextFormatWriter {

  /** How a format writes a family's {@code # HELP} and {@code # TYPE} lines. */
  @FunctionalInterface
  interface HeaderText {
    String of(String metricName, ProbeFamily.Type type, String help);
  }

  private final String contentType;
  private final String mediaType;
  private final byte[] end;
  /** Each family's {@code # HELP} and {@code # TYPE} lines, rendered once. */
  private final Map<ProbeFamily, byte[]> headers = new EnumMap<>(ProbeFamily.class);
  private final Map<OnDemandFamily, byte[]> onDemandHeaders = new EnumMap<>(OnDemandFamily.class);

  /** @param end what ends an answer in this format ({@code # EOF} in OpenMetrics) */
  ExpositionFormatWriter(String contentType, String mediaType, String end, HeaderText header) {
    this.contentType = contentType;
    this.mediaType = mediaType;
    this.end = ProbeFamily.ascii(end);
    for (ProbeFamily f : ProbeFamily.values()) {
      headers.put(f, ProbeFamily.ascii(header.of(f.metricName(), f.type(), f.help())));
    }
    for (OnDemandFamily f : OnDemandFamily.values()) {
      onDemandHeaders.put(f, ProbeFamily.ascii(header.of(f.metricName(), ProbeFamily.Type.GAUGE, f.help())));
    }
  }

  /** Whether {@code acceptHeader} (may be null) asks for this format. */
  public boolean accepts(String acceptHeader) {
    return acceptHeader != null && acceptHeader.contains(mediaType);
  }

  /** The {@code Content-Type} of an answer in this format. */
  public String contentType() {
    return contentType;
  }

  /** The {@code # HELP} and {@code # TYPE} lines of one per-target family. */
  void header(TextOut out, ProbeFamily family) {
    out.bytes(headers.get(family));
  }

  /** The {@code # HELP} and {@code # TYPE} lines of one family of an on-demand probe's answer. */
  void header(TextOut out, OnDemandFamily family) {
    out.bytes(onDemandHeaders.get(family));
  }

  /**
   * Writes the series of one on-demand probe ({@code /probe}), with the end the format needs:
   * {@link OnDemandSeries}, gauges without the per-target labels.
   */
  public void write(TextOut out, ProbeResult result) {
    OnDemandSeries.write(out, this, result);
    out.bytes(end);
  }

  /**
   * Writes every series: the targets' first ({@code probes}, may be null), then the agent's and
   * the JVM's from Micrometer's {@code registry}, which ends OpenMetrics with {@code # EOF}.
   */
  public void write(TextOut out, ProbeMetrics probes, PrometheusMeterRegistry registry) {
    if (probes != null) {
      probes.writeTo(out, this);
    }
    try {
      registry.scrape(out, contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // TextOut does not throw
    }
  }
}
