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

/** The {@code socketio:} block and its JSON values ({@link SocketIoReader}, {@link JsonValues}). */
class SocketIoReaderTest {

  @Nested
  class SocketIoBlock {

    @Test
    void socketIoWithoutSettingsUsesTheDefaultNamespaceAndMarker() throws Exception {
      Config config = parse("modules:\n  chat:\n    protocol: socketio\n");

      assertThat(config.modules().get("chat").app()).isEqualTo(new App(Protocol.SOCKETIO, null,
          new SocketIo("/", null, new SocketIo.Event("wsprobe-marker", "{}"), null), null, null));
    }

    @Test
    void socketIoKeysNotGivenKeepTheirDefaults() throws Exception {
      Config config = parse("""
          modules:
            a:
              protocol: socketio
              socketio: { join: { event: hello }, marker: { event: ping } }
            b:
              protocol: socketio
              socketio: { marker: { data: { kind: probe-marker } } }
            c:
              protocol: socketio
              socketio:
          """);

      assertThat(config.modules().get("a").app().socketio()).isEqualTo(new SocketIo("/",
          new SocketIo.Event("hello", "[]"), new SocketIo.Event("ping", "{}"), null));
      assertThat(config.modules().get("b").app().socketio()).isEqualTo(new SocketIo("/", null,
          new SocketIo.Event("wsprobe-marker", "{\"kind\":\"probe-marker\"}"), null));
      assertThat(config.modules().get("c").app().socketio()).isEqualTo(
          new SocketIo("/", null, new SocketIo.Event("wsprobe-marker", "{}"), null));
    }

    @Test
    void jsonValuesKeepTheirYamlTypes() throws Exception {
      Config config = parse("""
          modules:
            chat:
              protocol: socketio
              socketio:
                join:
                  event: join
                  args: [0x1F, 1_000, -3, 1e3, .5, yes, "yes", 2024-01-01, "", ~, {}, []]
          """);

      assertThat(config.modules().get("chat").app().socketio().join().json()).isEqualTo(
          "[31,1000,-3,1000.0,0.5,true,\"yes\",\"2024-01-01\",\"\",null,{},[]]");
    }

    @Test
    void anchorsMayShareJsonValuesAndMergeKeysApply() throws Exception {
      Config config = parse("""
          modules:
            chat:
              protocol: socketio
              socketio:
                join: { event: join, args: [&room {id: a}, *room] }
                marker:
                  data:
                    <<: *room
                    kind: marker
          """);

      SocketIo socketio = config.modules().get("chat").app().socketio();
      assertThat(socketio.join().json()).isEqualTo("[{\"id\":\"a\"},{\"id\":\"a\"}]");
      assertThat(socketio.marker().json()).isEqualTo("{\"kind\":\"marker\",\"id\":\"a\"}");
    }

    @Test
    void aRecursiveAliasIsAnError() {
      assertThat(errors("""
          modules:
            chat:
              protocol: socketio
              socketio:
                join: { event: join, args: &loop [*loop] }
          """)).containsExactly("test.yml:5: modules.chat.socketio.join.args[0]: a YAML alias to "
          + "an enclosing value cannot be written as JSON");
    }

    @Test
    void socketIoAuthWithLiteralValuesOnlyIsSecretWhenAKeyIsNamedLikeACredential()
        throws Exception {
      Config config = parse("""
          modules:
            a:
              protocol: socketio
              socketio: { auth: { room: lobby, client: wsprobe } }
            b:
              protocol: socketio
              socketio: { auth: { room: lobby, apiKey: abc } }
          """);

      assertThat(config.modules().get("a").app().socketio().auth())
          .isEqualTo(new Secret("{\"room\":\"lobby\",\"client\":\"wsprobe\"}", false));
      assertThat(config.modules().get("b").app().socketio().auth())
          .isEqualTo(new Secret("{\"room\":\"lobby\",\"apiKey\":\"abc\"}", true));
    }

    @Test
    void socketIoAuthValuesAreStrings() {
      assertThat(errors("""
          modules:
            chat:
              protocol: socketio
              socketio:
                auth: { token: { nested: x } }
          """)).containsExactly(
          "test.yml:5: modules.chat.socketio.auth.token: expected a string, got a mapping");
    }

    @Test
    void aNamespaceMustNotContainAComma() {
      assertThat(errors("""
          modules:
            chat:
              protocol: socketio
              socketio: { namespace: "/a,b" }
          """)).containsExactly("test.yml:4: modules.chat.socketio.namespace: must not contain "
          + "a comma: it ends the namespace in a Socket.IO packet");
    }
  }
}
