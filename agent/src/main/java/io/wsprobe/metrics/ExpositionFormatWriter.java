package io.wsprobe.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One exposition format of {@code /metrics}, as client_java's writers are: its content type,
 * whether a scraper's {@code Accept} header asks for it, and how it writes a family's header
 * (the sample lines are the same in both formats). Pick one with {@link ExpositionFormats#find}.
 */
public abstract sealed class ExpositionFormatWriter
    permits PrometheusTextFormatWriter, OpenMetricsTextFormatWriter {

  private final String contentType;
  private final String mediaType;
  /** Each family's {@code # HELP} and {@code # TYPE} lines, rendered once. */
  private final Map<ProbeFamily, byte[]> headers = new EnumMap<>(ProbeFamily.class);

  ExpositionFormatWriter(String contentType, String mediaType, Function<ProbeFamily, String> header) {
    this.contentType = contentType;
    this.mediaType = mediaType;
    for (ProbeFamily f : ProbeFamily.values()) {
      headers.put(f, ProbeFamily.ascii(header.apply(f)));
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
