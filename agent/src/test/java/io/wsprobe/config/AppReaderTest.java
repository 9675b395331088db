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

/** {@code protocol} and the blocks that go with it ({@link AppReader}). */
class AppReaderTest {

  @Nested
  class Protocols {

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws IOException {
      Files.createDirectories(dir.resolve("secrets"));
      Files.writeString(dir.resolve("secrets/collab-token"), "collab-t0ken-from-file\n");
      Files.writeString(dir.resolve("secrets/probe"), "passw0rd-from-file\r\n");
    }

    private Config parseIn(String yaml) throws ConfigException {
      return ConfigLoader.parse(yaml, "test.yml", dir, ENV::get);
    }

    @Test
    void aRawRoomWithABroadcastParsesToTheExactModule() throws Exception {
      Config config = parse("""
          modules:
            room:
              protocol: raw
              broadcast: { receivers: 2, timeout: 3s }
          """);

      Module defaults = Module.defaults();
      assertThat(config.modules().get("room")).isEqualTo(new Module("room", Map.of(), null,
          List.of(), Tls.defaults(), IpProtocol.IP4, true, defaults.maxMessageBytes(), List.of(),
          null, new App(Protocol.RAW, new Broadcast(2, seconds(3)), null, null, null)));
    }

    @Test
    void aFullSocketIoModuleParsesToTheExactRecords() throws Exception {
      Config config = parse("""
          modules:
            chat:
              protocol: socketio
              socketio:
                namespace: /chat
                join: { event: join, args: ["room-a", 5, "5", 1.5, true, null, [1, 2], {a: b}], ack: true }
                marker: { event: ping-marker, data: { room: room-a, n: 2, tags: [x] } }
                auth: { token: "${env:TOKEN}", client: wsprobe }
              broadcast: { receivers: 1 }
          """);

      assertThat(config.modules().get("chat").app()).isEqualTo(new App(Protocol.SOCKETIO,
          new Broadcast(1, null),
          new SocketIo("/chat",
              new SocketIo.Event("join", "[\"room-a\",5,\"5\",1.5,true,null,[1,2],{\"a\":\"b\"}]", true),
              new SocketIo.Event("ping-marker", "{\"room\":\"room-a\",\"n\":2,\"tags\":[\"x\"]}"),
              new Secret("{\"token\":\"t0ken-from-env\",\"client\":\"wsprobe\"}", true)),
          null, null));
    }

    @Test
    void aHocuspocusModuleWithATokenFileParsesToTheExactRecords() throws Exception {
      Config config = parseIn("""
          modules:
            collab:
              protocol: hocuspocus
              hocuspocus: { document: judge-doc, token_file: secrets/collab-token }
              broadcast: { receivers: 1 }
          """);

      assertThat(config.modules().get("collab").app()).isEqualTo(new App(Protocol.HOCUSPOCUS,
          new Broadcast(1, null), null,
          new Hocuspocus("judge-doc", new Secret("collab-t0ken-from-file", true)), null));
    }

    @Test
    void aHocuspocusTokenMayComeFromTheEnvironmentOrBeWrittenAndIsAlwaysSecret() throws Exception {
      Config config = parse("""
          modules:
            env:
              protocol: hocuspocus
              hocuspocus: { document: a, token: "${env:TOKEN}" }
            literal:
              protocol: hocuspocus
              hocuspocus: { document: b, token: written-here }
          """);

      assertThat(config.modules().get("env").app().hocuspocus())
          .isEqualTo(new Hocuspocus("a", new Secret("t0ken-from-env", true)));
      assertThat(config.modules().get("literal").app().hocuspocus())
          .isEqualTo(new Hocuspocus("b", new Secret("written-here", true)));
    }

    @Test
    void aDocmostHocuspocusModuleParsesToTheExactRecords() throws Exception {
      Config config = parseIn("""
          modules:
            docmost_collab:
              protocol: hocuspocus
              hocuspocus: { document: "page.<pageId>" }
              auth:
                type: docmost
                base_url: https://docs.example.com
                email: probe@example.com
                password_file: secrets/probe
              broadcast: { receivers: 1 }
          """);

      assertThat(config.modules().get("docmost_collab").app()).isEqualTo(new App(
          Protocol.HOCUSPOCUS, new Broadcast(1, null), null, new Hocuspocus("page.<pageId>", null),
          new Auth("docmost", URI.create("https://docs.example.com"), "probe@example.com",
              new Secret("passw0rd-from-file", true))));
    }

