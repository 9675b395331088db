package io.wsprobe.cli;

import static io.wsprobe.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.cli.CliTest.Run;
import org.junit.jupiter.api.Test;

/** {@code wsprobe probe} builds its module through the config readers: a broken rule names the option. */
class ProbeCommandTest {

  @Test
  void anOriginThatIsNotSchemeHostPortIsRefused() {
    Run r = run("probe", "ws://127.0.0.1:1/app", "--origin", "app.example.com/path");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("wsprobe probe: --origin: must be scheme://host[:port]");
  }

  @Test
  void aHeaderTheHandshakeOwnsIsRefused() {
    Run r = run("probe", "ws://127.0.0.1:1/app", "--header", "Sec-WebSocket-Key: x");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("wsprobe probe: --header Sec-WebSocket-Key: cannot be set as a header");
  }

  @Test
  void theTimeoutMustLeaveRoomForTheHold() {
    Run r = run("probe", "ws://127.0.0.1:1/app", "--hold", "6s", "--timeout", "5s");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("wsprobe probe: --timeout 5s must be above the hold duration 6s of module default");
  }

  @Test
  void pingsMustComeWithinTheHold() {
    Run r = run("probe", "ws://127.0.0.1:1/app", "--hold", "1s", "--ping-interval", "1s");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("wsprobe probe: --ping-interval: 1s must be below the hold duration 1s");
  }

  @Test
  void anOriginUrlMustBeAWebSocketUrlAndIsNotEchoed() {
    Run r = run("probe", "ws://127.0.0.1:1/app", "--origin-url", "https://app.internal:3000/app?token=s3cret");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("wsprobe probe: --origin-url: URL scheme must be ws or wss, got 'https' (use wss://)")
        .doesNotContain("s3cret");
  }
}
