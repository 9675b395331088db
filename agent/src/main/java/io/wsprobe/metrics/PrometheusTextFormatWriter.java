package io.wsprobe.metrics;

/** The Prometheus text format 0.0.4: HELP before TYPE, counters named with {@code _total}. */
public final class PrometheusTextFormatWriter extends ExpositionFormatWriter {

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  PrometheusTextFormatWriter() {
    super(CONTENT_TYPE, "text/plain", "", (name, type, help) -> {
      String shown = type == ProbeFamily.Type.COUNTER ? name + "_total" : name;
      return "# HELP " + shown + " " + help + "\n# TYPE " + shown + " " + type.label + "\n";
    });
  }
}
