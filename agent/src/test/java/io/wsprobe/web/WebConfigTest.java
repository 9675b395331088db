package io.wsprobe.web;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigException;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.WebConfigLoader;
import io.wsprobe.support.TestCerts;
import io.wsprobe.scheduler.Shard;
import io.wsprobe.support.Binaries;
import io.wsprobe.support.Prometheus;
import io.wsprobe.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web port with a {@code --web.config.file}, met by real clients: curl (TLS, basic auth,
 * mTLS, gzip) and a real Prometheus scraping over TLS with basic auth; reloads that change,
 * break and re-certify the web config.
 */
class WebConfigTest {

  @TempDir Path dir;
  Vertx vertx;
  Agent agent;
  TestCerts certs;
  Path configFile;
  Path webFile;
  String aliceHash;
  final List<Agent> others = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    certs = TestCerts.create(dir);
    TestCerts.Issued server = certs.localhost();
    Files.copy(server.certPem(), dir.resolve("server.crt"));
    Files.copy(server.keyPem(), dir.resolve("server.key"));
    // made with the library, at its lowest cost so the tests stay quick
    aliceHash = BCrypt.withDefaults().hashToString(4, "wonderland".toCharArray());
    configFile = dir.resolve("wsprobe.yml");
    Files.writeString(configFile, "global: { interval: 1h }\n");
    webFile = dir.resolve("web.yml");
    writeWeb(tlsWithUsers("alice: \"" + aliceHash + "\""));
    agent = agent(List.of("127.0.0.1:0", "127.0.0.1:0"));
    agent.start().await();
  }

  @AfterEach
  void stop() {
    others.forEach(a -> a.stop().await());
    agent.stop().await();
    vertx.close().await();
  }

  Agent agent(List<String> addresses) {
    return new Agent(vertx, () -> ConfigLoader.load(configFile), addresses, () -> WebConfigLoader.load(webFile),
        null, Shard.ALL);
  }

  static String tlsWithUsers(String users) {
    return """
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
        http_server_config:
          headers:
            X-Frame-Options: deny
        basic_auth_users:
          %s
        """.formatted(users);
  }

  void writeWeb(String yaml) throws Exception {
    Files.writeString(webFile, yaml);
  }

  /** curl's output: with {@code -i}, the status line and headers, then the body. */
  Tools.Run curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Binaries.find("curl", "curl"), "-sS", "-i", "--max-time", "10"));
    cmd.addAll(List.of(args));
    return Tools.run(dir, Map.of(), cmd);
  }

  String url(String path) {
    return "https://127.0.0.1:" + agent.port() + path;
  }

  @Test
  void curlScrapesOverTlsWithThePasswordOnEveryAddress() throws Exception {
    Tools.Run r = curl("--cacert", certs.caPem().toString(), "-u", "alice:wonderland", url("/metrics")).ok("curl");
    assertThat(r.out()).startsWith("HTTP/1.1 200").contains("wsprobe_config_last_reload_successful 1")
        .containsIgnoringCase("x-frame-options: deny");
    for (int port : List.of(agent.ports().get(1))) {
      assertThat(curl("--cacert", certs.caPem().toString(), "-u", "alice:wonderland",
          "https://127.0.0.1:" + port + "/-/healthy").ok("curl").out()).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aWrongPasswordAnUnknownUserAndNoneAre401OnEveryEndpoint() throws Exception {
    for (String[] auth : List.of(new String[] {"-u", "alice:wrong"}, new String[] {"-u", "mallory:wonderland"},
        new String[] {"-H", "X-No: auth"}, new String[] {"-H", "Authorization: Basic !!!"})) {
      for (String path : List.of("/metrics", "/-/healthy", "/-/ready", "/", "/probe?target=x")) {
        Tools.Run r = curl("--cacert", certs.caPem().toString(), auth[0], auth[1], url(path)).ok("curl");
        assertThat(r.out()).as(auth[1] + " " + path).startsWith("HTTP/1.1 401")
            .containsIgnoringCase("www-authenticate: Basic").containsIgnoringCase("x-frame-options: deny")
            .doesNotContain("wsprobe_");
      }
    }
    assertThat(curl("--cacert", certs.caPem().toString(), "-u", "alice:wrong", "-X", "POST", url("/-/reload"))
        .ok("curl").out()).startsWith("HTTP/1.1 401");
  }

  @Test
  void plainHttpToTheTlsPortIsNotServed() throws Exception {
    Tools.Run r = curl("-u", "alice:wonderland", "http://127.0.0.1:" + agent.port() + "/metrics");
    assertThat(r.out()).doesNotContain("wsprobe_");
  }

  @Test
  void gzipWhenTheScraperAcceptsIt() throws Exception {
    Tools.Run r = curl("--cacert", certs.caPem().toString(), "-u", "alice:wonderland", "--compressed",
        url("/metrics")).ok("curl");
    assertThat(r.out()).containsIgnoringCase("content-encoding: gzip").containsIgnoringCase("vary: Accept-Encoding")
        .contains("wsprobe_config_last_reload_successful 1");
    Tools.Run plain = curl("--cacert", certs.caPem().toString(), "-u", "alice:wonderland",
        "-H", "Accept-Encoding: gzip;q=0, identity", url("/metrics")).ok("curl");
    assertThat(plain.out()).doesNotContainIgnoringCase("content-encoding").contains("wsprobe_config_last_reload_successful 1");
  }

  @Test
  void requireAndVerifyClientCertRefusesTheHandshakeWithoutOne() throws Exception {
    Files.copy(certs.caPem(), dir.resolve("clients.pem"));
    Path mtls = dir.resolve("mtls.yml");
    Files.writeString(mtls, """
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: clients.pem
        """);
    Agent strict = new Agent(vertx, () -> ConfigLoader.load(configFile), List.of("127.0.0.1:0"),
        () -> WebConfigLoader.load(mtls), null, Shard.ALL);
    others.add(strict);
    strict.start().await();
    Tools.Run r = curl("--cacert", certs.caPem().toString(), "https://127.0.0.1:" + strict.port() + "/metrics");
    assertThat(r.exit()).as(r.out() + r.err()).isNotZero();
    assertThat(r.out()).doesNotContain("HTTP/1.1");
    assertThat(r.err()).as("a TLS alert, no HTTP answer").containsIgnoringCase("alert").containsIgnoringCase("certificate");
  }

  @Test
  void reloadSwitchesUsersKeepsTheRunningWebConfigWhenBrokenAndStillReloadsTheConfig() throws Exception {
    String bobHash = BCrypt.withDefaults().hashToString(4, "builder".toCharArray());
    writeWeb(tlsWithUsers("bob: \"" + bobHash + "\""));
    assertThat(curl("--cacert", certs.caPem().toString(), "-u", "alice:wonderland", "-X", "POST", url("/-/reload"))
        .ok("curl").out()).startsWith("HTTP/1.1 200");
    assertThat(curl("--cacert", certs.caPem().toString(), "-u", "alice:wonderland", url("/metrics")).out())
        .startsWith("HTTP/1.1 401");
    assertThat(curl("--cacert", certs.caPem().toString(), "-u", "bob:builder", url("/metrics")).out())
        .startsWith("HTTP/1.1 200");

    writeWeb(tlsWithUsers("bob: \"" + bobHash + "\"") + "rate_limit: { burst: 1 }\n");
    Files.writeString(configFile, "global: { interval: 2h }\n");
    Tools.Run broken = curl("--cacert", certs.caPem().toString(), "-u", "bob:builder", "-X", "POST", url("/-/reload"));
    assertThat(broken.out()).startsWith("HTTP/1.1 500").contains(webFile + ":9: rate_limit: not supported by wsprobe")
        .contains("The running web configuration stays; the configuration was reloaded (0 targets).");
    assertThat(agent.config().global().interval()).hasHours(2);
    assertThat(curl("--cacert", certs.caPem().toString(), "-u", "bob:builder", url("/metrics")).out())
        .startsWith("HTTP/1.1 200").contains("wsprobe_config_last_reload_successful 0");
  }

  @Test
  void reloadReadsTheCertificatesAgain() throws Exception {
    TestCerts other = TestCerts.create(Files.createDirectories(dir.resolve("other")));
    TestCerts.Issued renewed = other.localhost();
    Files.copy(renewed.certPem(), dir.resolve("server.crt"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(renewed.keyPem(), dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
    agent.reload().await();
    assertThat(curl("--cacert", other.caPem().toString(), "-u", "alice:wonderland", url("/metrics"))
        .ok("curl with the new CA").out()).startsWith("HTTP/1.1 200");
    assertThat(curl("--cacert", certs.caPem().toString(), "-u", "alice:wonderland", url("/metrics")).exit())
        .isNotZero();
  }

  @Test
  void aCertificateThatDoesNotLoadOrSwitchingTlsOffFailsTheReloadAndKeepsTheRunningOne() throws Exception {
    Files.writeString(dir.resolve("server.crt"), "not a certificate\n");
    assertThat(reloadError()).contains(webFile + ": tls_server_config.cert_file, key_file: cannot load");
    Files.copy(certs.localhost().certPem(), dir.resolve("server.crt"), StandardCopyOption.REPLACE_EXISTING);
    writeWeb("basic_auth_users: { alice: \"" + aliceHash + "\" }\n");
    assertThat(reloadError()).contains("tls_server_config: switching TLS on or off takes a restart");
    assertThat(curl("--cacert", certs.caPem().toString(), "-u", "alice:wonderland", url("/metrics"))
        .ok("curl").out()).startsWith("HTTP/1.1 200");
  }

  String reloadError() {
    try {
      agent.reload().await();
    } catch (Exception e) {
      return e.getMessage();
    }
    throw new AssertionError("the reload succeeded");
  }

  @Test
  void aBadWebConfigRefusesTheStartNamingTheKey() throws Exception {
    writeWeb("tls_server_config: { cert_file: server.crt, key_file: server.key, min_version: TLS14 }\n");
    Agent bad = agent(List.of("127.0.0.1:0"));
    assertThat(startError(bad)).isInstanceOf(ConfigException.class)
        .hasMessage(webFile + ":1: tls_server_config.min_version: unknown TLS version \"TLS14\" (known: TLS12, TLS13)");
  }

  @Test
  void anAddressThatCannotBeBoundIsNamed() throws Exception {
    String taken = "127.0.0.1:" + agent.ports().get(1);
    Agent second = agent(List.of("127.0.0.1:0", taken));
    assertThat(startError(second)).hasMessageStartingWith("cannot listen on " + taken + ": ");
  }

  Throwable startError(Agent a) {
    try {
      a.start().await();
    } catch (Exception e) {
      return e;
    }
    others.add(a);
    throw new AssertionError("the agent started");
  }

  @Test
  void prometheusScrapesOverTlsWithBasicAuth() throws Exception {
    try (Prometheus prometheus = Prometheus.start(dir.resolve("prometheus"), """
        global: { scrape_interval: 1s, scrape_timeout: 1s }
        scrape_configs:
          - job_name: wsprobe
            scheme: https
            tls_config: { ca_file: %s }
            basic_auth: { username: alice, password: wonderland }
            static_configs: [{ targets: ["127.0.0.1:%d"] }]
          - job_name: wsprobe-wrong-password
            scheme: https
            tls_config: { ca_file: %s }
            basic_auth: { username: alice, password: wrong }
            static_configs: [{ targets: ["127.0.0.1:%d"] }]
        """.formatted(certs.caPem(), agent.port(), certs.caPem(), agent.ports().get(1)), Map.of())) {
      long deadline = System.nanoTime() + 30_000_000_000L;
      JsonArray up = new JsonArray();
      while (System.nanoTime() < deadline) {
        up = prometheus.query("up");
        if (up.size() == 2) {
          break;
        }
        Thread.sleep(200);
      }
      assertThat(up.size()).as(prometheus.output()).isEqualTo(2);
      assertThat(prometheus.query("up{job=\"wsprobe\"} == 1")).hasSize(1);
      assertThat(prometheus.query("up{job=\"wsprobe-wrong-password\"} == 0")).hasSize(1);
      assertThat(prometheus.query("wsprobe_config_last_reload_successful{job=\"wsprobe\"}")).hasSize(1);
    }
  }
}
