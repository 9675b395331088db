package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
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

class ConfigLoaderTest {

  /** A stand-in for the process environment; values are distinctive so leaks are visible. */
  private static final Map<String, String> ENV = Map.of(
      "API_KEY", "k3y-from-env",
      "TOKEN", "t0ken-from-env");

  private static Config parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "test.yml", Path.of(""), ENV::get);
  }

  private static List<String> errors(String yaml) {
    return errors(yaml, Path.of(""), ENV);
  }

  private static List<String> errors(String yaml, Path baseDir, Map<String, String> env) {
    return exception(yaml, baseDir, env).errors().stream().map(ConfigError::toString).toList();
  }

  private static ConfigException exception(String yaml, Path baseDir, Map<String, String> env) {
    try {
      ConfigLoader.parse(yaml, "test.yml", baseDir, env::get);
    } catch (ConfigException e) {
      return e;
    }
    return fail("expected the configuration to be rejected");
  }

  private static Duration seconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  @Nested
  class FullConfig {

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws IOException {
      Files.createDirectories(dir.resolve("certs"));
      Files.createDirectories(dir.resolve("secrets"));
      Files.writeString(dir.resolve("certs/ca.pem"), "ca");
      Files.writeString(dir.resolve("certs/client.pem"), "cert");
      Files.writeString(dir.resolve("certs/client-key.pem"), "key");
      Files.writeString(dir.resolve("secrets/session.txt"), "session-from-file\n");
    }

    private static final String YAML = """
        global:
          interval: 1m
          timeout: 15s
          labels:
            location: eu-west-1
            env: prod
          max_concurrent_probes: 64
          buckets:
            probe_duration: [0.1, 0.5, 1, 5]
            phase_duration: [0.01, 0.1]
            message_rtt: [0.005]
            scheduler_lag: [1e-3, 0.01, .1]
        modules:
          echo:
            headers:
              X-Api-Key: ${env:API_KEY}
              X-Client: wsprobe
              X-Session: ${file:secrets/session.txt}
            bearer_token: ${env:TOKEN}
            origin: https://app.example.com
            subprotocols: [graphql-ws, graphql-transport-ws]
            tls:
              ca_file: certs/ca.pem
              cert_file: certs/client.pem
              key_file: certs/client-key.pem
              server_name: echo.internal
              insecure_skip_verify: false
            preferred_ip_protocol: ip6
            ip_protocol_fallback: false
            max_message_size: 64KiB
            messages:
              - send: ping
                expect: { echo: true }
                count: 3
              - send_base64: AQID
              - send: '{"type":"status"}'
                expect:
                  json: { path: data.status, equals: ok }
              - send: hello
                expect: { contains: world }
              - send: time
                expect: { regex: "^[0-9]+$" }
            hold: { duration: 20s, ping_interval: 5s }
        targets:
          - name: echo-eu
            url: wss://echo.example.com/ws?room=1
            module: echo
            labels:
              team: platform
              env: staging
            interval: 2m
            timeout: 30s
          - name: plain
            url: ws://plain.example.com:8080/
        """;

    @Test
    void parsesToTheExactExpectedValues() throws Exception {
      Config config = ConfigLoader.parse(YAML, "full.yml", dir, ENV::get);

      Map<String, String> globalLabels = new LinkedHashMap<>();
      globalLabels.put("location", "eu-west-1");
      globalLabels.put("env", "prod");
      Global global = new Global(Duration.ofMinutes(1), seconds(15), globalLabels, 64,
          new Buckets(List.of(0.1, 0.5, 1.0, 5.0), List.of(0.01, 0.1), List.of(0.005),
              List.of(0.001, 0.01, 0.1), Buckets.defaults().broadcastDelay()));

      Map<String, Secret> headers = new LinkedHashMap<>();
      headers.put("X-Api-Key", new Secret("k3y-from-env", true));
      headers.put("X-Client", new Secret("wsprobe", false));
      headers.put("X-Session", new Secret("session-from-file", true));
      headers.put("Authorization", new Secret("Bearer t0ken-from-env", true));
      Module echo = new Module("echo", headers, "https://app.example.com",
          List.of("graphql-ws", "graphql-transport-ws"),
          new Tls(dir.resolve("certs/ca.pem").toString(), dir.resolve("certs/client.pem").toString(),
              dir.resolve("certs/client-key.pem").toString(), "echo.internal", false),
          IpProtocol.IP6, false, 64 * 1024,
          List.of(
              new Message("ping", false, Expect.echo(), 3),
              new Message("AQID", true, new Expect(Expect.Kind.ANY, null, null), 1),
              new Message("{\"type\":\"status\"}", false,
                  new Expect(Expect.Kind.JSON, "ok", "data.status"), 1),
              new Message("hello", false, new Expect(Expect.Kind.CONTAINS, "world", null), 1),
              new Message("time", false, new Expect(Expect.Kind.REGEX, "^[0-9]+$", null), 1)),
          new Hold(seconds(20), seconds(5)));

      Target echoEu = new Target("echo-eu", URI.create("wss://echo.example.com/ws?room=1"), "echo",
          Map.of("location", "eu-west-1", "env", "staging", "team", "platform"),
          Duration.ofMinutes(2), seconds(30));
      Target plain = new Target("plain", URI.create("ws://plain.example.com:8080/"), "default",
          Map.of("location", "eu-west-1", "env", "prod"), Duration.ofMinutes(1), seconds(15));

      assertThat(config).isEqualTo(new Config("full.yml", global,
          Map.of("default", Module.defaults(), "echo", echo), List.of(echoEu, plain)));
    }

    @Test
    void keepsTheWrittenOrder() throws Exception {
      Config config = ConfigLoader.parse(YAML, "full.yml", dir, ENV::get);

      assertThat(config.global().labels().keySet()).containsExactly("location", "env");
      assertThat(config.modules().keySet()).containsExactly("default", "echo");
      assertThat(config.modules().get("echo").headers().keySet())
          .containsExactly("X-Api-Key", "X-Client", "X-Session", "Authorization");
      // Target labels: the global ones first (a target's value replaces in place), then its own.
      assertThat(config.targets().get(0).labels().keySet())
          .containsExactly("location", "env", "team");
    }

    @Test
    void isImmutable() throws Exception {
      Config config = ConfigLoader.parse(YAML, "full.yml", dir, ENV::get);

      assertThatThrownBy(() -> config.global().labels().put("x", "y"))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> config.targets().get(0).labels().put("x", "y"))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> config.modules().put("x", Module.defaults()))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> config.modules().get("echo").headers().remove("X-Client"))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> config.targets().clear())
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void moduleOfFindsTheTargetsModule() throws Exception {
      Config config = ConfigLoader.parse(YAML, "full.yml", dir, ENV::get);

      assertThat(config.moduleOf(config.targets().get(0)).name()).isEqualTo("echo");
      assertThat(config.moduleOf(config.targets().get(1))).isEqualTo(Module.defaults());
    }
  }

  @Nested
  class Defaults {

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "# nothing to probe yet\n", "---\n", "targets:\n",
        "targets: []\n", "global: {}\nmodules: {}\n"})
    void anEmptyConfigIsValid(String yaml) throws Exception {
      Config config = parse(yaml);

      assertThat(config).isEqualTo(new Config("test.yml", Global.defaults(),
          Map.of("default", Module.defaults()), List.of()));
    }

    @Test
    void aTargetGetsTheDefaultModuleAndTheGlobalTiming() throws Exception {
      Config config = parse("""
          targets:
            - name: a
              url: ws://a.example.com/
          """);

      assertThat(config.targets()).containsExactly(new Target("a", URI.create("ws://a.example.com/"),
          "default", Map.of(), seconds(30), seconds(10)));
      assertThat(config.moduleOf(config.targets().get(0))).isEqualTo(Module.defaults());
    }

    @Test
    void anEmptyModuleHasTheDefaultSettingsUnderItsOwnName() throws Exception {
      Config config = parse("modules:\n  upgrade:\n  other: {}\n");

      Module expected = Module.defaults();
      assertThat(config.modules().get("upgrade")).isEqualTo(new Module("upgrade",
          expected.headers(), null, List.of(), Tls.defaults(), IpProtocol.IP4, true,
          1024 * 1024, List.of(), null));
      assertThat(config.modules()).containsKeys("default", "upgrade", "other");
    }

    @Test
    void aUserMayRedefineTheDefaultModule() throws Exception {
      Config config = parse("""
          modules:
            default:
              origin: https://app.example.com
          targets:
            - name: a
              url: ws://a.example.com/
          """);

      assertThat(config.modules()).hasSize(1);
      assertThat(config.moduleOf(config.targets().get(0)).origin())
          .isEqualTo("https://app.example.com");
    }

    @Test
    void aMessageWithoutExpectAcceptsAnyAnswerOnce() throws Exception {
      Config config = parse("modules:\n  m:\n    messages:\n      - send: hi\n");

      assertThat(config.modules().get("m").messages())
          .containsExactly(new Message("hi", false, new Expect(Expect.Kind.ANY, null, null), 1));
    }

    @Test
    void aHoldWithoutPingIntervalSendsNoPings() throws Exception {
      Config config = parse("modules:\n  idle:\n    hold: { duration: 5s }\n");

      assertThat(config.modules().get("idle").hold()).isEqualTo(new Hold(seconds(5), null));
    }
  }

  @Nested
  class GlobalSection {

    @Test
    void aShortIntervalNeedsAShorterTimeoutThanTheDefault() {
      assertThat(errors("global:\n  interval: 5s\n")).containsExactly(
          "test.yml:2: global.timeout: 10s (the default) must be below the interval 5s");
    }

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

    @Test
    void originIsSchemeHostAndPortOnly() {
      assertThat(errors("modules:\n  m:\n    origin: https://app.example.com/\n")).containsExactly(
          "test.yml:3: modules.m.origin: must be scheme://host[:port], such as https://app.example.com");
    }

    @Test
    void headerNamesIgnoreCase() {
      assertThat(errors("""
          modules:
            m:
              headers:
                X-Client: a
                x-client: b
          """)).containsExactly("test.yml:5: modules.m.headers.x-client: duplicate header "
          + "(header names ignore case; also set as X-Client)");
    }

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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"raw", "socketio", "ywebsocket"})
    void aBroadcastNeedsNoOtherSettingsForTheseProtocols(String protocol) throws Exception {
      Config config = parse("modules:\n  m:\n    protocol: " + protocol
          + "\n    broadcast: { receivers: 2 }\n");

      assertThat(config.modules().get("m").app().broadcast()).isEqualTo(new Broadcast(2, null));
    }
  }

  @Nested
  class AuthSection {

    private static final String HEAD = """
        modules:
          tree:
            protocol: socketio
            auth:
              type: docmost
        """;

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

  @Nested
  class InvalidFiles {

    static Stream<Arguments> cases() {
      return Stream.of(
          arguments("invalid-yaml-syntax.yml",
              "invalid-yaml-syntax.yml:3: invalid YAML: mapping values are not allowed here"),
          arguments("invalid-root-list.yml",
              "invalid-root-list.yml:1: expected a mapping, got a list"),
          arguments("invalid-global-type.yml",
              "invalid-global-type.yml:2: global: expected a mapping, got a list"),
          arguments("invalid-unknown-key.yml",
              "invalid-unknown-key.yml:3: modules.echo.hedaers: unknown key (known: headers, "
                  + "bearer_token, bearer_token_file, origin, subprotocols, tls, "
                  + "preferred_ip_protocol, ip_protocol_fallback, max_message_size, messages, hold, "
                  + "protocol, broadcast, socketio, hocuspocus, auth, public_query_params)"),
          arguments("invalid-duplicate-key.yml",
              "invalid-duplicate-key.yml:4: global.interval: duplicate key (first at line 2)"),
          arguments("invalid-duration-unit.yml",
              "invalid-duration-unit.yml:2: global.interval: invalid duration \"30\" "
                  + "(examples: 500ms, 30s, 1m30s, 2h, 1d)"),
          arguments("invalid-duration-zero.yml",
              "invalid-duration-zero.yml:4: targets[0].interval: must be greater than 0"),
          arguments("invalid-global-timeout.yml",
              "invalid-global-timeout.yml:3: global.timeout: 10s must be below the interval 10s"),
          arguments("invalid-target-timeout.yml",
              "invalid-target-timeout.yml:8: targets[1].timeout: 40s must be below the interval 30s"),
          arguments("invalid-hold-timeout.yml",
              "invalid-hold-timeout.yml:10: targets[0].timeout: 20s must be above the hold "
                  + "duration 30s of module idle"),
          arguments("invalid-hold-ping-interval.yml",
              "invalid-hold-ping-interval.yml:5: modules.idle.hold.ping_interval: 30s must be "
                  + "below the hold duration 30s"),
          arguments("invalid-label-name.yml",
              "invalid-label-name.yml:3: global.labels.cloud-region: invalid label name; it must "
                  + "match [a-zA-Z_][a-zA-Z0-9_]*"),
          arguments("invalid-label-double-underscore.yml",
              "invalid-label-double-underscore.yml:3: global.labels.__address__: label names "
                  + "starting with __ are reserved for Prometheus"),
          arguments("invalid-label-reserved.yml",
              "invalid-label-reserved.yml:5: targets[0].labels.instance: reserved label name "
                  + "(reserved: target, module, result, phase, url, le, version, revision, "
                  + "instance, job)"),
          arguments("invalid-label-value.yml",
              "invalid-label-value.yml:3: global.labels.team: expected a string, got a list"),
          arguments("invalid-max-concurrent-probes.yml",
              "invalid-max-concurrent-probes.yml:2: global.max_concurrent_probes: must be at "
                  + "least 1, got 0"),
          arguments("invalid-buckets-order.yml",
              "invalid-buckets-order.yml:3: global.buckets.probe_duration[2]: bounds must be "
                  + "strictly increasing, but 0.25 follows 0.5"),
          arguments("invalid-buckets-count.yml",
              "invalid-buckets-count.yml:3: global.buckets.message_rtt: must list 1 to 12 "
                  + "bucket bounds, got 13"),
          arguments("invalid-module-name.yml",
              "invalid-module-name.yml:2: modules.echo server: invalid module name; it must "
                  + "match [a-zA-Z0-9_.-]+"),
          arguments("invalid-env-unset.yml",
              "invalid-env-unset.yml:4: modules.api.headers.X-Api-Key: environment variable "
                  + "WSPROBE_TEST_UNSET is not set"),
          arguments("invalid-secret-file-missing.yml",
              "invalid-secret-file-missing.yml:4: modules.api.headers.X-Api-Key: cannot read "
                  + "file files/missing-key.txt: no such file"),
          arguments("invalid-reference-syntax.yml",
              "invalid-reference-syntax.yml:4: modules.api.headers.X-Api-Key: malformed "
                  + "reference; write ${env:NAME} or ${file:path}"),
          arguments("invalid-bearer-token-both.yml",
              "invalid-bearer-token-both.yml:4: modules.api.bearer_token_file: bearer_token and "
                  + "bearer_token_file are mutually exclusive"),
          arguments("invalid-header-handshake.yml",
              "invalid-header-handshake.yml:4: modules.api.headers.Sec-WebSocket-Protocol: "
                  + "cannot be set as a header: use subprotocols"),
          arguments("invalid-tls-file-missing.yml",
              "invalid-tls-file-missing.yml:4: modules.mtls.tls.ca_file: cannot read file "
                  + "files/missing-ca.pem: no such file"),
          arguments("invalid-tls-cert-without-key.yml",
              "invalid-tls-cert-without-key.yml:4: modules.mtls.tls.key_file: required when "
                  + "cert_file is set"),
          arguments("invalid-bool.yml",
              "invalid-bool.yml:4: modules.insecure.tls.insecure_skip_verify: expected true or "
                  + "false, got \"maybe\""),
          arguments("invalid-ip-protocol.yml",
              "invalid-ip-protocol.yml:3: modules.v6.preferred_ip_protocol: must be ip4 or ip6, "
                  + "got \"ipv6\""),
          arguments("invalid-public-query-param.yml",
              "invalid-public-query-param.yml:3: modules.chat.public_query_params[1]: "
                  + "\"X-Amz-Signature\" is named like a credential; its value stays hidden"),
          arguments("invalid-max-message-size.yml",
              "invalid-max-message-size.yml:3: modules.big.max_message_size: must be between 1B "
                  + "and 256MiB, got 512MiB"),
          arguments("invalid-size-unit.yml",
              "invalid-size-unit.yml:3: modules.big.max_message_size: invalid size \"1MB\" "
                  + "(examples: 65536, 512KiB, 1MiB; units B, KiB, MiB)"),
          arguments("invalid-send-both.yml",
              "invalid-send-both.yml:5: modules.echo.messages[0]: set exactly one of send and "
                  + "send_base64, not both"),
          arguments("invalid-send-base64.yml",
              "invalid-send-base64.yml:4: modules.echo.messages[0].send_base64: not valid base64"),
          arguments("invalid-expect-two-kinds.yml",
              "invalid-expect-two-kinds.yml:7: modules.echo.messages[0].expect: set exactly one "
                  + "of echo, contains, regex and json, not several"),
          arguments("invalid-expect-regex.yml",
              "invalid-expect-regex.yml:6: modules.echo.messages[0].expect.regex: invalid regex: "
                  + "Unclosed group near index 5"),
          arguments("invalid-expect-json.yml",
              "invalid-expect-json.yml:7: modules.status.messages[0].expect.json.equals: missing "
                  + "required key"),
          arguments("invalid-message-count.yml",
              "invalid-message-count.yml:5: modules.echo.messages[0].count: must be between 1 "
                  + "and 1000, got 5000"),
          arguments("invalid-targets-not-list.yml",
              "invalid-targets-not-list.yml:2: targets: expected a list, got a mapping"),
          arguments("invalid-target-missing-url.yml",
              "invalid-target-missing-url.yml:2: targets[0].url: missing required key"),
          arguments("invalid-target-empty-name.yml",
              "invalid-target-empty-name.yml:2: targets[0].name: must not be empty"),
          arguments("invalid-target-duplicate-name.yml",
              "invalid-target-duplicate-name.yml:4: targets[1].name: duplicate target name "
                  + "\"collab\" (first at targets[0])"),
          arguments("invalid-target-unknown-module.yml",
              "invalid-target-unknown-module.yml:8: targets[0].module: unknown module \"ecko\" "
                  + "(known: default, echo)"),
          arguments("invalid-url-scheme.yml",
              "invalid-url-scheme.yml:7: targets[2].url: scheme must be ws or wss, got http"),
          arguments("invalid-url-no-host.yml",
              "invalid-url-no-host.yml:3: targets[0].url: must have a host"),
          arguments("invalid-url-credentials.yml",
              "invalid-url-credentials.yml:3: targets[0].url: must not contain credentials "
                  + "(user:password@); use headers or bearer_token"),
          arguments("invalid-protocol.yml",
              "invalid-protocol.yml:3: modules.chat.protocol: must be raw, socketio, hocuspocus "
                  + "or ywebsocket, got \"websocket\""),
          arguments("invalid-socketio-without-protocol.yml",
              "invalid-socketio-without-protocol.yml:3: modules.chat.socketio: needs protocol: "
                  + "socketio; this module's protocol is raw (the default)"),
          arguments("invalid-hocuspocus-wrong-protocol.yml",
              "invalid-hocuspocus-wrong-protocol.yml:4: modules.collab.hocuspocus: needs "
                  + "protocol: hocuspocus; this module's protocol is ywebsocket"),
          arguments("invalid-hocuspocus-missing.yml",
              "invalid-hocuspocus-missing.yml:3: modules.collab.hocuspocus: missing required "
                  + "key: protocol hocuspocus needs hocuspocus.document and a token "
                  + "(hocuspocus.token, hocuspocus.token_file or auth)"),
          arguments("invalid-hocuspocus-document.yml",
              "invalid-hocuspocus-document.yml:5: modules.collab.hocuspocus.document: missing "
                  + "required key"),
          arguments("invalid-hocuspocus-token-missing.yml",
              "invalid-hocuspocus-token-missing.yml:5: modules.collab.hocuspocus.token: missing "
                  + "required key: set token or token_file, or log in with the module's auth"),
          arguments("invalid-hocuspocus-token-both.yml",
              "invalid-hocuspocus-token-both.yml:7: modules.collab.hocuspocus.token_file: token "
                  + "and token_file are mutually exclusive"),
          arguments("invalid-hocuspocus-token-with-auth.yml",
              "invalid-hocuspocus-token-with-auth.yml:6: modules.collab.hocuspocus.token: not "
                  + "allowed with auth: the token comes from auth"),
          arguments("invalid-auth-type.yml",
              "invalid-auth-type.yml:6: modules.collab.auth.type: unknown login flow "
                  + "\"keycloak\" (known: docmost)"),
          arguments("invalid-auth-base-url.yml",
              "invalid-auth-base-url.yml:7: modules.collab.auth.base_url: scheme must be http or "
                  + "https, got wss"),
          arguments("invalid-auth-email.yml",
              "invalid-auth-email.yml:8: modules.collab.auth.email: must not be empty"),
          arguments("invalid-auth-password-both.yml",
              "invalid-auth-password-both.yml:9: modules.tree.auth: set exactly one of password "
                  + "and password_file, not both"),
          arguments("invalid-auth-password-missing.yml",
              "invalid-auth-password-missing.yml:5: modules.tree.auth: set exactly one of "
                  + "password and password_file"),
          arguments("invalid-auth-password-file-missing.yml",
              "invalid-auth-password-file-missing.yml:8: modules.tree.auth.password_file: cannot "
                  + "read file files/missing-password.txt: no such file"),
          arguments("invalid-auth-protocol.yml",
              "invalid-auth-protocol.yml:4: modules.notes.auth: needs protocol: socketio (for "
                  + "the cookie) or hocuspocus (for the collab token); this module's protocol is "
                  + "ywebsocket"),
          arguments("invalid-auth-cookie-header.yml",
              "invalid-auth-cookie-header.yml:6: modules.tree.auth: conflicts with the Cookie "
                  + "header set in headers (auth sets the cookie); keep one of them"),
          arguments("invalid-broadcast-receivers.yml",
              "invalid-broadcast-receivers.yml:4: modules.room.broadcast.receivers: must be "
                  + "between 1 and 50, got 51"),
          arguments("invalid-broadcast-timeout.yml",
              "invalid-broadcast-timeout.yml:8: targets[0].timeout: 5s must be above the "
                  + "broadcast timeout 10s of module room"),
          arguments("invalid-broadcast-unknown-key.yml",
              "invalid-broadcast-unknown-key.yml:3: modules.room.broadcast.wait: unknown key "
                  + "(known: receivers, timeout, settle)"),
          arguments("invalid-socketio-namespace.yml",
              "invalid-socketio-namespace.yml:5: modules.chat.socketio.namespace: must start "
                  + "with \"/\", such as /chat; got \"chat\""),
          arguments("invalid-socketio-join-event.yml",
              "invalid-socketio-join-event.yml:6: modules.chat.socketio.join.event: missing "
                  + "required key"),
          arguments("invalid-socketio-marker-probe.yml",
              "invalid-socketio-marker-probe.yml:7: modules.chat.socketio.marker.data.probe: "
                  + "reserved: the sender sets probe to the marker's unique id"),
          arguments("invalid-socketio-marker-data.yml",
              "invalid-socketio-marker-data.yml:6: modules.chat.socketio.marker.data: expected "
                  + "a mapping, got a list"),
          arguments("invalid-socketio-json-infinity.yml",
              "invalid-socketio-json-infinity.yml:5: modules.chat.socketio.join.args[1]: JSON "
                  + "has no infinity or NaN, got \".inf\""),
          arguments("invalid-socketio-alias-bomb.yml",
              "invalid-socketio-alias-bomb.yml:9: modules.chat.socketio.join.args: expands to "
                  + "more than 10000 values"),
          arguments("invalid-socketio-json-bytes.yml",
              "invalid-socketio-json-bytes.yml:8: modules.chat.socketio.marker.data: expands to "
                  + "more than 1MiB of JSON"),
          arguments("invalid-yaml-alias-limit.yml",
              "invalid-yaml-alias-limit.yml:54: invalid YAML: Number of aliases for non-scalar "
                  + "nodes exceeds the specified max=50"),
          arguments("invalid-yaml-nesting.yml",
              "invalid-yaml-nesting.yml:3: invalid YAML: Nesting Depth exceeded max 50"),
          arguments("invalid-yaml-control-character.yml",
              "invalid-yaml-control-character.yml:3: invalid YAML: contains U+0007, a control "
                  + "character YAML does not allow"),
          arguments("invalid-target-port.yml",
              "invalid-target-port.yml:3: targets[0].url: port must be between 1 and 65535, got "
                  + "99999"),
          arguments("invalid-target-name-bidi.yml",
              "invalid-target-name-bidi.yml:2: targets[0].name: contains U+202E (a "
                  + "bidirectional control character)"),
          arguments("invalid-label-value-control.yml",
              "invalid-label-value-control.yml:3: global.labels.team: contains U+0000 (a "
                  + "control character)"),
          arguments("invalid-auth-insecure-http.yml",
              "invalid-auth-insecure-http.yml:6: modules.tree.auth.base_url: sends the password "
                  + "over plain http to a non-loopback host; use https, or set insecure_http: "
                  + "true"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactlyOneError(String file, String expected) throws Exception {
      assertThat(errorsOf(file)).containsExactly(expected);
    }

    @Test
    void everyInvalidFileHasACase() throws Exception {
      List<String> covered = cases().map(arguments -> (String) arguments.get()[0]).toList();
      try (Stream<Path> files = Files.list(resources())) {
        assertThat(files.map(file -> file.getFileName().toString())
            .filter(name -> name.startsWith("invalid-") && !name.equals("invalid-many.yml")))
            .containsExactlyInAnyOrderElementsOf(covered);
      }
    }

    @Test
    void reportsAllMistakesAtOnceInFileOrder() throws Exception {
      assertThat(errorsOf("invalid-many.yml")).containsExactly(
          "invalid-many.yml:3: global.timeout: 1m must be below the interval 30s",
          "invalid-many.yml:5: global.labels.instance: reserved label name (reserved: target, "
              + "module, result, phase, url, le, version, revision, instance, job)",
          "invalid-many.yml:8: modules.echo.hedaers: unknown key (known: headers, bearer_token, "
              + "bearer_token_file, origin, subprotocols, tls, preferred_ip_protocol, "
              + "ip_protocol_fallback, max_message_size, messages, hold, protocol, broadcast, "
              + "socketio, hocuspocus, auth, public_query_params)",
          "invalid-many.yml:13: modules.echo.messages[0].expect.regex: invalid regex: "
              + "Unclosed group near index 1",
          "invalid-many.yml:16: targets[0].url: scheme must be ws or wss, got https",
          "invalid-many.yml:17: targets[1].name: duplicate target name \"collab\" "
              + "(first at targets[0])",
          "invalid-many.yml:19: targets[1].module: unknown module \"ech0\" (known: default, echo)",
          "invalid-many.yml:20: targets[1].timeout: must be greater than 0",
          "invalid-many.yml:21: targets[2].name: missing required key",
          "invalid-many.yml:23: targets[2].labels.team-name: invalid label name; it must match "
              + "[a-zA-Z_][a-zA-Z0-9_]*");
    }

    @Test
    void theExceptionMessageListsEveryErrorOnItsOwnLine() throws Exception {
      Path file = resources().resolve("invalid-many.yml");
      ConfigException e = exception(Files.readString(file), resources(), ENV);

      assertThat(e.getMessage().split("\n")).hasSize(10)
          .containsExactlyElementsOf(e.errors().stream().map(ConfigError::toString).toList());
    }

    private List<String> errorsOf(String file) throws Exception {
      Path dir = resources();
      ConfigException e;
      try {
        ConfigLoader.parse(Files.readString(dir.resolve(file)), file, dir, ENV::get);
        return fail(file + " was accepted");
      } catch (ConfigException rejected) {
        e = rejected;
      }
      return e.errors().stream().map(ConfigError::toString).toList();
    }

    private Path resources() throws URISyntaxException {
      return Path.of(ConfigLoaderTest.class.getResource("/config").toURI());
    }
  }

  /** What a hostile or broken file can cost: bounded, and said with a line. */
  @Nested
  class Limits {

    @TempDir
    Path dir;

    private ConfigException loadFails(Path file) {
      try {
        ConfigLoader.load(file);
      } catch (ConfigException e) {
        return e;
      }
      return fail(file + " was accepted");
    }

    /** {@code levels} levels of {@code [*prev, *prev]} under {@code key}: 2^levels values. */
    private static String aliasBomb(String key, int levels) {
      StringBuilder yaml = new StringBuilder("""
          modules:
            chat:
              protocol: socketio
              socketio:
          """).append(key).append(":\n");
      yaml.append("          l0: &l0 [x, x]\n");
      for (int i = 1; i < levels; i++) {
        yaml.append("          l").append(i).append(": &l").append(i).append(" [*l").append(i - 1)
            .append(", *l").append(i - 1).append("]\n");
      }
      return yaml.toString();
    }

    @Test
    void anAliasBombInMarkerDataIsRefusedWithoutExpandingIt() {
      assertThat(errors(aliasBomb("      marker:\n        data", 25))).containsExactly(
          "test.yml:7: modules.chat.socketio.marker.data: expands to more than 10000 values");
    }

    @Test
    void aSmallAliasBombIsRefusedToo() {
      // 2^14 values: the old conversion accepted it, and sent a 100 KB event every probe
      assertThat(errors(aliasBomb("      marker:\n        data", 14))).containsExactly(
          "test.yml:7: modules.chat.socketio.marker.data: expands to more than 10000 values");
    }

    @Test
    void aliasesWithinTheLimitsStillShareJsonValues() throws Exception {
      Config config = parse(aliasBomb("      marker:\n        data", 8));

      String json = config.modules().get("chat").app().socketio().marker().json();
      assertThat(json.split("\"x\"", -1)).hasSize(1 + 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256);
    }

    @Test
    void targetsBuiltFromAliasesOfALargeMappingStopAtTheReadLimit() {
      StringBuilder yaml = new StringBuilder("targets:\n  - &t\n    name: a\n    url: ws://a\n"
          + "    labels:\n");
      for (int i = 0; i < 25_000; i++) {
        yaml.append("      l").append(i).append(": v\n");
      }
      for (int i = 0; i < 49; i++) {
        yaml.append("  - *t\n");
      }
      assertThat(errors(yaml.toString())).contains(
          "test.yml:6: targets[39].labels: expands to more than 1000000 values");
    }

    @Test
    void aLongListOfMistakesStopsAfterAHundredErrors() {
      StringBuilder yaml = new StringBuilder("targets:\n");
      for (int i = 0; i < 1000; i++) {
        yaml.append("  - 0\n");
      }
      List<String> errors = errors(yaml.toString());
      assertThat(errors).hasSize(101).endsWith(
          "test.yml:102: more than 100 errors; stopped reading here");
    }

    @Test
    void aFileOverTheSizeLimitIsNotRead() throws IOException {
      Path file = dir.resolve("wsprobe.yml");
      Files.write(file, new byte[6 * 1024 * 1024]);

      assertThat(loadFails(file).errors()).singleElement().satisfies(error -> {
        assertThat(error.message()).isEqualTo("file is 6.0MiB, more than the 4MiB limit");
        assertThat(error.line()).isZero();
      });
    }

    @Test
    void aFileJustOverTheLimitSaysByHowMuch() throws IOException {
      Path file = dir.resolve("wsprobe.yml");
      Files.write(file, new byte[4 * 1024 * 1024 + 1]);

      assertThat(loadFails(file).errors()).extracting(ConfigError::message)
          .containsExactly("file is 4194305 bytes, more than the 4MiB limit");
    }

    @Test
    void anEndlessFileIsReadOnlyUpToTheLimit() {
      Path zero = Path.of("/dev/zero");
      org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(zero));

      assertThat(loadFails(zero).errors()).extracting(ConfigError::message)
          .containsExactly("file is more than the 4MiB limit");
    }

    @Test
    void aFileAtTheSizeLimitParsesInLinearTime() throws IOException, ConfigException {
      // one 4 MiB comment line: SnakeYAML's own reader copied its window from the start of the
      // line every 1024 characters, 32 GiB of copies for this file
      Path file = dir.resolve("wsprobe.yml");
      String head = "global:\n  interval: 1m\n# ";
      Files.writeString(file, head + "x".repeat(4 * 1024 * 1024 - head.length() - 1) + "\n");
      var threads = (com.sun.management.ThreadMXBean)
          java.lang.management.ManagementFactory.getThreadMXBean();
      long before = threads.getCurrentThreadAllocatedBytes();

      Config config = ConfigLoader.load(file);

      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertThat(config.global().interval()).isEqualTo(Duration.ofMinutes(1));
      assertThat(allocated).isLessThan(40L * Files.size(file));
    }

    @Test
    void invalidUtf8IsReportedAtTheLineOfTheFirstBadByte() throws IOException {
      Path file = dir.resolve("wsprobe.yml");
      Files.write(file, "global:\n  labels:\n    team: caf\u00e9 \u00ff\n".getBytes(
          java.nio.charset.StandardCharsets.ISO_8859_1));

      assertThat(loadFails(file).errors()).singleElement().satisfies(error -> {
        assertThat(error.line()).isEqualTo(3);
        assertThat(error.message()).isEqualTo("not valid UTF-8 text (byte 0xE9)");
      });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\\0", "\\t", "\\x7f", "\\x85", "\\u202A", "\\u202E",
        "\\u2066", "\\u2069", "\\u200E", "\\u200F", "\\u061C"})
    void namesAndLabelValuesRefuseControlAndBidiCharacters(String escape) {
      List<String> errors = errors("""
          global:
            labels: { site: "eu%1$s" }
          modules:
            m: {}
          targets:
            - name: "docs%1$s"
              url: ws://a
              module: "m%1$s"
              labels: { team: "x%1$s" }
          """.formatted(escape));
      assertThat(errors).hasSize(4).allSatisfy(error ->
          assertThat(error).matches(".*: contains U\\+[0-9A-F]{4} \\(a (bidirectional )?control "
              + "character\\)"));
      assertThat(errors.get(0)).startsWith("test.yml:2: global.labels.site: ");
    }

    @Test
    void aSecretFileOverItsLimitIsNotRead() throws IOException {
      Files.write(dir.resolve("token.txt"), new byte[64 * 1024 + 1]);

      assertThat(errors("modules:\n  api:\n    bearer_token_file: token.txt\n", dir, ENV))
          .containsExactly("test.yml:3: modules.api.bearer_token_file: cannot read file "
              + "token.txt: more than the 64KiB limit");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"wss://127.0.0.1:99999/", "ws://a.example.com:0/", "ws://a:65536"})
    void aPortOutOfRangeIsRefused(String url) {
      assertThat(errors("targets:\n  - name: a\n    url: " + url + "\n")).singleElement()
          .asString().startsWith("test.yml:3: targets[0].url: port must be between 1 and 65535");
    }
  }

  @Nested
  class Secrets {

    private static final String SECRET = "zq-S3CRET-do-not-print-7781";

    private void assertNotLeaked(String yaml, Map<String, String> env, Path dir) {
      ConfigException e = exception(yaml, dir, env);
      assertThat(e.errors()).isNotEmpty();
      assertThat(e.getMessage()).doesNotContain(SECRET);
      assertThat(e.errors()).allSatisfy(error -> assertThat(error.message()).doesNotContain(SECRET));
    }

    @Test
    void anEnvSecretIsNotInTheErrorsOfItsModule() {
      assertNotLeaked("""
          modules:
            api:
              headers:
                X-Api-Key: ${env:API_KEY}
              bearer_token: ${env:API_KEY}
              origin: not a url
              hedaers: {}
              messages:
                - send: ping
                  expect: { regex: "(" }
          targets:
            - name: a
              url: http://a.example.com/
              module: api
          """, Map.of("API_KEY", SECRET), Path.of(""));
    }

    @Test
    void anEnvSecretThatBreaksTheHeaderIsNotShown() {
      assertNotLeaked("""
          modules:
            api:
              headers:
                X-Api-Key: ${env:API_KEY}
          """, Map.of("API_KEY", SECRET + "\r\nX-Injected: 1"), Path.of(""));
    }

    @Test
    void aBearerTokenThatBreaksTheHeaderIsNotShown() {
      assertNotLeaked("modules:\n  api:\n    bearer_token: ${env:TOKEN}\n",
          Map.of("TOKEN", SECRET + "\n"), Path.of(""));
    }

    @Test
    void aLiteralSecretHeaderThatBreaksTheHeaderIsNotShown() {
      assertNotLeaked("modules:\n  api:\n    headers:\n      Authorization: \"Bearer " + SECRET
          + "\\n\"\n", Map.of(), Path.of(""));
    }

    @Test
    void aFileSecretThatBreaksTheHeaderIsNotShown(@TempDir Path dir) throws IOException {
      Files.writeString(dir.resolve("token.txt"), SECRET + "\nsecond line\n");
      assertNotLeaked("modules:\n  api:\n    bearer_token_file: token.txt\n", Map.of(), dir);
    }

    @Test
    void aTokenInTheUrlIsNotShown() {
      assertNotLeaked("targets:\n  - name: a\n    url: http://a.example.com/?token=" + SECRET
          + "\n", Map.of(), Path.of(""));
    }

    @Test
    void publicQueryParamsAreShownAndTheRestHidden() throws Exception {
      Config config = ConfigLoader.parse("""
          modules:
            chat:
              public_query_params: [room, v]
          targets:
            - name: a
              url: ws://a.example.com/chat?room=lobby&v=2&session=s1&%74oken=t1&code=c1
              module: chat
          """, "test.yml", Path.of(""), Map.<String, String>of()::get);

      Target target = config.targets().get(0);
      assertThat(config.moduleOf(target).publicQueryParams()).containsExactly("room", "v");
      assertThat(config.moduleOf(target).shownUrl(target.url()))
          .isEqualTo("ws://a.example.com/chat?room=lobby&v=2&session=<secret>&%74oken=<secret>&code=<secret>");
      assertThat(config.modules().get("default").shownUrl(target.url()))
          .isEqualTo("ws://a.example.com/chat?room=<secret>&v=<secret>&session=<secret>&%74oken=<secret>&code=<secret>");
    }

    @Test
    void aSecretIsRedactedWhenTheConfigIsPrinted() throws Exception {
      Config config = ConfigLoader.parse("""
          modules:
            api:
              headers:
                X-Api-Key: ${env:API_KEY}
              bearer_token: literal-token-1234
          """, "test.yml", Path.of(""), Map.of("API_KEY", SECRET)::get);

      assertThat(config.toString()).doesNotContain(SECRET).doesNotContain("literal-token-1234")
          .contains("X-Api-Key=<secret>", "Authorization=<secret>");
    }

    @Test
    void appSecretsAreNotInTheErrorsOfTheirModule() {
      assertNotLeaked("""
          modules:
            collab:
              protocol: hocuspocus
              hocuspocus: { document: "", token: "${env:TOKEN}" }
              auth:
                type: docmost
                base_url: https://docs.example.com/?token=${env:TOKEN}
                email: ""
                password: ${env:TOKEN}
              broadcast: { receivers: 0 }
            chat:
              protocol: socketio
              socketio:
                namespace: chat
                auth: { token: "${env:TOKEN}", room: { id: "${env:TOKEN}" } }
              auth: { type: oauth, base_url: "https://${env:TOKEN}", email: e, password: p }
          """, Map.of("TOKEN", SECRET), Path.of(""));
    }

    @Test
    void aLiteralPasswordOrTokenIsNotInTheErrors(@TempDir Path dir) throws IOException {
      Files.writeString(dir.resolve("password.txt"), SECRET + "\n");
      assertNotLeaked("""
          modules:
            collab:
              protocol: hocuspocus
              hocuspocus: { document: d, token: "%s" }
              auth: { type: docmost, base_url: "%s", email: e, password_file: password.txt,
                      password: "%s" }
          """.formatted(SECRET, SECRET, SECRET), Map.of(), dir);
    }

    @Test
    void appSecretsAreRedactedWhenTheConfigIsPrinted(@TempDir Path dir) throws Exception {
      Files.writeString(dir.resolve("password.txt"), SECRET + "-file\n");
      Config config = ConfigLoader.parse("""
          modules:
            collab:
              protocol: hocuspocus
              hocuspocus: { document: d, token: "${env:TOKEN}" }
            docmost:
              protocol: hocuspocus
              hocuspocus: { document: page.1 }
              auth: { type: docmost, base_url: "https://d.example.com", email: e,
                      password_file: password.txt }
            chat:
              protocol: socketio
              socketio: { auth: { token: "${env:TOKEN}" } }
          """, "test.yml", dir, Map.of("TOKEN", SECRET)::get);

      assertThat(config.toString()).doesNotContain(SECRET)
          .contains("token=<secret>", "password=<secret>", "auth=<secret>");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Authorization", "Cookie", "Proxy-Authorization", "X-Auth-User",
        "X-Api-Key", "X-Access-Token", "Client-Secret", "X-PASSWORD", "x-apikey"})
    void literalValuesOfSensitiveHeadersAreSecret(String name) throws Exception {
      Config config = parse("modules:\n  m:\n    headers:\n      " + name + ": abc\n");

      assertThat(config.modules().get("m").headers().get(name)).isEqualTo(new Secret("abc", true));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"X-Client", "User-Agent", "Accept-Language"})
    void literalValuesOfOtherHeadersAreNotSecret(String name) throws Exception {
      Config config = parse("modules:\n  m:\n    headers:\n      " + name + ": abc\n");

      assertThat(config.modules().get("m").headers().get(name)).isEqualTo(Secret.plain("abc"));
    }

    @Test
    void referencesMayBePartOfAValueWhichIsThenSecret() throws Exception {
      Config config = parse("""
          modules:
            m:
              headers:
                Cookie: "authToken=${env:TOKEN}"
                X-Client: "client-${env:API_KEY}-${env:TOKEN}"
          """);

      assertThat(config.modules().get("m").headers()).containsExactly(
          entry("Cookie", new Secret("authToken=t0ken-from-env", true)),
          entry("X-Client", new Secret("client-k3y-from-env-t0ken-from-env", true)));
    }

    @Test
    void everyUnsetVariableOfAValueIsReported() {
      assertThat(errors("modules:\n  m:\n    headers:\n      X-Client: ${env:A}:${env:B}\n"))
          .containsExactly(
              "test.yml:4: modules.m.headers.X-Client: environment variable A is not set",
              "test.yml:4: modules.m.headers.X-Client: environment variable B is not set");
    }

    @Test
    void anEmptyVariableIsAnError() {
      assertThat(errors("modules:\n  m:\n    bearer_token: ${env:EMPTY}\n", Path.of(""),
          Map.of("EMPTY", ""))).containsExactly(
          "test.yml:3: modules.m.bearer_token: environment variable EMPTY is empty");
    }
  }

  @Nested
  class FilePaths {

    @TempDir
    Path root;

    private Path conf;

    @BeforeEach
    void files() throws IOException {
      conf = Files.createDirectories(root.resolve("conf"));
      Files.createDirectories(conf.resolve("certs"));
      Files.writeString(conf.resolve("certs/ca.pem"), "ca");
      Files.writeString(conf.resolve("token.txt"), "file-token\r\n\n");
      Files.writeString(conf.resolve("key.txt"), "file-key\n");
    }

    private static final String YAML = """
        modules:
          api:
            bearer_token_file: token.txt
            headers:
              X-Api-Key: ${file:key.txt}
            tls:
              ca_file: certs/ca.pem
        """;

    @Test
    void relativePathsResolveAgainstTheBaseDirectory() throws Exception {
      Module api = ConfigLoader.parse(YAML, "test.yml", conf, Map.<String, String>of()::get)
          .modules().get("api");

      assertThat(api.tls().caFile()).isEqualTo(conf.resolve("certs/ca.pem").toString());
      assertThat(api.headers()).containsExactly(
          entry("X-Api-Key", new Secret("file-key", true)),
          entry("Authorization", new Secret("Bearer file-token", true)));
    }

    @Test
    void loadResolvesAgainstTheFilesDirectory() throws Exception {
      Path file = Files.writeString(conf.resolve("wsprobe.yml"), YAML);

      Config config = ConfigLoader.load(file);

      assertThat(config.source()).isEqualTo(file.toString());
      assertThat(config.modules().get("api").tls().caFile())
          .isEqualTo(conf.resolve("certs/ca.pem").toString());
    }

    @Test
    void theSamePathsFailFromAnotherDirectory() {
      assertThat(errors(YAML, root, Map.of())).containsExactly(
          "test.yml:3: modules.api.bearer_token_file: cannot read file token.txt: no such file",
          "test.yml:5: modules.api.headers.X-Api-Key: cannot read file key.txt: no such file",
          "test.yml:7: modules.api.tls.ca_file: cannot read file certs/ca.pem: no such file");
    }

    @Test
    void absolutePathsAreKept() throws Exception {
      String ca = conf.resolve("certs/ca.pem").toAbsolutePath().toString();
      Config config = ConfigLoader.parse("modules:\n  m:\n    tls: { ca_file: '" + ca + "' }\n",
          "test.yml", root.resolve("elsewhere"), Map.<String, String>of()::get);

      assertThat(config.modules().get("m").tls().caFile()).isEqualTo(ca);
    }

    @Test
    void anEmptySecretFileOrADirectoryIsAnError() throws IOException {
      Files.writeString(conf.resolve("empty.txt"), "\n");

      assertThat(errors("""
          modules:
            m:
              bearer_token_file: empty.txt
              tls: { ca_file: certs }
          """, conf, Map.of())).containsExactly(
          "test.yml:3: modules.m.bearer_token_file: file empty.txt is empty",
          "test.yml:4: modules.m.tls.ca_file: cannot read file certs: is a directory");
    }

    @Test
    void aMissingConfigFileIsOneError() {
      Path missing = root.resolve("missing.yml");

      assertThatThrownBy(() -> ConfigLoader.load(missing))
          .isInstanceOf(ConfigException.class)
          .hasMessage(missing + ": cannot read file: no such file");
    }
  }

  @Nested
  class Documentation {

    static Stream<String> keys() {
      return Stream.of(ConfigLoader.TOP_KEYS, GlobalReader.KEYS, GlobalReader.BUCKET_KEYS,
          ModuleReader.KEYS, TlsReader.KEYS, MessageReader.KEYS,
          MessageReader.EXPECT_KEYS, MessageReader.JSON_KEYS, ModuleReader.HOLD_KEYS,
          AppReader.BROADCAST_KEYS, SocketIoReader.KEYS, SocketIoReader.JOIN_KEYS,
          SocketIoReader.MARKER_KEYS, AppReader.HOCUSPOCUS_KEYS, AuthReader.KEYS,
          TargetReader.KEYS).flatMap(List::stream).distinct();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void everyKeyIsDocumented(String key) throws IOException {
      assertThat(Files.readString(Path.of("../CONFIGURATION.md"))).contains(key + ":");
    }
  }

  @Nested
  class Example {

    @Test
    void theShippedExampleIsValid() throws Exception {
      Path example = Path.of("../examples/wsprobe.yml");
      Map<String, String> env = Map.of("ECHO_API_KEY", "example-key",
          "DOCMOST_PROBE_PASSWORD", "example-password");

      Config config = ConfigLoader.parse(Files.readString(example), "wsprobe.yml",
          example.getParent(), env::get);

      assertThat(config.targets()).extracting(Target::name).containsExactly("status-feed",
          "docmost-collab", "docmost-socketio", "echo", "echo-idle", "chat-room");
      assertThat(config.modules().keySet()).containsExactly("default", "upgrade", "echo", "idle",
          "room", "docmost_collab", "docmost_socketio");
      assertThat(config.global().labels()).containsKey("location");

      Auth login = new Auth("docmost", URI.create("https://docs.example.com"),
          "wsprobe@docs.example.com", new Secret("example-password", true));
      assertThat(config.modules().get("room").app())
          .isEqualTo(new App(Protocol.RAW, new Broadcast(2, seconds(3)), null, null, null));
      assertThat(config.modules().get("docmost_collab").app()).isEqualTo(new App(
          Protocol.HOCUSPOCUS, new Broadcast(1, seconds(5)), null,
          new Hocuspocus("page.<pageId>", null), login));
      Module socketio = config.modules().get("docmost_socketio");
      assertThat(socketio.app()).isEqualTo(new App(Protocol.SOCKETIO, null,
          new SocketIo("/", null, new SocketIo.Event("wsprobe-marker", "{}"), null), null, login));
      assertThat(socketio.headers()).isEmpty();
    }

    @Test
    void theDocmostExampleIsValid(@TempDir Path dir) throws Exception {
      // Its password file is relative to it: copy it next to a stand-in.
      Path example = dir.resolve("docmost.yml");
      Files.copy(Path.of("../examples/docmost.yml"), example);
      Files.createDirectories(dir.resolve("secrets"));
      Files.writeString(dir.resolve("secrets/docmost-probe-password"), "example-password\n");

      Config config = ConfigLoader.load(example);

      assertThat(config.targets()).extracting(Target::name, target -> target.url().toString(),
              Target::module)
          .containsExactly(
              tuple("docmost-collab", "wss://docs.example.com/collab", "docmost_collab"),
              tuple("docmost-socketio",
                  "wss://docs.example.com/socket.io/?EIO=4&transport=websocket", "docmost_tree"));
      Auth login = new Auth("docmost", URI.create("https://docs.example.com"),
          "wsprobe@docs.example.com", new Secret("example-password", true));
      assertThat(config.modules().get("docmost_collab").app()).isEqualTo(new App(
          Protocol.HOCUSPOCUS, new Broadcast(1, seconds(5)), null,
          new Hocuspocus("page.<pageId>", null), login));
      assertThat(config.modules().get("docmost_tree").app()).isEqualTo(new App(
          Protocol.SOCKETIO, new Broadcast(1, seconds(5), seconds(1)),
          new SocketIo("/", null, new SocketIo.Event("message",
              "{\"operation\":\"refetchRootTreeNodeEvent\",\"spaceId\":\"<spaceId>\"}"), null),
          null, login));
    }

    @Test
    void theDocmostExampleNeedsItsPasswordFile(@TempDir Path dir) throws Exception {
      Path example = dir.resolve("docmost.yml");
      Files.copy(Path.of("../examples/docmost.yml"), example);

      assertThatThrownBy(() -> ConfigLoader.load(example))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("modules.docmost_collab.auth.password_file: cannot read file "
              + "secrets/docmost-probe-password: no such file");
    }
  }
}
