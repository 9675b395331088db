package io.wsprobe.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wsprobe.config.Config;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Phase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two exposition writers: the per-target text they write is the text the agent has always
 * written (the golden files in src/test/resources/metrics were written by the single writer
 * these two replace), and the choice between them follows the scraper's Accept header.
 */
class ExpositionFormatWriterTest {

  static ProbeMetrics recorded() throws Exception {
    Config config = ScrapeFixture.config();
    ProbeMetrics metrics = new ProbeMetrics(config);
    Map<String, TargetSeries> by = new HashMap<>();
    for (Target t : config.targets()) {
      by.put(t.name(), metrics.register(t, config.moduleOf(t)));
    }
    ScrapeFixture.record((name, r) -> by.get(name).record(r, 1_700_000_000_123L), () -> by.get("by-name").skipped());
    return metrics;
  }

  static String golden(String name) throws IOException {
    try (InputStream in = ExpositionFormatWriterTest.class.getResourceAsStream("/metrics/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static String targets(ExpositionFormatWriter format) throws Exception {
    TextOut out = new TextOut(16);
    recorded().writeTo(out, format);
    return out.toString();
  }

  @ParameterizedTest
  @CsvSource({"text/plain, targets.text-0.0.4.txt", "application/openmetrics-text, targets.openmetrics.txt"})
  void writesThePerTargetSeriesByteForByte(String accept, String golden) throws Exception {
    assertThat(targets(ExpositionFormats.find(accept))).isEqualTo(golden(golden));
  }

  @Nested
  class Text004 {

    @Test
    void namesCountersWithTotalAndPutsHelpFirst() throws Exception {
      assertThat(targets(ExpositionFormats.TEXT)).contains(
          "# HELP wsprobe_probes_total Probes by outcome\n# TYPE wsprobe_probes_total counter\n",
          "# HELP wsprobe_probe_success 1 if the last probe passed every step, else 0\n"
              + "# TYPE wsprobe_probe_success gauge\n");
    }

    @Test
    void thenWritesMicrometersSeriesInTheSameFormat() {
      String all = write(ExpositionFormats.TEXT);
      assertThat(all).startsWith("# HELP wsprobe_probe_success ").contains("\n# HELP wsprobe_build_info ")
          .doesNotContain("# EOF");
      assertThat(ExpositionFormats.TEXT.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    }
  }

  @Nested
  class OpenMetrics {

    @Test
    void namesCounterFamiliesWithoutTotalAndPutsTypeFirst() throws Exception {
      assertThat(targets(ExpositionFormats.OPENMETRICS)).contains(
          "# TYPE wsprobe_probes counter\n# HELP wsprobe_probes Probes by outcome\nwsprobe_probes_total{");
    }

    @Test
    void endsWithEof() {
      assertThat(write(ExpositionFormats.OPENMETRICS)).startsWith("# TYPE wsprobe_probe_success gauge\n")
          .endsWith("# EOF\n");
      assertThat(ExpositionFormats.OPENMETRICS.contentType())
          .isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
    }
  }

  String write(ExpositionFormatWriter format) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gauge.builder("wsprobe.build.info", () -> 1).register(registry);
    TextOut out = new TextOut(16);
    try {
      format.write(out, recorded(), registry);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      registry.close();
    }
    return out.toString();
  }

  @Test
  void withoutTargetsOnlyMicrometerWrites() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TextOut out = new TextOut(16);
    ExpositionFormats.TEXT.write(out, null, registry);
    assertThat(out.toString()).doesNotContain("wsprobe_probe");
    registry.close();
  }

  @Nested
  class Negotiation {

    @ParameterizedTest
    @ValueSource(strings = {
        "application/openmetrics-text; version=1.0.0,text/plain;q=0.5",
        "application/openmetrics-text",
        "text/plain;q=0.1,application/openmetrics-text;version=0.0.1;q=0.9",
    })
    void openMetricsWhenAskedFor(String accept) {
      assertThat(ExpositionFormats.find(accept)).isSameAs(ExpositionFormats.OPENMETRICS);
      assertThat(ExpositionFormats.OPENMETRICS.accepts(accept)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "text/plain",
        "text/plain; version=0.0.4",
        "*/*",
        "text/html",
        // what Prometheus sends when native histograms are on: protobuf first, never selected
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
            + "text/plain;version=0.0.4;q=0.3",
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
    })
    void text004Otherwise(String accept) {
      ExpositionFormatWriter chosen = ExpositionFormats.find(accept);
      assertThat(chosen).isSameAs(ExpositionFormats.TEXT);
      assertThat(chosen.contentType()).doesNotContain("protobuf");
    }

    @Test
    void eachWriterAcceptsItsOwnType() {
      assertThat(ExpositionFormats.TEXT.accepts("text/plain; version=0.0.4")).isTrue();
      assertThat(ExpositionFormats.TEXT.accepts("application/openmetrics-text")).isFalse();
      assertThat(ExpositionFormats.OPENMETRICS.accepts("text/plain")).isFalse();
      assertThat(ExpositionFormats.OPENMETRICS.accepts(null)).isFalse();
      assertThat(ExpositionFormats.TEXT.accepts(null)).isFalse();
    }
  }

  /** A module with proxy_url: its CONNECT phase and status; a target without one exports neither. */
  @Test
  void proxiedTargetsExportTheirConnectStatus() throws Exception {
    Config config = io.wsprobe.config.ConfigLoader.parse("""
        modules:
          outbound: { proxy_url: "http://10.0.0.8:3128" }
        targets:
          - { name: out, url: "wss://app.example/ws", module: outbound }
          - { name: direct, url: "wss://app.example/ws" }
        """, "proxy.yml", java.nio.file.Path.of("."), n -> null);
    ProbeMetrics metrics = new ProbeMetrics(config);
    Map<Phase, Long> phases = new java.util.EnumMap<>(Phase.class);
    phases.put(Phase.CONNECT, 1_000_000L);
    phases.put(Phase.PROXY_CONNECT, 2_000_000L);
    for (Target t : config.targets()) {
      metrics.register(t, config.moduleOf(t)).record(io.wsprobe.prober.ProbeResult.builder(io.wsprobe.prober.Result.PROXY_ERROR)
          .detail("d").phases(phases).proxyStatusCode(403).build(), 1_700_000_000_123L);
    }
    TextOut out = new TextOut(16);
    metrics.writeTo(out, ExpositionFormats.TEXT);
    String text = out.toString();

    assertThat(text).contains("wsprobe_proxy_connect_status_code{module=\"outbound\",target=\"out\"} 403.0\n",
        "wsprobe_phase_duration_seconds_count{module=\"outbound\",phase=\"proxy_connect\",target=\"out\"} 1\n",
        "wsprobe_probes_total{module=\"outbound\",result=\"proxy_error\",target=\"out\"} 1.0\n");
    assertThat(text).doesNotContain("wsprobe_proxy_connect_status_code{module=\"default\"",
        "phase=\"dns\",target=\"out\"", "phase=\"proxy_connect\",target=\"direct\"");
  }

  /** A target with origin_url exports the origin's upgrade, as it last went; one without, nothing. */
  @Test
  void targetsWithAnOriginExportItsUpgrade() throws Exception {
    Config config = io.wsprobe.config.ConfigLoader.parse("""
        targets:
          - { name: hops, url: "wss://docs.example/collab", origin_url: "ws://10.0.0.9:3000/collab" }
          - { name: plain, url: "wss://docs.example/collab" }
        """, "origin.yml", java.nio.file.Path.of("."), n -> null);
    ProbeMetrics metrics = new ProbeMetrics(config);
    Target hops = config.targets().get(0);
    TargetSeries series = metrics.register(hops, config.moduleOf(hops));
    metrics.register(config.targets().get(1), config.moduleOf(config.targets().get(1)));
    TextOut before = new TextOut(16);
    metrics.writeTo(before, ExpositionFormats.TEXT);
    assertThat(before.toString()).contains("wsprobe_origin_upgrade_success{module=\"default\",target=\"hops\"} 0.0\n");

    series.record(io.wsprobe.prober.ProbeResult.builder(io.wsprobe.prober.Result.UPGRADE_REJECTED).statusCode(426)
        .origin(new io.wsprobe.prober.OriginUpgrade(io.wsprobe.prober.Result.SUCCESS, 101, "")).build(), 1L);
    TextOut up = new TextOut(16);
    metrics.writeTo(up, ExpositionFormats.TEXT);
    assertThat(up.toString()).contains("# TYPE wsprobe_origin_upgrade_success gauge\n",
        "wsprobe_origin_upgrade_success{module=\"default\",target=\"hops\"} 1.0\n")
        .doesNotContain("wsprobe_origin_upgrade_success{module=\"default\",target=\"plain\"}");

    series.record(io.wsprobe.prober.ProbeResult.builder(io.wsprobe.prober.Result.UPGRADE_REJECTED).statusCode(502)
        .origin(new io.wsprobe.prober.OriginUpgrade(io.wsprobe.prober.Result.CONNECT_REFUSED, 0, "refused")).build(), 2L);
    TextOut down = new TextOut(16);
    metrics.writeTo(down, ExpositionFormats.TEXT);
    assertThat(down.toString()).contains("wsprobe_origin_upgrade_success{module=\"default\",target=\"hops\"} 0.0\n");
  }
}
