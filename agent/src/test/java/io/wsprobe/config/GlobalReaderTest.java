package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
import static io.wsprobe.config.ConfigTesting.ENV;
import static io.wsprobe.config.ConfigTesting.errors;
import static io.wsprobe.config.ConfigTesting.exception;
import static io.wsprobe.config.ConfigTesting.parse;
import static io.wsprobe.config.ConfigTesting.seconds;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.wsprobe.config.Module.App;
import io.wsprobe.config.Module.Auth;
import io.wsprobe.config.Module.Broadcast;
import io.wsprobe.config.Module.Expect;
import io.wsprobe.config.Module.Hocuspocus;
import io.wsprobe.config.Module.Hold;
import io.wsprobe.config.Module.IpProtocol;
import io.wsprobe.config.Module.Message;
import io.wsprobe.config.Module.Protocol;
import io.wsprobe.config.Module.SocketIo;
import io.wsprobe.config.Module.Tls;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code global:} section ({@link GlobalReader}, {@link LabelReader}). */
class GlobalReaderTest {

  @Nested
  class GlobalSection {

    @Test
    void bucketBoundsMustBePositiveNumbers() {
      assertThat(errors("""
          global:
            buckets:
              probe_duration: [0, 1]
              phase_duration: []
              scheduler_lag: [fast]
              message_rtt: .inf
          """)).containsExactly(
          "test.yml:3: global.buckets.probe_duration[0]: must be greater than 0, got 0",
          "test.yml:4: global.buckets.phase_duration: must list 1 to 12 bucket bounds, got 0",
          "test.yml:5: global.buckets.scheduler_lag[0]: expected a finite number, got \"fast\"",
          "test.yml:6: global.buckets.message_rtt: expected a list, got a number");
    }

    @Test
    void bucketsNotGivenKeepTheirDefaults() throws Exception {
      Config config = parse("global:\n  buckets:\n    message_rtt: [0.01, 0.1]\n");

      Buckets defaults = Buckets.defaults();
      assertThat(config.global().buckets()).isEqualTo(new Buckets(defaults.probeDuration(),
          defaults.phaseDuration(), List.of(0.01, 0.1), defaults.schedulerLag(),
          defaults.broadcastDelay()));
    }

    @Test
    void labelValuesAreScalarsAsWritten() throws Exception {
      Config config = parse("global:\n  labels: { a: 1, b: true, c: '' }\n");

      assertThat(config.global().labels()).containsExactly(entry("a", "1"), entry("b", "true"),
          entry("c", ""));
    }

    @Test
    void aNullLabelValueIsAnError() {
      assertThat(errors("global:\n  labels:\n    team:\n")).containsExactly(
          "test.yml:3: global.labels.team: expected a string, got null");
    }
  }
}
