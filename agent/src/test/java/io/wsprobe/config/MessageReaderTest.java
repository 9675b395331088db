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
              + "expect, count)");
    }
  }
}
