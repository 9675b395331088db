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

/** The {@code modules:} section ({@link ModuleReader}). */
class ModuleReaderTest {

  @Nested
  class ModulesSection {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1B:1", "65536:65536", "512KiB:524288", "1MiB:1048576",
        "256MiB:268435456"})
    void maxMessageSize(String pair) throws Exception {
      String[] parts = pair.split(":");
      Config config = parse("modules:\n  m:\n    max_message_size: " + parts[0] + "\n");

      assertThat(config.modules().get("m").maxMessageBytes()).isEqualTo(Long.parseLong(parts[1]));
    }

    @Test
    void anchorsAndMergeKeysShareSettingsBetweenModules() throws Exception {
      Config config = parse("""
          modules:
            base: &base
              origin: https://app.example.com
              subprotocols: [graphql-ws]
            derived:
              <<: *base
              origin: https://other.example.com
          """);

      Module derived = config.modules().get("derived");
      assertThat(derived.origin()).isEqualTo("https://other.example.com");
      assertThat(derived.subprotocols()).containsExactly("graphql-ws");
    }

    @Test
    void aModuleMustBeAMapping() {
      assertThat(errors("modules:\n  echo: [ping]\n")).containsExactly(
          "test.yml:2: modules.echo: expected a mapping, got a list");
    }
  }

  @Nested
  class WireKeys {

    @Test
    void http11AndNoCompressionByDefault() throws Exception {
      Module m = parse("modules:\n  m:\n    origin: https://a.example\n").modules().get("m");
      assertThat(m.wire()).isEqualTo(Module.Wire.DEFAULT);
      assertThat(Module.defaults().wire()).isEqualTo(Module.Wire.DEFAULT);
    }

    @ParameterizedTest(name = "http_version: {0}")
    @ValueSource(strings = {"2", "\"2\"", "2.0", "'2'"})
    void http2QuotedOrNot(String written) throws Exception {
      Module m = parse("modules:\n  m:\n    http_version: " + written + "\n").modules().get("m");
      assertThat(m.wire().httpVersion()).isEqualTo(Module.HttpVersion.HTTP_2);
    }

    @Test
    void http11AndEachCompression() throws Exception {
      Config config = parse("""
          modules:
            a: { http_version: 1.1, compression: offer }
            b: { http_version: "1.1", compression: require }
            c: { compression: "off" }
          """);
      assertThat(config.modules().get("a").wire())
          .isEqualTo(new Module.Wire(Module.HttpVersion.HTTP_1_1, Module.Compression.OFFER));
      assertThat(config.modules().get("b").wire().compression()).isEqualTo(Module.Compression.REQUIRE);
      assertThat(config.modules().get("c").wire().compression()).isEqualTo(Module.Compression.OFF);
    }

    @Test
    void aBadValueNamesTheKeyAndLine() {
      assertThat(errors("modules:\n  m:\n    http_version: [2]\n")).containsExactly(
          "test.yml:3: modules.m.http_version: expected a string, got a list");
      assertThat(errors("modules:\n  m:\n    http_version: h2\n")).containsExactly(
          "test.yml:3: modules.m.http_version: must be \"1.1\" or \"2\", got \"h2\"");
    }
  }

  @Nested
  class ProxyKeys {

    @Test
    void noProxyByDefault() throws Exception {
      assertThat(parse("modules:\n  m:\n    origin: https://a.example\n").modules().get("m").proxy()).isNull();
    }

    @Test
    void hostAndPortWithoutCredentials() throws Exception {
      Module.Proxy proxy = parse("modules:\n  m:\n    proxy_url: http://proxy.corp.example:3128\n")
          .modules().get("m").proxy();

      assertThat(proxy).isEqualTo(new Module.Proxy("proxy.corp.example", 3128, null, null));
      assertThat(proxy.address()).isEqualTo("proxy.corp.example:3128");
    }

    @Test
    void defaultPortAndIpv6Literal() throws Exception {
      Module.Proxy proxy = parse("modules:\n  m:\n    proxy_url: http://[::1]/\n").modules().get("m").proxy();

      assertThat(proxy.host()).isEqualTo("::1");
      assertThat(proxy.port()).isEqualTo(Module.Proxy.DEFAULT_PORT);
      assertThat(proxy.address()).isEqualTo("[::1]:8080");
    }

    @Test
    void passwordFromTheEnvironmentStaysSecret() throws Exception {
      Module.Proxy proxy = parse("modules:\n  m:\n    proxy_url: http://proxy:3128\n"
          + "    proxy_user: probe\n    proxy_password: ${env:TOKEN}\n").modules().get("m").proxy();

      assertThat(proxy.user()).isEqualTo("probe");
      assertThat(proxy.password().value()).isEqualTo("t0ken-from-env");
      assertThat(proxy.toString()).doesNotContain("t0ken-from-env");
    }

    @Test
    void passwordFromAFile(@TempDir Path dir) throws Exception {
      Files.writeString(dir.resolve("proxy-password"), "fr0m-file\n");
      Config config = ConfigLoader.parse("modules:\n  m:\n    proxy_url: http://proxy:3128\n"
          + "    proxy_user: probe\n    proxy_password_file: proxy-password\n", "test.yml", dir, ENV::get);

      assertThat(config.modules().get("m").proxy().password().value()).isEqualTo("fr0m-file");
    }

    @Test
    void passwordWithoutUser() {
      assertThat(errors("modules:\n  m:\n    proxy_url: http://proxy:3128\n"
          + "    proxy_password: x\n"))
          .containsExactly("test.yml:4: modules.m.proxy_password: needs proxy_user");
    }

    @Test
    void userWithAColon() {
      assertThat(errors("modules:\n  m:\n    proxy_url: http://proxy:3128\n"
          + "    proxy_user: a:b\n    proxy_password: x\n"))
          .containsExactly("test.yml:4: modules.m.proxy_user: must not contain ':' or control characters");
    }

    @Test
    void httpsProxyIsNotSupported() {
      assertThat(errors("modules:\n  m:\n    proxy_url: https://proxy:3128\n"))
          .containsExactly("test.yml:3: modules.m.proxy_url: scheme must be http (the probe speaks plain"
              + " HTTP to the proxy and TLS through its tunnel), got https");
    }
  }
}
