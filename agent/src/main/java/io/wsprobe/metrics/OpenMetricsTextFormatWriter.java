package io.wsprobe.metrics;

/** OpenMetrics 1.0 text: TYPE before HELP, a counter's family named without {@code _total}. */
public final class OpenMetricsTextFormatWriter extends ExpositionFormatWriter {

  public static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  OpenMetricsTextFormatWriter() {
    super(CONTENT_TYPE, "application/openmetrics-text", "# EOF\n", (name, type, help) -> "# TYPE " + name
        + " " + type.label + "\n# HELP " + name + " " + help + "\n");
  }
}
