package io.wsprobe.proxy;

import static io.wsprobe.support.ProbeAssertions.assertResult;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Target;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.wsprobe.prober.WebSocketProber;
import io.wsprobe.support.HAProxy;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.NodeServer;
import io.wsprobe.support.Ports;
import io.wsprobe.support.ProbeCli;
import io.wsprobe.support.Scrape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hop diagnosis for real: HAProxy in front of nginx in front of the ws echo server, the target's
 * origin_url the ws server itself. nginx without the Upgrade lines drops the upgrade; an app that
 * is a plain HTTP server, or one that is down, refuses it itself.
 */
class HopDiagnosisTest {

  static Vertx vertx;
  static NodeServer ws;
  static Nginx plainApp;
  static Nginx goodNginx;
  static Nginx brokenNginx;
  static Nginx nginxToPlainApp;
  static HAProxy toGood;
  static HAProxy toBroken;
  static HAProxy toPlainApp;
  static HAProxy toNothing;
  static int nothing;
  static WebSocketProber prober;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    ws = NodeServer.start("room-server.js");
    plainApp = Nginx.start(Files.createDirectories(dir.resolve("plain-app")),
        "    location / {\n      default_type text/plain;\n      return 200 \"a plain page\\n\";\n    }\n");
    goodNginx = Nginx.start(Files.createDirectories(dir.resolve("good")), Nginx.proxyWithUpgrade(ws.port()));
    brokenNginx = Nginx.start(Files.createDirectories(dir.resolve("broken")), Nginx.proxyWithoutUpgrade(ws.port()));
    nginxToPlainApp = Nginx.start(Files.createDirectories(dir.resolve("to-plain")),
        Nginx.proxyWithUpgrade(plainApp.port()));
    nothing = Ports.refusing();
    toGood = haproxy(dir, "to-good", goodNginx.port());
    toBroken = haproxy(dir, "to-broken", brokenNginx.port());
    toPlainApp = haproxy(dir, "to-plain", nginxToPlainApp.port());
    toNothing = haproxy(dir, "to-nothing", nothing);
    prober = new WebSocketProber(vertx);
  }

  /** HAProxy forwarding everything to 127.0.0.1:{@code backend}, as a load balancer in front of nginx. */
  static HAProxy haproxy(Path dir, String name, int backend) throws Exception {
    int port = Nginx.freePort();
    Path config = dir.resolve(name + ".cfg");
    Files.writeString(config, """
        defaults
          mode http
          timeout connect 2s
          retries 0
          timeout client 10s
          timeout server 10s
          timeout tunnel 1h
        frontend public
          bind 127.0.0.1:%d
          default_backend app
        backend app
          server app 127.0.0.1:%d
        """.formatted(port, backend));
    return HAProxy.start(config, Map.of(), port, dir.resolve(name + ".log"));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {toGood, toBroken, toPlainApp, toNothing, goodNginx,
        brokenNginx, nginxToPlainApp, plainApp, ws}) {
      if (c != null) {
        c.close();
      }
    }
    vertx.close().await();
  }

  static String config(int publicPort, String origin) {
    return """
        global:
          interval: 4s
          timeout: 3s
        modules:
          echo:
            messages:
              - send: hello
                expect: { echo: true }
        targets:
          - name: hops
            url: ws://127.0.0.1:%d/echo
            origin_url: %s
            module: echo
            timeout: 3s
        """.formatted(publicPort, origin);
  }

  static ProbeResult probe(int publicPort, String origin) throws Exception {
    Config c = ConfigLoader.parse(config(publicPort, origin), "test.yml", Path.of("."), n -> null);
    Target t = c.targets().get(0);
    return prober.probe(t, c.moduleOf(t)).await();
  }

  static String wsOrigin() {
    return "ws://127.0.0.1:" + ws.port() + "/echo";
  }

  @Test
  void nginxWithoutUpgradeLinesBehindHAProxyIsNamedAsTheHopThatDropsIt() throws Exception {
    ProbeResult r = probe(toBroken.port(), wsOrigin());

    assertResult(r, Result.UPGRADE_REJECTED); // the public URL's own result stays
    assertThat(r.statusCode()).isEqualTo(426); // ws answers the plain GET nginx made of it
    assertThat(r.origin().upgraded()).isTrue();
    assertThat(r.origin().statusCode()).isEqualTo(101);
    assertThat(r.hop()).isEqualTo(io.wsprobe.prober.Hop.NGINX); // HAProxy passed nginx's answer on
    assertThat(r.detail()).isEqualTo("got HTTP 426 text/plain instead of 101;"
        + " origin_url upgrades: a proxy between the public URL and the origin drops the upgrade"
        + " (the answer came through nginx)");
    assertThat(r.diagnosis()).startsWith("The app upgrades when asked directly (origin_url " + wsOrigin()
        + "), but not through the public URL: a proxy between the public URL and the origin drops the upgrade.")
        .contains("Answered through nginx", "proxy_set_header Upgrade $http_upgrade;");
    assertThat(r.trace().render()).containsPattern("(?m)^origin +[0-9.]+ms  " + wsOrigin()
        + " upgraded \\(HTTP 101\\)$");
  }

  @Test
  void theOriginsQueryValuesAndTheModulesSecretsStayHidden() throws Exception {
    String yaml = config(toBroken.port(), wsOrigin() + "?token=origin-s3cret")
        .replace("    module: echo\n", "    module: secret\n")
        .replace("modules:\n", "modules:\n  secret:\n    headers: { Authorization: \"Bearer header-s3cret\" }\n");
    Config c = ConfigLoader.parse(yaml, "test.yml", Path.of("."), n -> null);
    Target t = c.targets().get(0);
    ProbeResult r = prober.probe(t, c.moduleOf(t)).await();

    assertThat(r.origin().upgraded()).as(r.trace().render()).isTrue();
    assertThat(r.detail() + r.diagnosis() + r.trace().render()).contains("token=<secret>")
        .doesNotContain("origin-s3cret", "header-s3cret");
  }

  @Test
  void anAppThatIsAPlainHttpServerRefusesTheUpgradeItself() throws Exception {
    ProbeResult r = probe(toPlainApp.port(), "ws://127.0.0.1:" + plainApp.port() + "/echo");

    assertResult(r, Result.UPGRADE_IGNORED);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.origin().upgraded()).isFalse();
    assertThat(r.origin().result()).isEqualTo(Result.UPGRADE_IGNORED);
    assertThat(r.origin().statusCode()).isEqualTo(200);
    assertThat(r.detail()).endsWith("; origin_url fails too (upgrade_ignored): the app itself refuses the upgrade");
    assertThat(r.diagnosis()).startsWith("The app itself refuses the upgrade: asked directly, without the"
            + " proxies in between, origin_url ws://127.0.0.1:" + plainApp.port() + "/echo fails too (upgrade_ignored:"
            + " got HTTP 200 text/plain instead of 101")
        .doesNotContain("proxy_set_header"); // not a proxy's fault: no proxy fix offered
    assertThat(r.trace().render()).contains("origin", "failed: upgrade_ignored: got HTTP 200 text/plain");
  }

  @Test
  void anAppThatIsDownIsNamedAsTheCause() throws Exception {
    ProbeResult r = probe(toNothing.port(), "ws://127.0.0.1:" + nothing + "/echo");

    assertResult(r, Result.UPGRADE_REJECTED);
    assertThat(r.statusCode()).isEqualTo(503); // HAProxy: no server available
    assertThat(r.origin().result()).isEqualTo(Result.CONNECT_REFUSED);
    assertThat(r.detail()).endsWith("; origin_url fails too (connect_refused): the app itself refuses the upgrade");
    assertThat(r.diagnosis()).startsWith("The app itself refuses the upgrade").contains("(connect_refused: ");
  }

  @Test
  void aWorkingChainIsUnchangedAndShowsTheOriginInTheTrace() throws Exception {
    ProbeResult r = probe(toGood.port(), wsOrigin());

    assertResult(r, Result.SUCCESS);
    assertThat(r.statusCode()).isEqualTo(101);
    assertThat(r.rttNanos()).hasSize(1);
    assertThat(r.origin().upgraded()).isTrue();
    assertThat(r.trace().render()).contains(wsOrigin() + " upgraded (HTTP 101)");
  }

  @Test
  void aPublicFailureAfterTheUpgradeKeepsItsOwnWords() throws Exception {
    // the chain upgrades, the origin does not exist: nothing about the hops to say for a session
    // that opened, but the metric and trace still show the origin failing
    String yaml = config(toGood.port(), "ws://127.0.0.1:" + nothing + "/echo")
        .replace("expect: { echo: true }", "expect: { contains: never-sent }");
    Config c = ConfigLoader.parse(yaml, "test.yml", Path.of("."), n -> null);
    Target t = c.targets().get(0);
    ProbeResult r = prober.probe(t, c.moduleOf(t)).await();

    assertResult(r, Result.MESSAGE_MISMATCH);
    assertThat(r.detail()).doesNotContain("origin_url");
    assertThat(r.origin().result()).isEqualTo(Result.CONNECT_REFUSED);
    assertThat(r.trace().render()).contains("failed: connect_refused");
  }

  @Test
  void theAgentExportsTheOriginsUpgradeBesideThePublicResult() throws Exception {
    Vertx agentVertx = Vertx.vertx();
    Agent agent = new Agent(agentVertx, () -> ConfigLoader.parse(config(toBroken.port(), wsOrigin()),
        "hops.yml", Path.of("."), n -> null), "127.0.0.1:0", null);
    try {
      agent.start().await();
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/metrics")).build();
      String labels = "{module=\"echo\",target=\"hops\"}";
      String metrics = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (Scrape.value(metrics, "wsprobe_last_probe_timestamp_seconds" + labels) <= 0 && System.nanoTime() < deadline) {
        Thread.sleep(200);
        metrics = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
      }
      assertThat(Scrape.value(metrics, "wsprobe_origin_upgrade_success" + labels)).as(metrics).isEqualTo(1.0);
      assertThat(Scrape.value(metrics, "wsprobe_probe_success" + labels)).isEqualTo(0.0);
      assertThat(Scrape.value(metrics, "wsprobe_probes_total{module=\"echo\",result=\"upgrade_rejected\",target=\"hops\"}"))
          .isGreaterThanOrEqualTo(1.0);
    } finally {
      agent.stop().await();
      agentVertx.close().await();
    }
  }

  @Test
  void probeCommandNamesTheHop() throws Exception {
    String url = "ws://127.0.0.1:" + toBroken.port() + "/echo";
    ProbeCli.Run run = ProbeCli.run("probe", url, "--origin-url", wsOrigin(), "--timeout", "3s");
    String out = run.out();
    assertThat(run.exit()).as(out).isEqualTo(1);
    assertThat(out).contains("and its origin " + wsOrigin(), wsOrigin() + " upgraded (HTTP 101)", "diagnosis:",
        "a proxy between the public URL and the origin drops the upgrade");
    assertThat(out.strip()).endsWith("result: upgrade_rejected");
  }
}
