package io.wsprobe.metrics;

/** OpenMetrics 1.0 text: TYPE before HELP, a counter's family named without {@code _total}. */
public final class OpenMetricsTextFormatWriter extends ExpositionFormatWriter {

  public static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  OpenMetricsTextFormatWriter() {
    super(CONTENT_TYPE, "application/openmetrics-text", f -> "# TYPE " + f.metricName() + " " + f.type().label
        + "\n# HELP " + f.metricName() + " " + f.help() + "\n");
  }
}
