package io.wsprobe.proxy;

import static io.wsprobe.support.ProbeAssertions.assertResult;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Hop;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.wsprobe.prober.WebSocketProber;
import io.wsprobe.support.Apache;
import io.wsprobe.support.Caddy;
import io.wsprobe.support.HAProxy;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.NodeServer;
import io.wsprobe.support.Ports;
import io.wsprobe.support.ProbeCli;
import io.wsprobe.support.Varnish;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hop named, for real: Apache 2.4, Varnish 7.1, Caddy 2.6 and nginx (Debian packages) in
 * front of the real {@code ws} room server (its {@code /echo}) and Hocuspocus. Each broken proxy
 * names itself and its own fix first; each good one passes the session through.
 */
class HopProxyTest {

  static Vertx vertx;
  static WebSocketProber prober;
  static NodeServer ws;
  static NodeServer collab;
  static final List<AutoCloseable> proxies = new java.util.ArrayList<>();

  static Apache apacheBroken;
  static Apache apacheGood;
  static Varnish varnishDefault;
  static Varnish varnishPipe;
  static Caddy caddy;
  static Nginx nginxBroken;
  static Nginx nginxShortTimeout;
  static Nginx nginxNoBackend;
  static HAProxy haproxyNoBackend;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    prober = new WebSocketProber(vertx);
    ws = NodeServer.start("room-server.js");
    collab = NodeServer.start("hocuspocus-server.js", "--version", "3", "--token", "hop-s3cr3t");
    // one proxy per backend: a proxy's keep-alive connection to one must not serve the other
    apacheBroken = add(Apache.start(dir(dir, "apache-broken"), Apache.proxyWithoutUpgrade(ws.port())));
    apacheGood = add(Apache.start(dir(dir, "apache-good"), Apache.proxyWithUpgrade(ws.port())));
    varnishDefault = add(Varnish.start(dir(dir, "varnish-default"), Varnish.defaultVcl(ws.port())));
    varnishPipe = add(Varnish.start(dir(dir, "varnish-pipe"), Varnish.pipeVcl(ws.port())));
    caddy = add(Caddy.reverseProxy(dir(dir, "caddy"), ws.port()));
    nginxBroken = add(Nginx.start(dir(dir, "nginx-broken"), Nginx.proxyWithoutUpgrade(ws.port())));
    // nothing listens on the backend port: the proxies answer with their own error pages
    int nobody = Ports.refusing();
    nginxNoBackend = add(Nginx.start(dir(dir, "nginx-no-backend"), Nginx.proxyWithUpgrade(nobody)));
    Path haproxyDir = dir(dir, "haproxy-no-backend");
    int haproxyPort = Nginx.freePort();
    Files.writeString(haproxyDir.resolve("haproxy.cfg"), """
        defaults
            mode http
            retries 0
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend web
            bind 127.0.0.1:%d
            default_backend app
        backend app
            server app 127.0.0.1:%d
        """.formatted(haproxyPort, nobody));
    haproxyNoBackend = add(HAProxy.start(haproxyDir.resolve("haproxy.cfg"), java.util.Map.of(), haproxyPort,
        haproxyDir.resolve("haproxy.log")));
    nginxShortTimeout = add(Nginx.start(dir(dir, "nginx-short"),
        Nginx.proxyWithUpgrade(ws.port()).replace("proxy_http_version", "proxy_read_timeout 1s;\n      proxy_http_version")));
  }

  static Path dir(Path root, String name) throws Exception {
    return Files.createDirectories(root.resolve(name));
  }

  static <T extends AutoCloseable> T add(T proxy) {
    proxies.add(proxy);
    return proxy;
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable p : proxies) {
      p.close();
    }
    ws.close();
    collab.close();
    vertx.close().await();
  }

  static ProbeResult echo(int port) throws Exception {
    return probe("ws://127.0.0.1:" + port + "/echo", """
        messages:
          - send: hello
            expect: { echo: true }
        """);
  }

  static ProbeResult hocuspocus(int port) throws Exception {
    return probe("ws://127.0.0.1:" + port + "/collab", """
        protocol: hocuspocus
        hocuspocus: { document: hop-doc, token: hop-s3cr3t }
        """);
  }

  static ProbeResult probe(String url, String module) throws Exception {
    return probe(url, module, "3s");
  }

  static ProbeResult probe(String url, String module, String timeout) throws Exception {
    Config c = ConfigLoader.parse("modules:\n  m:\n" + module.indent(4) + """
        targets:
          - name: t
            url: %s
            module: m
            timeout: %s
        """.formatted(url, timeout), "test.yml", Path.of("."), n -> null);
    Target t = c.targets().get(0);
    return prober.probe(t, c.moduleOf(t)).await();
  }

  static String probeCommand(String url) {
    ProbeCli.Run run = ProbeCli.run("probe", url, "--timeout", "3s");
    assertThat(run.exit()).as(run.out()).isEqualTo(1);
    return run.out();
  }

  @Nested
  class ApacheWithoutUpgradeWebsocket {

    @Test
    void theWsAppsRefusalNamesApacheAndItsProxyPassFix() throws Exception {
      ProbeResult r = echo(apacheBroken.port());
      assertResult(r, Result.UPGRADE_REJECTED);
      assertThat(r.statusCode()).isEqualTo(426);
      assertThat(r.hop()).isEqualTo(Hop.APACHE);
      assertThat(r.diagnosis()).startsWith("Answered through Apache (Server: Apache/2.4.")
          .contains("ProxyPass \"/path\" \"http://app:port/path\" upgrade=websocket", "mod_proxy_wstunnel",
              "Got HTTP 426 text/plain instead of 101")
          .doesNotContain("proxy_set_header");
      assertThat(r.trace().render()).contains("answered through: Apache (Server: Apache/2.4.");
    }

    @Test
    void probeCommandNamesApacheAndItsFixFirst() throws Exception {
      String out = probeCommand("ws://127.0.0.1:" + apacheBroken.port() + "/echo");
      assertThat(out).contains("answered through: Apache (Server: Apache/2.4.", "< HTTP/1.1 426 Upgrade Required");
      String diagnosis = out.substring(out.indexOf("diagnosis:\n"));
      assertThat(diagnosis).startsWith("diagnosis:\n  Answered through Apache (Server: Apache/2.4.");
      assertThat(diagnosis.indexOf("upgrade=websocket")).isLessThan(diagnosis.indexOf("Got HTTP 426"));
      assertThat(out.strip()).endsWith("result: upgrade_rejected");
    }
  }

  @Nested
  class ApacheWithUpgradeWebsocket {

    @Test
    void passesTheWsSessionThrough() throws Exception {
      ProbeResult r = echo(apacheGood.port());
      assertResult(r, Result.SUCCESS);
      assertThat(r.rttNanos()).hasSize(1);
    }
  }

  @Nested
  class VarnishWithTheDefaultVcl {

    @Test
    void theWsAppsRefusalNamesVarnishAndItsPipeFix() throws Exception {
      ProbeResult r = echo(varnishDefault.port());
      assertResult(r, Result.UPGRADE_REJECTED);
      assertThat(r.statusCode()).isEqualTo(426);
      assertThat(r.hop()).isEqualTo(Hop.VARNISH);
      assertThat(r.diagnosis())
          .startsWith("Answered through Varnish (X-Varnish, Via: 1.1 varnish (Varnish/7.1)), which did not pass"
              + " the upgrade on.\nVarnish serves every request itself unless the VCL pipes upgrades")
          .contains("if (req.http.Upgrade ~ \"(?i)websocket\") { return (pipe); }",
              "set bereq.http.Connection = req.http.Connection;")
          .doesNotContain("proxy_set_header");
    }

    @Test
    void probeCommandNamesVarnishAndItsFixFirst() throws Exception {
      String out = probeCommand("ws://127.0.0.1:" + varnishDefault.port() + "/echo");
      assertThat(out).contains("answered through: Varnish (X-Varnish, Via: 1.1 varnish (Varnish/7.1))",
          "< HTTP/1.1 426 Upgrade Required");
      String diagnosis = out.substring(out.indexOf("diagnosis:\n"));
      assertThat(diagnosis).startsWith("diagnosis:\n  Answered through Varnish (X-Varnish, Via: 1.1 varnish");
      assertThat(diagnosis.indexOf("return (pipe);")).isLessThan(diagnosis.indexOf("Got HTTP 426"));
      assertThat(out.strip()).endsWith("result: upgrade_rejected");
    }
  }

  @Nested
  class VarnishPipingUpgrades {

    @Test
    void passesTheWsSessionThrough() throws Exception {
      ProbeResult r = echo(varnishPipe.port());
      assertResult(r, Result.SUCCESS);
      assertThat(r.rttNanos()).hasSize(1);
    }
  }

  @Nested
  class CaddyReverseProxy {

    @Test
    void upgradesByDefaultAndNamesItself() throws Exception {
      ProbeResult r = echo(caddy.port());
      assertResult(r, Result.SUCCESS);
      assertThat(r.hop()).isEqualTo(Hop.CADDY);
      assertThat(r.trace().render()).contains("answered through: Caddy (Server: Caddy)");
    }
  }

  @Nested
  class NginxWithoutTheUpgradeLines {

    @Test
    void namesNginxAndTheThreeLines() throws Exception {
      ProbeResult r = echo(nginxBroken.port());
      assertResult(r, Result.UPGRADE_REJECTED);
      assertThat(r.hop()).isEqualTo(Hop.NGINX);
      assertThat(r.diagnosis()).startsWith("Answered through nginx (Server: nginx")
          .contains("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
              "proxy_set_header Connection \"upgrade\";", "proxy_read_timeout 3600s;")
          .doesNotContain("upgrade=websocket", "Apache");
    }
  }

  @Nested
  class NginxWithAShortReadTimeout {

    @Test
    void anIdleCutNamesNginxsReadTimeout() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + nginxShortTimeout.port() + "/echo", """
          hold: { duration: 3s }
          """, "6s");
      assertResult(r, Result.IDLE_CUT);
      assertThat(r.hop()).isEqualTo(Hop.NGINX);
      assertThat(r.diagnosis()).startsWith("Answered through nginx (Server: nginx")
          .contains("nginx's proxy_read_timeout (60s by default)", "The idle session was cut before the hold ended");
    }
  }

  /** With the app down, the proxy's own error page names it: HAProxy sends no Server header at all. */
  @Nested
  class ErrorPages {

    @Test
    void haproxysOwn503NamesHaproxy() throws Exception {
      ProbeResult r = echo(haproxyNoBackend.port());
      assertResult(r, Result.UPGRADE_REJECTED);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.hop()).isEqualTo(Hop.HAPROXY);
      assertThat(r.diagnosis()).startsWith("Answered through HAProxy (HAProxy's error page). Got HTTP 503 text/html"
          + " instead of 101: the upgrade was refused. The proxy could not reach the app behind it");
      assertThat(r.trace().render()).contains("No server is available to handle this request.");
    }

    @Test
    void nginxsOwn502NamesNginx() throws Exception {
      ProbeResult r = echo(nginxNoBackend.port());
      assertResult(r, Result.UPGRADE_REJECTED);
      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.hop()).isEqualTo(Hop.NGINX);
      assertThat(r.diagnosis()).startsWith("Answered through nginx (nginx's error page). Got HTTP 502 text/html");
    }
  }

  /** Hocuspocus answers a plain GET with 200: the same proxies, as upgrade_ignored. */
  @Nested
  class InFrontOfHocuspocus {

    static Apache apacheBrokenCollab;
    static Apache apacheGoodCollab;
    static Varnish varnishDefaultCollab;
    static Varnish varnishPipeCollab;
    static Caddy caddyCollab;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
      apacheBrokenCollab = add(Apache.start(dir(dir, "apache-broken"), Apache.proxyWithoutUpgrade(collab.port())));
      apacheGoodCollab = add(Apache.start(dir(dir, "apache-good"), Apache.proxyWithUpgrade(collab.port())));
      varnishDefaultCollab = add(Varnish.start(dir(dir, "varnish-default"), Varnish.defaultVcl(collab.port())));
      varnishPipeCollab = add(Varnish.start(dir(dir, "varnish-pipe"), Varnish.pipeVcl(collab.port())));
      caddyCollab = add(Caddy.reverseProxy(dir(dir, "caddy"), collab.port()));
    }

    @Test
    void apacheWithoutUpgradeWebsocketNamesApache() throws Exception {
      ProbeResult r = hocuspocus(apacheBrokenCollab.port());
      assertResult(r, Result.UPGRADE_IGNORED);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.hop()).isEqualTo(Hop.APACHE);
      assertThat(r.diagnosis()).startsWith("Answered through Apache (Server: Apache/2.4.")
          .contains("upgrade=websocket");
    }

    @Test
    void varnishWithTheDefaultVclNamesVarnish() throws Exception {
      ProbeResult r = hocuspocus(varnishDefaultCollab.port());
      assertResult(r, Result.UPGRADE_IGNORED);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.hop()).isEqualTo(Hop.VARNISH);
      assertThat(r.diagnosis()).startsWith("Answered through Varnish (X-Varnish, Via: 1.1 varnish (Varnish/7.1))")
          .contains("return (pipe);");
    }

    @Test
    void goodProxiesPassTheDocumentSessionThrough() throws Exception {
      for (int port : new int[] {apacheGoodCollab.port(), varnishPipeCollab.port(), caddyCollab.port()}) {
        ProbeResult r = hocuspocus(port);
        assertResult(r, Result.SUCCESS);
        assertThat(r.trace().render()).contains("document synced");
      }
    }
  }
}
