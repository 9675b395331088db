package io.wsprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.Ports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The command line in-process: exit codes, and what a human reads on stdout and stderr. */
class CliTest {

  static final String VALID = """
      modules:
        greet:
          messages:
            - send: hello-from-the-module
              expect: { echo: true }
      targets:
        - name: app
          url: ws://127.0.0.1:1/app
          module: greet
        - name: other
          url: ws://127.0.0.1:1/other
      """;

  /** Two mistakes, on lines 2 and 6. */
  static final String INVALID = """
      global:
        interval: 10 parsecs
      targets:
        - name: app
          url: ws://127.0.0.1:1/app
          module: nowhere
      """;
  static final String BAD_INTERVAL = "invalid duration \"10 parsecs\" (examples: 500ms, 30s, 1m30s, 2h, 1d)";
  static final String BAD_MODULE = "unknown module \"nowhere\" (known: default)";

  static Vertx vertx;
  static HttpServer echo;
  @TempDir Path dir;

  @BeforeAll
  static void startEcho() {
    vertx = Vertx.vertx();
    echo = AppServer.start(vertx);
  }

  @AfterAll
  static void stopEcho() {
    vertx.close().await();
  }

  /** The agent and demo commands configure logging for the whole JVM; give the tests theirs back. */
  @AfterEach
  void restoreTestLogging() throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    new ContextInitializer(ctx).autoConfig();
  }

  record Run(int exit, String out, String err) {
    List<String> outLines() {
      return out.strip().lines().toList();
    }
  }

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = AgentCommand.commandLine().execute(args);
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Path file(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }

  static int closedPort() throws Exception {
    return Ports.refusing();
  }

  @Test
  void printsTheVersion() {
    Run r = run("--version");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("wsprobe version ");
  }

  @Test
  void theAgentStopsOnAnInvalidConfigBeforeStartingAnything() throws Exception {
    Path bad = file("wsprobe.yml", INVALID);
    Run r = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> run("--config.file", bad.toString(), "--web.listen-address", "127.0.0.1:0"));
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(bad + " is invalid:\n" + bad + ":2: global.interval: " + BAD_INTERVAL + "\n"
        + bad + ":6: targets[0].module: " + BAD_MODULE + "\n");
  }

  @Test
  void aBadShardIsRefusedBeforeStartingAnything() throws Exception {
    Path good = file("wsprobe.yml", VALID);
    Run r = run("--config.file", good.toString(), "--web.listen-address", "127.0.0.1:0", "--shard=2/2");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("wsprobe: --shard=2/2: shard index must be from 0 to 1, got 2");
    r = run("--config.file", good.toString(), "--shard=half");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--shard must be I/N or auto/N (e.g. 0/3), got 'half'");
  }

  @Nested
  class CheckConfig {
    @Test
    void aValidFileNamesItselfAndItsTargets() throws Exception {
      Path good = file("good.yml", VALID);
      Run r = run("check-config", good.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.outLines()).containsExactly(good + ": valid (2 targets, 2 modules)");
    }

    @Test
    void anInvalidFileListsEveryErrorWithItsLineAndPath() throws Exception {
      Path bad = file("bad.yml", INVALID);
      Run r = run("check-config", bad.toString());
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.out()).isEmpty();
      assertThat(r.err().strip().lines()).containsExactly(bad + " is invalid:",
          bad + ":2: global.interval: " + BAD_INTERVAL,
          bad + ":6: targets[0].module: " + BAD_MODULE);
    }

    @Test
    void aMissingFileIsInvalid() {
      Path missing = dir.resolve("missing.yml");
      Run r = run("check-config", missing.toString());
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains(missing + ": cannot read file");
    }

    @Test
    void configCheckIsTheSameCheckInBlackboxSpelling() throws Exception {
      Path good = file("good.yml", VALID);
      Run r = run("--config.file=" + good, "--config.check");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.outLines()).containsExactly(good + ": valid (2 targets, 2 modules)");
      Path bad = file("bad.yml", INVALID);
      r = run("--config.file=" + bad, "--config.check");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err().strip().lines()).containsExactly(bad + " is invalid:",
          bad + ":2: global.interval: " + BAD_INTERVAL,
          bad + ":6: targets[0].module: " + BAD_MODULE);
    }

    @Test
    void theWebConfigIsCheckedToo() throws Exception {
      Path good = file("good.yml", VALID);
      Path web = file("web.yml", "basic_auth_users: { alice: \"$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\" }\n");
      Run r = run("--config.file=" + good, "--web.config.file=" + web, "--config.check");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.outLines()).containsExactly(good + ": valid (2 targets, 2 modules)", web + ": valid (no TLS, 1 users)");
      Path bad = file("bad-web.yml", "http_server_config: { http3: true }\n");
      r = run("check-config", good.toString(), "--web.config.file", bad.toString());
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err().strip().lines()).containsExactly(bad + " is invalid:",
          bad + ":1: http_server_config.http3: unknown key (known: http2, headers)");
    }
  }

  @Test
  void aBadWebConfigStopsTheAgentNamingTheFileAndKey() throws Exception {
    Path good = file("wsprobe.yml", VALID);
    Path bad = file("web.yml", "tls_server_config: { cert_file: nope.crt, key_file: nope.key }\n");
    Run r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> run("--config.file", good.toString(),
        "--web.config.file", bad.toString(), "--web.listen-address", "127.0.0.1:0"));
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(bad + " is invalid:\n" + bad + ":1: tls_server_config.cert_file: cannot read file"
        + " nope.crt: no such file\n");
  }

  @Nested
  class Probe {
    @Test
    void anHttpUrlIsRefusedWithAHint() {
      Run r = run("probe", "http://127.0.0.1:1/app");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("URL scheme must be ws or wss, got 'http' (use ws://)");
    }

    @Test
    void aBadUrlIsNamedWithoutItsQuery() {
      Run r = run("probe", "ws://127.0.0.1:1/?token=s3cret-t0ken x");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("wsprobe probe: not a URL: Illegal character in query at index 36")
          .doesNotContain("s3cret-t0ken");
      r = run("probe", "ws:/no-host?token=s3cret-t0ken");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("URL has no host").doesNotContain("s3cret-t0ken");
    }

    @Test
    void aHeaderWithALineBreakIsAUsageErrorThatHidesTheValue() {
      Run r = run("probe", "ws://127.0.0.1:1/app", "--header", "X-Token: s3cret-t0ken\r\nInjected: yes");
      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
      assertThat(r.err()).contains("--header X-Token: the value has a carriage return at position 13")
          .doesNotContain("s3cret-t0ken").doesNotContain("please report");
      r = run("probe", "ws://127.0.0.1:1/app", "--header", "X Token: s3cret-t0ken");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("--header name must be a token").contains("a space at position 2")
          .doesNotContain("s3cret-t0ken");
    }

    @Test
    void theProbedUrlShowsOnlyPublicQueryValues() throws Exception {
      Path config = file("public.yml", """
          modules:
            chat:
              public_query_params: [room]
          """);
      Run r = run("probe", "--config.file", config.toString(), "--module", "chat", "--timeout", "2s",
          "ws://127.0.0.1:" + closedPort() + "/app?room=lobby&session=s3ss10n-value");
      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
      assertThat(r.out()).contains("/app?room=lobby&session=<secret> (module chat")
          .doesNotContain("s3ss10n-value");
    }

    @Test
    void expectNeedsSend() {
      Run r = run("probe", "ws://127.0.0.1:1/app", "--expect", "hi");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("--expect needs --send");
    }

    @Test
    void moduleNeedsAConfigFile() {
      Run r = run("probe", "ws://127.0.0.1:1/app", "--module", "greet");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("--config.file and --module go together");
    }

    @Test
    void anUnknownModuleNamesTheOnesThereAre() throws Exception {
      Path good = file("good.yml", VALID);
      Run r = run("probe", "--config.file", good.toString(), "--module", "nope", "ws://127.0.0.1:1/app");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("no module 'nope' in " + good + " (modules: default, greet)");
    }

    @Test
    void aClosedPortIsConnectRefused() throws Exception {
      Run r = run("probe", "ws://127.0.0.1:" + closedPort() + "/app", "--timeout", "2s");
      assertThat(r.exit()).as(r.out()).isEqualTo(1);
      assertThat(r.outLines()).last().isEqualTo("result: connect_refused");
    }

    @Test
    void throughAForwardProxyWithCredentialsFromAFile(@TempDir Path squidDir) throws Exception {
      int app = echo.actualPort();
      int denied = closedPort();
      try (io.wsprobe.support.Squid squid = io.wsprobe.support.Squid.start(squidDir,
          java.util.List.of(app), denied, "probe", "s3cret-proxy")) {
        Path password = file("proxy-password", "s3cret-proxy\n");
        String proxy = "http://127.0.0.1:" + squid.port();

        Run r = run("probe", "ws://127.0.0.1:" + app + "/app", "--send", "hi", "--expect", "hi",
            "--proxy-url", proxy, "--proxy-user", "probe", "--proxy-password-file", password.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("TCP connected to proxy 127.0.0.1:" + squid.port(),
            "CONNECT 127.0.0.1:" + app + " HTTP/1.1", "200 Connection established", "sent 'hi', got 'hi'")
            .doesNotContain("s3cret-proxy");
        assertThat(r.outLines()).last().isEqualTo("result: success");

        Run refused = run("probe", "ws://127.0.0.1:" + denied + "/app", "--timeout", "2s",
            "--proxy-url", proxy, "--proxy-user", "probe", "--proxy-password-file", password.toString());
        assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(1);
        assertThat(refused.out()).contains("answered CONNECT 127.0.0.1:" + denied + " with 403", "http_access");
        assertThat(refused.outLines()).last().isEqualTo("result: proxy_error");
      }
    }

    @Test
    void proxyCredentialsNeedAProxy() {
      Run r = run("probe", "ws://127.0.0.1:1/app", "--proxy-user", "probe");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("--proxy-user and --proxy-password-file need --proxy-url");
      r = run("probe", "ws://127.0.0.1:1/app", "--proxy-url", "socks5://127.0.0.1:1080");
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("wsprobe probe: --proxy-url: scheme must be http");
    }

    @Test
    void usesTheModuleOfTheConfigFile() throws Exception {
      Path good = file("good.yml", VALID);
      Run r = run("probe", "--config.file", good.toString(), "--module", "greet",
          "ws://127.0.0.1:" + echo.actualPort() + "/app");
      assertThat(r.exit()).as(r.out()).isZero();
      assertThat(r.out()).contains("(module greet, timeout 5s)", "sent 'hello-from-the-module', got 'hello-from-the-module'");
      assertThat(r.outLines()).last().isEqualTo("result: success");
    }
  }
}
