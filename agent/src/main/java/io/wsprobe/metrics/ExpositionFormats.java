package io.wsprobe.metrics;

/** The formats {@code /metrics} can answer in, and the choice between them. */
public final class ExpositionFormats {
  private ExpositionFormats() {}

  public static final ExpositionFormatWriter TEXT = new PrometheusTextFormatWriter();
  public static final ExpositionFormatWriter OPENMETRICS = new OpenMetricsTextFormatWriter();

  /**
   * OpenMetrics when the {@code Accept} header asks for it, else text 0.0.4, whatever else it
   * asks for: never protobuf, which Micrometer's {@code scrape()} would corrupt.
   */
  public static ExpositionFormatWriter find(String acceptHeader) {
    return OPENMETRICS.accepts(acceptHeader) ? OPENMETRICS : TEXT;
  }
}
