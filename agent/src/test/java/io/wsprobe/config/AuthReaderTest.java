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

/** The {@code auth:} login block ({@link AuthReader}). */
class AuthReaderTest {

  @Nested
  class AuthSection {

    private static final String HEAD = ConfigTesting.SOCKETIO_LOGIN;

    @Test
    void aDocmostLoginForSocketIoParsesToTheExactRecord() throws Exception {
      Config config = parse(HEAD + """
              base_url: http://docmost.internal:3000/wiki
              email: probe@example.com
              password: ${env:API_KEY}
              insecure_http: true
        """);

      assertThat(config.modules().get("tree").app()).isEqualTo(new App(Protocol.SOCKETIO, null,
          new SocketIo("/", null, new SocketIo.Event("wsprobe-marker", "{}"), null), null,
          new Auth("docmost", URI.create("http://docmost.internal:3000/wiki"),
              "probe@example.com", new Secret("k3y-from-env", true), true)));
    }

    @Test
    void aLiteralPasswordIsSecret() throws Exception {
      Config config = parse(HEAD + """
              base_url: https://docs.example.com
              email: probe@example.com
              password: written-in-the-file
        """);

      assertThat(config.modules().get("tree").app().auth().password())
          .isEqualTo(new Secret("written-in-the-file", true));
    }

    @Test
    void everyRequiredKeyIsReported() {
      assertThat(errors("modules:\n  tree:\n    protocol: socketio\n    auth: {}\n"))
          .containsExactly(
              "test.yml:4: modules.tree.auth.type: missing required key (known: docmost)",
              "test.yml:4: modules.tree.auth.base_url: missing required key",
              "test.yml:4: modules.tree.auth.email: missing required key",
              "test.yml:4: modules.tree.auth: set exactly one of password and password_file");
    }

    @Test
    void aTypoOfPasswordIsReportedOnce() {
      assertThat(errors(HEAD + """
              base_url: https://docs.example.com
              email: probe@example.com
              pasword: x
        """)).containsExactly("test.yml:8: modules.tree.auth.pasword: unknown key (known: "
          + "type, base_url, email, password, password_file, insecure_http)");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badBaseUrls")
    void theBaseUrlIsAnHttpUrlWithAHost(String url, String message) {
      assertThat(errors(HEAD + "      base_url: \"" + url + "\"\n"
          + "      email: probe@example.com\n      password: x\n"))
          .containsExactly("test.yml:6: modules.tree.auth.base_url: " + message);
    }

    static Stream<Arguments> badBaseUrls() {
      return Stream.of(
          arguments("ftp://docs.example.com", "scheme must be http or https, got ftp"),
          arguments("/docs", "must be an absolute URL starting with http:// or https://"),
          arguments("https:///api", "must have a host"),
          arguments("https://admin:pw@docs.example.com",
              "must not contain credentials (user:password@); use email and password"),
          arguments("https://docs.example.com/?space=a",
              "must be a base URL, without a query (?...) or fragment (#...)"),
          arguments("https://docs example.com",
              "not a valid URL: Illegal character in authority at index 8"),
          arguments("", "must not be empty"));
    }
  }
}
