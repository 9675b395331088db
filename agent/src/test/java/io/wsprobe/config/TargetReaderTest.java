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

/** The {@code targets:} list ({@link TargetReader}). */
class TargetReaderTest {

  @Nested
  class OriginUrl {

    @Test
    void isReadWithTheTarget() throws Exception {
      Config config = parse("""
          targets:
            - name: hops
              url: wss://docs.example.com/collab
              origin_url: ws://docmost.internal:3000/collab
            - name: plain
              url: wss://docs.example.com/collab
          """);

      assertThat(config.targets().get(0).originUrl()).isEqualTo(URI.create("ws://docmost.internal:3000/collab"));
      assertThat(config.targets().get(0).origin().url()).isEqualTo(URI.create("ws://docmost.internal:3000/collab"));
      assertThat(config.targets().get(0).origin().originUrl()).isNull();
      assertThat(config.targets().get(1).originUrl()).isNull();
    }

    @Test
    void mustBeAWebSocketUrlNamingFieldAndLine() {
      assertThat(errors("""
          targets:
            - name: hops
              url: wss://docs.example.com/collab
              origin_url: https://docmost.internal/collab
            - name: empty
              url: wss://docs.example.com/collab
              origin_url: ""
          """)).containsExactly(
          "test.yml:4: targets[0].origin_url: scheme must be ws or wss, got https",
          "test.yml:7: targets[1].origin_url: must not be empty");
    }

    @Test
    void mustNotBeThePublicUrl() {
      assertThat(errors("""
          targets:
            - name: hops
              url: wss://docs.example.com/collab
              origin_url: wss://docs.example.com/collab
          """)).containsExactly("test.yml:4: targets[0].origin_url: is the same as url: set the app's own"
          + " address, behind the proxies (e.g. ws://app:3000/collab)");
    }

    @Test
    void keepsNoCredentialsInTheUrl() {
      assertThat(errors("""
          targets:
            - name: hops
              url: wss://docs.example.com/collab
              origin_url: ws://user:hunter2@docmost.internal/collab
          """)).singleElement().asString().startsWith("test.yml:4: targets[0].origin_url: ")
          .doesNotContain("hunter2");
    }
  }

  @Nested
  class TargetsSection {

    @Test
    void targetLabelsAreMergedOverTheGlobalOnes() throws Exception {
      Config config = parse("""
          global:
            labels: { location: eu-west-1, env: prod }
          targets:
            - name: a
              url: ws://a.example.com/
              labels: { env: staging, team: web }
          """);

      assertThat(config.targets().get(0).labels()).containsExactly(entry("location", "eu-west-1"),
          entry("env", "staging"), entry("team", "web"));
    }

    @Test
    void theQueryStringIsKept() throws Exception {
      Config config = parse("""
          targets:
            - name: socketio
              url: wss://docs.example.com/socket.io/?EIO=4&transport=websocket
          """);

      Target target = config.targets().get(0);
      assertThat(target.url().getRawQuery()).isEqualTo("EIO=4&transport=websocket");
      assertThat(target.tls()).isTrue();
      assertThat(target.port()).isEqualTo(443);
    }

    @Test
    void aTargetMustBeAMapping() {
      assertThat(errors("targets:\n  - wss://a.example.com/\n")).containsExactly(
          "test.yml:2: targets[0]: expected a mapping, got a string");
    }
  }
}
