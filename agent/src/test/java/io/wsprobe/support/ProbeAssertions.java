package io.wsprobe.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;

/** What every probe result must hold, whatever the test: its outcome, and words for a failure. */
public final class ProbeAssertions {

  private ProbeAssertions() {}

  /**
   * The result is {@code expected}; a success has no detail and no diagnosis, a failure both (a
   * failure nobody can read is a defect). The message shows the detail and the whole trace.
   */
  public static void assertResult(ProbeResult r, Result expected) {
    assertThat(r.result()).as("result; detail: %s%ntrace:%n%s", r.detail(), r.trace().render())
        .isEqualTo(expected);
    if (expected == Result.SUCCESS) {
      assertThat(r.detail()).as("detail of a success").isEmpty();
      assertThat(r.diagnosis()).as("diagnosis of a success").isEmpty();
    } else {
      assertThat(r.detail()).as("detail of a failure").isNotBlank();
      assertThat(r.diagnosis()).as("diagnosis of a failure").isNotBlank();
    }
  }
}
