package io.wsprobe.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.prober.Hop;
import io.wsprobe.prober.Phase;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One on-demand probe's answer: gauges of that probe, in either format, without target labels. */
class OnDemandSeriesTest {

  static String written(ExpositionFormatWriter format, ProbeResult r) {
    TextOut out = new TextOut(64);
    format.write(out, r);
    return out.toString();
  }

  @Test
  void aFullProbeInText() {
    Map<Phase, Long> phases = new EnumMap<>(Phase.class);
    phases.put(Phase.CONNECT, 2_000_000L);
    phases.put(Phase.UPGRADE, 3_500_000L);
    ProbeResult r = ProbeResult.builder(Result.SUCCESS).durationNanos(12_500_000L).phases(phases).statusCode(101)
        .rttNanos(List.of(1_000_000L, 4_000_000L, 2_000_000L)).holdSurvivedNanos(5_000_000_000L)
        .certNotAfter(Instant.ofEpochSecond(1_800_000_000L)).hop(Hop.CADDY).build();
    assertThat(written(ExpositionFormats.TEXT, r)).isEqualTo("""
        # HELP wsprobe_probe_success 1 if the probe passed every step, else 0
        # TYPE wsprobe_probe_success gauge
        wsprobe_probe_success 1.0
        # HELP wsprobe_probe_result The probe's outcome, as the result label (always 1)
        # TYPE wsprobe_probe_result gauge
        wsprobe_probe_result{result="success"} 1.0
        # HELP wsprobe_probe_duration_seconds Duration of the whole probe
        # TYPE wsprobe_probe_duration_seconds gauge
        wsprobe_probe_duration_seconds 0.0125
        # HELP wsprobe_phase_duration_seconds Duration of each phase the probe completed
        # TYPE wsprobe_phase_duration_seconds gauge
        wsprobe_phase_duration_seconds{phase="connect"} 0.002
        wsprobe_phase_duration_seconds{phase="upgrade"} 0.0035
        # HELP wsprobe_upgrade_status_code HTTP status of the last upgrade answer (101 ok, 0 none)
        # TYPE wsprobe_upgrade_status_code gauge
        wsprobe_upgrade_status_code 101.0
        # HELP wsprobe_upgrade_hop_info The proxy or CDN the upgrade answer came through (hop label)
        # TYPE wsprobe_upgrade_hop_info gauge
        wsprobe_upgrade_hop_info{hop="caddy"} 1.0
        # HELP wsprobe_websocket_extension_info The WebSocket extension the probe's upgrade agreed to, with its parameters (extension none when none was)
        # TYPE wsprobe_websocket_extension_info gauge
        wsprobe_websocket_extension_info{extension="none",params=""} 1
        # HELP wsprobe_message_rtt_seconds The slowest message round trip of the probe
        # TYPE wsprobe_message_rtt_seconds gauge
        wsprobe_message_rtt_seconds 0.004
        # HELP wsprobe_hold_survived_seconds How long the held session survived
        # TYPE wsprobe_hold_survived_seconds gauge
        wsprobe_hold_survived_seconds 5.0
        # HELP wsprobe_tls_cert_expiry_timestamp_seconds Earliest notAfter in the peer's certificate chain, Unix time
        # TYPE wsprobe_tls_cert_expiry_timestamp_seconds gauge
        wsprobe_tls_cert_expiry_timestamp_seconds 1.8E9
        """);
  }

  @Test
  void aFailureInOpenMetricsLeavesOutWhatItDidNotMeasure() {
    ProbeResult r = ProbeResult.builder(Result.CONNECT_REFUSED).durationNanos(1_000_000L).build();
    assertThat(written(ExpositionFormats.OPENMETRICS, r)).isEqualTo("""
        # TYPE wsprobe_probe_success gauge
        # HELP wsprobe_probe_success 1 if the probe passed every step, else 0
        wsprobe_probe_success 0.0
        # TYPE wsprobe_probe_result gauge
        # HELP wsprobe_probe_result The probe's outcome, as the result label (always 1)
        wsprobe_probe_result{result="connect_refused"} 1.0
        # TYPE wsprobe_probe_duration_seconds gauge
        # HELP wsprobe_probe_duration_seconds Duration of the whole probe
        wsprobe_probe_duration_seconds 0.001
        # TYPE wsprobe_upgrade_status_code gauge
        # HELP wsprobe_upgrade_status_code HTTP status of the last upgrade answer (101 ok, 0 none)
        wsprobe_upgrade_status_code 0.0
        # TYPE wsprobe_upgrade_hop_info gauge
        # HELP wsprobe_upgrade_hop_info The proxy or CDN the upgrade answer came through (hop label)
        wsprobe_upgrade_hop_info{hop="unknown"} 1.0
        # TYPE wsprobe_websocket_extension_info gauge
        # HELP wsprobe_websocket_extension_info The WebSocket extension the probe's upgrade agreed to, with its parameters (extension none when none was)
        wsprobe_websocket_extension_info{extension="none",params=""} 1
        # EOF
        """);
  }
}
