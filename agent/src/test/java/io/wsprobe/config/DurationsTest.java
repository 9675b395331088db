package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
      "500ms, 500",
      "5s, 5000",
      "1m30s, 90000",
      "2h, 7200000",
      "1d, 86400000",
      "1w, 604800000",
      "1y, 31536000000",
      "1h1m1s1ms, 3661001",
      "0s, 0",
      "90s, 90000",
  })
  void parses(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "{1} ms formats as {0}")
  @CsvSource({
      "500ms, 500",
      "5s, 5000",
      "1m30s, 90000",
      "2h, 7200000",
      "1d, 86400000",
      "1d1h, 90000000",
      "1s500ms, 1500",
      "0s, 0",
  })
  void formats(String text, long millis) {
    assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"500ms", "5s", "1m30s", "2h", "1d", "1w2d3h4m5s6ms"})
  void formatReadsBackTheSame(String text) {
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "30", "5 s", "1.5s", "-5s", "30s1m", "5S", "1h1h", "ms", "10sec"})
  void rejects(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid duration \"" + text + "\" (examples: 500ms, 30s, 1m30s, 2h, 1d)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999s", "999999999999y"})
  void rejectsOverflow(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration \"" + text + "\" is too long");
  }
}
