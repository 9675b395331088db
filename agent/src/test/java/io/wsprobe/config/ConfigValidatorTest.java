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

/** The rules between settings ({@link ConfigValidator}), each with its exact error. */
class ConfigValidatorTest {

  /** Timeouts against intervals, holds and broadcasts. */
  @Nested
  class Timing {

    @Test
    void aShortIntervalNeedsAShorterTimeoutThanTheDefault() {
      assertThat(errors("global:\n  interval: 5s\n")).containsExactly(
          "test.yml:2: global.timeout: 10s (the default) must be below the interval 5s");
    }

    @Test
    void anInheritedTimeoutMustBeBelowTheTargetsInterval() {
      assertThat(errors("""
          global:
            timeout: 10s
          targets:
            - name: a
              url: ws://a.example.com/
              interval: 5s
          """)).containsExactly(
          "test.yml:6: targets[0].timeout: 10s (inherited) must be below the interval 5s");
    }

    @Test
    void anInheritedTimeoutMustBeAboveTheHold() {
      assertThat(errors("""
          modules:
            idle:
              hold: { duration: 10s }
          targets:
            - name: a
              url: ws://a.example.com/
              module: idle
          """)).containsExactly("test.yml:7: targets[0].timeout: 10s (inherited) must be above "
          + "the hold duration 10s of module idle");
    }

    @Test
    void theTimeoutMustBeBelowTheInheritedTimeoutOfEveryTargetUsingTheModule() {
      assertThat(errors("""
          modules:
            room:
              broadcast: { timeout: 10s }
          targets:
            - name: a
              url: ws://a.example.com/room
              module: room
            - name: b
              url: ws://b.example.com/room
              module: room
              timeout: 20s
          """)).containsExactly("test.yml:7: targets[0].timeout: 10s (inherited) must be above "
          + "the broadcast timeout 10s of module room");
    }

    @Test
    void settlePlusTheBroadcastTimeoutMustFitInTheTargetsTimeout() {
      assertThat(errors("""
          modules:
            room:
              broadcast: { timeout: 3s, settle: 2s }
            late:
              broadcast: { settle: 6s }
          targets:
            - name: a
              url: ws://a.example.com/room
              module: room
              timeout: 5s
            - name: b
              url: ws://b.example.com/room
              module: late
              timeout: 5s
            - name: c
              url: ws://c.example.com/room
              module: room
              timeout: 6s
          """)).containsExactly(
          "test.yml:10: targets[0].timeout: 5s must be above the broadcast settle + timeout 5s "
              + "of module room",
          "test.yml:14: targets[1].timeout: 5s must be above the broadcast settle 6s of module late");
    }

    @Test
    void aTimeoutBelowTheTargetsIsValid() throws Exception {
      Config config = parse("""
          modules:
            room:
              broadcast: { receivers: 2, timeout: 9s }
          targets:
            - name: a
              url: ws://a.example.com/room
              module: room
          """);

      assertThat(config.moduleOf(config.targets().get(0)).app().broadcast())
          .isEqualTo(new Broadcast(2, seconds(9)));
    }

    @Test
    void theHoldAndTheBroadcastAreEachCheckedAgainstTheTimeout() {
      assertThat(errors("""
          modules:
            room:
              hold: { duration: 10s }
              broadcast: { timeout: 12s }
          targets:
            - name: a
              url: ws://a.example.com/room
              module: room
              timeout: 10s
          """)).containsExactly(
          "test.yml:9: targets[0].timeout: 10s must be above the hold duration 10s of module room",
          "test.yml:9: targets[0].timeout: 10s must be above the broadcast timeout 12s of module "
              + "room");
    }
  }

  /** Keys that exclude each other. */
  @Nested
  class PairsAndClashes {

    @Test
    void bearerTokenConflictsWithAnAuthorizationHeader() {
      assertThat(errors("""
          modules:
            m:
              headers:
                authorization: Basic abc
              bearer_token: ${env:TOKEN}
          """)).containsExactly("test.yml:5: modules.m.bearer_token: conflicts with the "
          + "Authorization header set in headers; keep one of them");
    }

    @Test
    void aCookieHeaderIsFineWithHocuspocusAuth() throws Exception {
      Config config = parse("""
          modules:
            collab:
              protocol: hocuspocus
              headers: { Cookie: "lb=eu-1" }
              hocuspocus: { document: page.1 }
              auth: { type: docmost, base_url: https://d.example.com, email: e, password: p }
          """);

      assertThat(config.modules().get("collab").app().auth()).isNotNull();
    }

