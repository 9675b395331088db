package io.wsprobe.metrics;

/** The Prometheus text format 0.0.4: HELP before TYPE, counters named with {@code _total}. */
public final class PrometheusTextFormatWriter extends ExpositionFormatWriter {

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  PrometheusTextFormatWriter() {
    super(CONTENT_TYPE, "text/plain", f -> {
      String shown = f.type() == ProbeFamily.Type.COUNTER ? f.metricName() + "_total" : f.metricName();
      return "# HELP " + shown + " " + f.help() + "\n# TYPE " + shown + " " + f.type().label + "\n";
    });
  }
}
