package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** `wsprobe probe` prints "diagnosis:" for every failure: there must be words under it. */
class DiagnosisWordsTest {

  @ParameterizedTest
  @EnumSource(value = Result.class, names = "SUCCESS", mode = EnumSource.Mode.EXCLUDE)
  void everyFailureHasWords(Result result) {
    for (int status : new int[] {0, 101, 200, 301, 400, 401, 403, 404, 426, 500, 502, 503}) {
      for (String contentType : new String[] {null, "", "text/html"}) {
        assertThat(Diagnosis.of(result, status, contentType, "some detail"))
            .as(result + " " + status + " " + contentType).isNotBlank();
        for (Hop hop : Hop.values()) { // an answer that named the proxy it came through
          assertThat(Diagnosis.of(result, status, contentType, "some detail", new HopRecogniser.Seen(hop, "Server: x")))
              .as(result + " " + status + " " + contentType + " through " + hop).isNotBlank();
        }
      }
    }
  }
}
