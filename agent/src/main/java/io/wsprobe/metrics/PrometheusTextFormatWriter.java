package io.wsprobe.metrics;

import java.util.EnumMap;
import java.util.Map;

/** The Prometheus text format 0.0.4: HELP before TYPE, counters named with {@code _total}. */
public final class PrometheusTextFormatWriter implements ExpositionFormatWriter {

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Map<ProbeFamily, byte[]> headers = new EnumMap<>(ProbeFamily.class);

  PrometheusTextFormatWriter() {
    for (ProbeFamily f : ProbeFamily.values()) {
      String shown = f.type() == ProbeFamily.Type.COUNTER ? f.metricName() + "_total" : f.metricName();
      headers.put(f, ProbeFamily.ascii("# HELP " + shown + " " + f.help() + "\n# TYPE " + shown + " "
          + f.type().label + "\n"));
    }
  }

  @Override
  public boolean accepts(String acceptHeader) {
    return acceptHeader != null && acceptHeader.contains("text/plain");
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
