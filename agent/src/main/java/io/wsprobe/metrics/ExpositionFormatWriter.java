package io.wsprobe.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One exposition format of {@code /metrics}, as client_java's writers are: its content type,
 * whether a scraper's {@code Accept} header asks for it, and how it writes a family's header.
 * Pick one with {@link ExpositionFormats#find}.
 */
public sealed interface ExpositionFormatWriter
    permits PrometheusTextFormatWriter, OpenMetricsTextFormatWriter {

  /** Whether {@code acceptHeader} (may be null) asks for this format. */
  boolean accepts(String acceptHeader);

  /** The {@code Content-Type} of an answer in this format. */
  String contentType();

  /** The {@code # HELP} and {@code # TYPE} lines of one per-target family. */
  void header(TextOut out, ProbeFamily family);

  /**
   * Writes every series: the targets' first ({@code probes}, may be null), then the agent's and
   * the JVM's from Micrometer's {@code registry}, which ends OpenMetrics with {@code # EOF}.
   */
  default void write(TextOut out, ProbeMetrics probes, PrometheusMeterRegistry registry) {
    if (probes != null) {
      probes.writeTo(out, this);
    }
    try {
      registry.scrape(out, contentType());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // TextOut does not throw
    }
  }
}