    @Test
    void theTokenFileOfHocuspocusMayNotBeSetWithAuthEither() {
      assertThat(errors("""
          modules:
            collab:
              protocol: hocuspocus
              hocuspocus: { document: page.1, token_file: token.txt }
              auth: { type: docmost, base_url: https://d.example.com, email: e, password: p }
          """)).containsExactly("test.yml:4: modules.collab.hocuspocus.token_file: not allowed "
          + "with auth: the token comes from auth");
    }
  }

  /** Blocks that need a protocol. */
  @Nested
  class ProtocolBlocks {

    @Test
    void aBlockForAnotherProtocolIsStillChecked() {
      assertThat(errors("""
          modules:
            m:
              protocol: hocuspocus
              hocuspocus: { document: d, token: t }
              socketio:
                namespace: chat
                markr: {}
          """)).containsExactly(
          "test.yml:5: modules.m.socketio: needs protocol: socketio; this module's protocol is "
              + "hocuspocus",
          "test.yml:6: modules.m.socketio.namespace: must start with \"/\", such as /chat; got "
              + "\"chat\"",
          "test.yml:7: modules.m.socketio.markr: unknown key (known: namespace, join, marker, "
              + "auth)");
    }

    @Test
    void anInvalidProtocolDoesNotAlsoReportTheBlocksAsMismatched() {
      assertThat(errors("""
          modules:
            m:
              protocol: SocketIO
              socketio: { namespace: /chat }
          """)).containsExactly("test.yml:3: modules.m.protocol: must be raw, socketio, "
          + "hocuspocus or ywebsocket, got \"SocketIO\"");
    }

    @Test
    void hocuspocusWithAuthNeedsOnlyTheDocument() {
      assertThat(errors("""
          modules:
            collab:
              protocol: hocuspocus
              auth:
                type: docmost
                base_url: https://docs.example.com
                email: probe@example.com
                password: ${env:API_KEY}
          """)).containsExactly("test.yml:3: modules.collab.hocuspocus: missing required key: "
          + "protocol hocuspocus needs hocuspocus.document");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"raw", "ywebsocket"})
    void authIsOnlyForSocketIoAndHocuspocus(String protocol) {
      assertThat(errors("""
          modules:
            m:
              protocol: %s
              auth: { type: docmost, base_url: https://d.example.com, email: e, password: p }
          """.formatted(protocol))).containsExactly("test.yml:4: modules.m.auth: needs protocol: "
          + "socketio (for the cookie) or hocuspocus (for the collab token); this module's "
          + "protocol is " + protocol);
    }

    @Test
    void authWithTheDefaultProtocolSaysSo() {
      assertThat(errors("""
          modules:
            m:
              auth: { type: docmost, base_url: https://d.example.com, email: e, password: p }
          """)).containsExactly("test.yml:3: modules.m.auth: needs protocol: socketio (for the "
          + "cookie) or hocuspocus (for the collab token); this module's protocol is raw (the "
          + "default)");
    }
  }

  /** A password never travels in the clear to another host. */
  @Nested
  class PlainHttp {

    private static final String HEAD = ConfigTesting.SOCKETIO_LOGIN;

    @Test
    void aPasswordOverPlainHttpToAnotherHostIsRefused() {
      assertThat(errors(HEAD + """
              base_url: http://docmost.internal:3000/wiki
              email: probe@example.com
              password: p
        """)).containsExactly("test.yml:6: modules.tree.auth.base_url: sends the password over "
          + "plain http to a non-loopback host; use https, or set insecure_http: true");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://127.0.0.1:3000", "http://127.1.2.3", "http://localhost:3000",
        "http://LOCALHOST", "http://[::1]:3000", "https://docmost.internal"})
    void plainHttpIsFineToLoopbackAndHttpsAnywhere(String url) throws Exception {
      Config config = parse(HEAD + "      base_url: " + url + "\n"
          + "      email: probe@example.com\n      password: p\n");

      assertThat(config.modules().get("tree").app().auth().insecureHttp()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://127.0.0.1.example.com", "http://10.0.0.1", "http://[::2]",
        "http://localhost.example.com"})
    void aNameOrAddressThatOnlyLooksLocalIsNotLoopback(String url) {
      assertThat(errors(HEAD + "      base_url: " + url + "\n"
          + "      email: probe@example.com\n      password: p\n")).singleElement()
          .asString().endsWith("use https, or set insecure_http: true");
    }
  }
}