    @Test
    void aYWebsocketModuleParsesToTheExactRecords() throws Exception {
      Config config = parse("""
          modules:
            notes:
              protocol: ywebsocket
              bearer_token: ${env:TOKEN}
              broadcast: { receivers: 3, timeout: 2s }
          """);

      Module notes = config.modules().get("notes");
      assertThat(notes.app()).isEqualTo(
          new App(Protocol.YWEBSOCKET, new Broadcast(3, seconds(2)), null, null, null));
      assertThat(notes.headers()).containsOnlyKeys("Authorization");
    }

    @Test
    void withoutProtocolAModuleSpeaksRawFramesWithoutBroadcast() throws Exception {
      Config config = parse("modules:\n  m:\n    origin: https://app.example.com\n");

      assertThat(config.modules().get("m").app()).isEqualTo(App.RAW);
      assertThat(Module.defaults().app()).isEqualTo(App.RAW);
    }

    @Test
    void anEmptyDocumentIsAnError() {
      assertThat(errors("""
          modules:
            collab:
              protocol: hocuspocus
              hocuspocus: { document: "", token: t }
          """)).containsExactly(
          "test.yml:4: modules.collab.hocuspocus.document: must not be empty");
    }

    @Test
    void theMistakesOfSeveralBlocksAreReportedTogetherInFileOrder() {
      assertThat(errors("""
          modules:
            m:
              protocol: hocuspocus
              broadcast: { receivers: 0, timeout: 0s }
              hocuspocus: { documnt: d }
              auth:
                type: docmost
                base_url: docs.example.com
                email:
          """)).containsExactly(
          "test.yml:4: modules.m.broadcast.receivers: must be between 1 and 50, got 0",
          "test.yml:4: modules.m.broadcast.timeout: must be greater than 0",
          "test.yml:5: modules.m.hocuspocus.documnt: unknown key (known: document, token, "
              + "token_file)",
          "test.yml:5: modules.m.hocuspocus.document: missing required key",
          "test.yml:7: modules.m.auth: set exactly one of password and password_file",
          "test.yml:8: modules.m.auth.base_url: must be an absolute URL starting with http:// "
              + "or https://",
          "test.yml:9: modules.m.auth.email: expected a string, got null");
    }
  }

  @Nested
  class BroadcastSection {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"broadcast:", "broadcast: {}", "broadcast: { receivers: 1 }"})
    void anEmptyBroadcastHasOneReceiverAndTheProbesTimeout(String line) throws Exception {
      Config config = parse("modules:\n  room:\n    " + line + "\n");

      assertThat(config.modules().get("room").app())
          .isEqualTo(new App(Protocol.RAW, new Broadcast(1, null), null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {1, 50})
    void receiversFrom1To50(int receivers) throws Exception {
      Config config = parse("modules:\n  room:\n    broadcast: { receivers: " + receivers + " }\n");

      assertThat(config.modules().get("room").app().broadcast().receivers()).isEqualTo(receivers);
    }

    @Test
    void receiversMustBeAnInteger() {
      assertThat(errors("modules:\n  room:\n    broadcast: { receivers: two }\n")).containsExactly(
          "test.yml:3: modules.room.broadcast.receivers: expected an integer, got \"two\"");
    }

    @Test
    void settleIsADurationFromZeroAndDefaultsToZero() throws Exception {
      assertThat(parse("modules:\n  room:\n    broadcast: { settle: 750ms }\n").modules().get("room")
          .app().broadcast()).isEqualTo(new Broadcast(1, null, Duration.ofMillis(750)));
      assertThat(parse("modules:\n  room:\n    broadcast: { settle: 0s }\n").modules().get("room")
          .app().broadcast().settle()).isZero();
      assertThat(parse("modules:\n  room:\n    broadcast: {}\n").modules().get("room")
          .app().broadcast().settle()).isZero();
      assertThat(errors("modules:\n  room:\n    broadcast: { settle: soon }\n")).hasSize(1)
          .first().asString().startsWith("test.yml:3: modules.room.broadcast.settle: invalid duration \"soon\"");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"raw", "socketio", "ywebsocket"})
    void aBroadcastNeedsNoOtherSettingsForTheseProtocols(String protocol) throws Exception {
      Config config = parse("modules:\n  m:\n    protocol: " + protocol
          + "\n    broadcast: { receivers: 2 }\n");

      assertThat(config.modules().get("m").app().broadcast()).isEqualTo(new Broadcast(2, null));
    }
  }
}
