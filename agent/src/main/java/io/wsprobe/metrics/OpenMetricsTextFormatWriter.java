package io.wsprobe.metrics;

import java.util.EnumMap;
import java.util.Map;

/** OpenMetrics 1.0 text: TYPE before HELP, a counter's family named without {@code _total}. */
public final class OpenMetricsTextFormatWriter implements ExpositionFormatWriter {

  public static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final Map<ProbeFamily, byte[]> headers = new EnumMap<>(ProbeFamily.class);

  OpenMetricsTextFormatWriter() {
    for (ProbeFamily f : ProbeFamily.values()) {
      headers.put(f, ProbeFamily.ascii("# TYPE " + f.metricName() + " " + f.type().label + "\n# HELP "
          + f.metricName() + " " + f.help() + "\n"));
    }
  }

  @Override
  public boolean accepts(String acceptHeader) {
    return acceptHeader != null && acceptHeader.contains("application/openmetrics-text");
  }

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  @Override
  public void header(TextOut out, ProbeFamily family) {
    out.bytes(headers.get(family));
  }
}
