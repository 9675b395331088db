package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeResultTest {

  @Test
  void aBuilderLeftAloneIsAProbeThatMeasuredNothing() {
    ProbeResult r = ProbeResult.builder(Result.DNS_ERROR).build();
    assertThat(r.result()).isEqualTo(Result.DNS_ERROR);
    assertThat(r.success()).isFalse();
    assertThat(r.detail()).isEmpty();
    assertThat(r.diagnosis()).isEmpty();
    assertThat(r.durationNanos()).isZero();
    assertThat(r.phases()).isEmpty();
    assertThat(r.statusCode()).isZero();
    assertThat(r.rttNanos()).isEmpty();
    assertThat(r.holdSurvivedNanos()).isEqualTo(-1);
    assertThat(r.certNotAfter()).isNull();
    assertThat(r.closeCode()).isEqualTo(-1);
    assertThat(r.closeReason()).isEmpty();
    assertThat(r.answer()).isEmpty();
    assertThat(r.broadcastDelaysNanos()).isEmpty();
    assertThat(r.broadcastMissing()).isEqualTo(-1);
    assertThat(r.trace()).isNull();
  }

  @Test
  void everyFieldSetIsKept() {
    var phases = ProbeResult.emptyPhases();
    phases.put(Phase.CONNECT, 5L);
    Instant notAfter = Instant.parse("2030-01-01T00:00:00Z");
    Trace trace = new Trace(0, io.wsprobe.config.Redactor.NONE);
    ProbeResult r = ProbeResult.builder(Result.SUCCESS).detail("d").diagnosis("g").durationNanos(7)
        .phases(phases).statusCode(101).rttNanos(List.of(1L, 2L)).holdSurvivedNanos(3)
        .certNotAfter(notAfter).closeCode(1000).closeReason("bye").answer("HTTP/1.1 101")
        .broadcastDelaysNanos(List.of(4L)).broadcastMissing(0).trace(trace).build();
    assertThat(r).isEqualTo(new ProbeResult(Result.SUCCESS, "d", "g", 7, phases, 101, List.of(1L, 2L), 3,
        notAfter, 1000, "bye", "HTTP/1.1 101", List.of(4L), 0, trace));
    assertThat(r.success()).isTrue();
  }
}
