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

/** The stages together ({@link ConfigLoader}): whole files, defaults, limits, paths, the documented keys and the shipped examples. */
class ConfigLoaderTest {

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
          TargetReader.KEYS, ProbeAllowReader.KEYS, ProbeAllowReader.RULE_KEYS).flatMap(List::stream).distinct();
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
      assertThat(config.probeAllow().rules()).containsExactly(new ProbeAllow.Rule("wss", "*.example.com", 443, null));

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
