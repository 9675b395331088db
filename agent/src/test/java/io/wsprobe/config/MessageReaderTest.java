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

/** Messages and what their answers must look like ({@link MessageReader}). */
class MessageReaderTest {

  @Nested
  class Messages {

    @Test
    void echoFalseIsNotAnExpectation() {
      assertThat(errors("""
          modules:
            m:
              messages:
                - send: ping
                  expect: { echo: false }
          """)).containsExactly("test.yml:5: modules.m.messages[0].expect.echo: only echo: true "
          + "is meaningful (leave expect out to accept any answer)");
    }

    @Test
    void aTypoInsideAMessageIsReportedOnce() {
      assertThat(errors("modules:\n  m:\n    messages:\n      - sned: ping\n")).containsExactly(
          "test.yml:4: modules.m.messages[0].sned: unknown key (known: send, send_base64, "
              + "expect, count, capture)");
    }
  }

  @Nested
  class ServerFirstAndCaptures {

    @Test
    void anExpectAloneWaitsAndACaptureFeedsALaterSend() throws Exception {
      Config config = parse("""
          modules:
            m:
              messages:
                - expect: { contains: token }
                  capture: { token: '"token":"([^"]+)"' }
                - send: '{"auth":"${capture:token}"}'
                  expect: { contains: ok }
          """);
      assertThat(config.modules().get("m").messages()).containsExactly(
          new Message(null, false, new Expect(Expect.Kind.CONTAINS, "token", null), 1,
              Map.of("token", "\"token\":\"([^\"]+)\"")),
          new Message("{\"auth\":\"${capture:token}\"}", false, new Expect(Expect.Kind.CONTAINS, "ok", null), 1));
      Message send = config.modules().get("m").messages().get(1);
      assertThat(new String(send.bytes(Map.of("token", "a$1\\b")), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("{\"auth\":\"a$1\\b\"}");
    }

    @Test
    void aStepWithNeitherSendNorExpectIsAnError() {
      assertThat(errors("modules:\n  m:\n    messages:\n      - count: 2\n")).containsExactly(
          "test.yml:4: modules.m.messages[0]: set one of send and send_base64, or expect alone to "
              + "wait for the server's next message");
    }

    @Test
    void echoNeedsASend() {
      assertThat(errors("modules:\n  m:\n    messages:\n      - expect: { echo: true }\n")).containsExactly(
          "test.yml:4: modules.m.messages[0].expect: echo needs a send (a step without send waits "
              + "for the server's next message)");
    }

    @Test
    void aCaptureRegexHasExactlyOneGroup() {
      assertThat(errors("""
          modules:
            m:
              messages:
                - expect: { contains: id }
                  capture: { none: 'id=\\w+', two: 'id=(\\w+)-(\\w+)', bad: '(', 9x: '(a)' }
          """)).containsExactly(
          "test.yml:5: modules.m.messages[0].capture.none: the regex must have exactly one group (the "
              + "value kept), it has 0; make other groups non-capturing: (?:...)",
          "test.yml:5: modules.m.messages[0].capture.two: the regex must have exactly one group (the "
              + "value kept), it has 2; make other groups non-capturing: (?:...)",
          "test.yml:5: modules.m.messages[0].capture.bad: invalid regex: Unclosed group near index 1",
          "test.yml:5: modules.m.messages[0].capture.9x: invalid capture name; it must match "
              + "[A-Za-z_][A-Za-z0-9_]*");
    }

    @Test
    void aReferenceNeedsAnEarlierCapture() {
      assertThat(errors("""
          modules:
            m:
              messages:
                - send: 'auth ${capture:token} ${capture:tokn}'
                  capture: { token: 'token=(\\w+)' }
                - send: 'again ${capture:token}'
          """)).containsExactly(
          "test.yml:4: modules.m.messages[0].send: ${capture:token} is used before a step captures it"
              + " (a capture is kept from an earlier step's answer)",
          "test.yml:4: modules.m.messages[0].send: unknown capture 'tokn' (captured: token)");
      assertThat(errors("modules:\n  m:\n    messages:\n      - send: '${capture:x}'\n")).containsExactly(
          "test.yml:4: modules.m.messages[0].send: unknown capture 'x' (no step has a capture)");
    }
  }
}
