package io.wsprobe.proxy;

import static io.wsprobe.support.ProbeAssertions.assertResult;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Phase;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.wsprobe.prober.WebSocketProber;
import io.wsprobe.support.HAProxy;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.NodeServer;
import io.wsprobe.support.ProbeCli;
import io.wsprobe.support.Scrape;
import io.wsprobe.support.TestCerts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket over HTTP/2 (RFC 8441), for real: HAProxy 2.6 (Debian package) advertises extended
 * CONNECT on its h2 frontends and turns the CONNECT into an HTTP/1.1 upgrade to the real {@code ws}
 * room server and to Hocuspocus; nginx 1.22 speaks HTTP/2 without RFC 8441. One HAProxy holds
 * every frontend, so the HTTP/1.1 probes run against the very process the HTTP/2 ones do.
 */
class Http2ProxyTest {

  static Vertx vertx;
  static WebSocketProber prober;
  static NodeServer ws;
  static NodeServer collab;
  static HAProxy haproxy;
  static Nginx nginx;
  static Path caPem;

  /** h2c: {@code bind ... proto h2}, HTTP/2 with prior knowledge, in front of the ws server. */
  static int h2c;
  /** h2c with {@code http-request del-header Upgrade} and {@code Connection}. */
  static int h2cStripped;
  /** TLS, {@code alpn h2,http/1.1}. */
  static int tlsH2;
  /** TLS, {@code alpn http/1.1} only. */
  static int tlsH1Only;
  /** Plain HTTP/1.1. */
  static int h1;
  /** Plain HTTP/1.1 with the same del-header lines as {@link #h2cStripped}. */
  static int h1Stripped;
  /** h2c in front of Hocuspocus. */
  static int h2cCollab;
  /** Plain HTTP/1.1 in front of Hocuspocus. */
  static int h1Collab;
  /** h2c with {@code http-request reject}. */
  static int h2cReject;
  /** Plain HTTP/1.1 with the same {@code http-request reject}. */
  static int h1Reject;
  /** h2c to a backend with {@code timeout tunnel 1s}. */
  static int h2cShortTunnel;
  /** Plain HTTP/1.1 to the same backend. */
  static int h1ShortTunnel;
  /** nginx {@code listen ... http2;}: h2c prior knowledge. */
  static int nginxH2c;
  /** nginx {@code listen ... ssl http2;}. */
  static int nginxTls;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    prober = new WebSocketProber(vertx);
    ws = NodeServer.start("room-server.js");
    collab = NodeServer.start("hocuspocus-server.js", "--version", "3", "--token", "h2-s3cr3t");
    TestCerts certs = TestCerts.create(dir);
    TestCerts.Issued localhost = certs.localhost();
    caPem = certs.caPem();
    // HAProxy reads the certificate and its key from one file
    Path crt = dir.resolve("haproxy.pem");
    Files.writeString(crt, Files.readString(localhost.certPem()) + Files.readString(localhost.keyPem()));

    h2c = Nginx.freePort();
    h2cStripped = Nginx.freePort();
    tlsH2 = Nginx.freePort();
    tlsH1Only = Nginx.freePort();
    h1 = Nginx.freePort();
    h1Stripped = Nginx.freePort();
    h2cCollab = Nginx.freePort();
    h1Collab = Nginx.freePort();
    h2cReject = Nginx.freePort();
    h1Reject = Nginx.freePort();
    h2cShortTunnel = Nginx.freePort();
    h1ShortTunnel = Nginx.freePort();
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("H2C", h2c);
    values.put("H2C_STRIPPED", h2cStripped);
    values.put("TLS_H2", tlsH2);
    values.put("TLS_H1_ONLY", tlsH1Only);
    values.put("H1", h1);
    values.put("H1_STRIPPED", h1Stripped);
    values.put("H2C_COLLAB", h2cCollab);
    values.put("H1_COLLAB", h1Collab);
    values.put("H2C_REJECT", h2cReject);
    values.put("H1_REJECT", h1Reject);
    values.put("H2C_SHORT_TUNNEL", h2cShortTunnel);
    values.put("H1_SHORT_TUNNEL", h1ShortTunnel);
    values.put("CRT", crt);
    values.put("WS", ws.port());
    values.put("COLLAB", collab.port());
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, fill("""
        defaults
            mode http
            retries 0
            timeout connect 1s
            timeout client 10s
            timeout server 10s
            timeout tunnel 30s
        frontend h2c
            bind 127.0.0.1:{H2C} proto h2
            default_backend ws
        frontend h2c_stripped
            bind 127.0.0.1:{H2C_STRIPPED} proto h2
            http-request del-header Upgrade
            http-request del-header Connection
            default_backend ws
        frontend tls_h2
            bind 127.0.0.1:{TLS_H2} ssl crt {CRT} alpn h2,http/1.1
            default_backend ws
        frontend tls_h1_only
            bind 127.0.0.1:{TLS_H1_ONLY} ssl crt {CRT} alpn http/1.1
            default_backend ws
        frontend h1
            bind 127.0.0.1:{H1}
            default_backend ws
        frontend h1_stripped
            bind 127.0.0.1:{H1_STRIPPED}
            http-request del-header Upgrade
            http-request del-header Connection
            default_backend ws
        frontend h2c_collab
            bind 127.0.0.1:{H2C_COLLAB} proto h2
            default_backend collab
        frontend h1_collab
            bind 127.0.0.1:{H1_COLLAB}
            default_backend collab
        frontend h2c_reject
            bind 127.0.0.1:{H2C_REJECT} proto h2
            http-request reject
            default_backend ws
        frontend h1_reject
            bind 127.0.0.1:{H1_REJECT}
            http-request reject
            default_backend ws
        frontend h2c_short_tunnel
            bind 127.0.0.1:{H2C_SHORT_TUNNEL} proto h2
            default_backend ws_short_tunnel
        frontend h1_short_tunnel
            bind 127.0.0.1:{H1_SHORT_TUNNEL}
            default_backend ws_short_tunnel
        backend ws
            server ws 127.0.0.1:{WS}
        backend ws_short_tunnel
            timeout tunnel 1s
            server ws 127.0.0.1:{WS}
        backend collab
            server collab 127.0.0.1:{COLLAB}
        """, values));
    HAProxy.check(cfg, Map.of());
    haproxy = HAProxy.start(cfg, Map.of(), h2c, dir.resolve("haproxy.log"));
    for (int port : new int[] {h2cStripped, tlsH2, tlsH1Only, h1, h1Stripped, h2cCollab, h1Collab, h2cReject,
        h1Reject, h2cShortTunnel, h1ShortTunnel}) {
      waitForPort(port);
    }

    nginxTls = Nginx.freePort();
    Path nginxDir = Files.createDirectories(dir.resolve("nginx"));
    nginx = Nginx.startHttp(nginxDir, port -> """
        server {
          listen 127.0.0.1:%d http2;
          listen 127.0.0.1:%d ssl http2;
          ssl_certificate %s;
          ssl_certificate_key %s;
        %s
        }
        """.formatted(port, nginxTls, localhost.certPem(), localhost.keyPem(), Nginx.proxyWithUpgrade(ws.port())));
    nginxH2c = nginx.port();
    waitForPort(nginxTls);
  }

  @AfterAll
  static void stop() throws Exception {
    nginx.close();
    haproxy.close();
    ws.close();
    collab.close();
    vertx.close().await();
  }

  /** {@code text} with each {@code {NAME}} replaced by its value. */
  static String fill(String text, Map<String, Object> values) {
    for (Map.Entry<String, Object> e : values.entrySet()) {
      text = text.replace("{" + e.getKey() + "}", String.valueOf(e.getValue()));
    }
    assertThat(text).doesNotContainPattern("\\{[A-Z0-9_]+}");
    return text;
  }

  static void waitForPort(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (java.io.IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(50);
      }
    }
  }

  static final String ECHO = """
      messages:
        - send: hello over h2
          expect: { echo: true }
      """;

  static String h2(String module) {
    return "http_version: \"2\"\n" + module;
  }

  static String trusting(String module) {
    return module + "tls: { ca_file: " + caPem + " }\n";
  }

  static ProbeResult probe(String url, String module) throws Exception {
    return probe(url, module, "4s");
  }

  static ProbeResult probe(String url, String module, String timeout) throws Exception {
    return probeLater(url, module, timeout).get(20, TimeUnit.SECONDS);
  }

  /** Starts a probe; its result comes by the timeout. */
  static CompletableFuture<ProbeResult> probeLater(String url, String module, String timeout) throws Exception {
    Config c = ConfigLoader.parse("modules:\n  m:\n" + module.indent(4) + """
        targets:
          - name: t
            url: %s
            module: m
            timeout: %s
        """.formatted(url, timeout), "test.yml", Path.of("."), n -> null);
    Target t = c.targets().get(0);
    return prober.probe(t, c.moduleOf(t)).toCompletionStage().toCompletableFuture();
  }

  /** What every HTTP/2 session's trace holds: the server's SETTINGS and the extended CONNECT. */
  static void assertHttp2Upgrade(ProbeResult r) {
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.trace().render()).contains("SETTINGS", "ENABLE_CONNECT_PROTOCOL", "CONNECT", ":protocol",
        "websocket", ":status 200");
  }

  @Nested
  class HAProxyH2c {

    @Test
    void echoesOverHttp2() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h2c + "/echo", h2(ECHO));
      assertResult(r, Result.SUCCESS);
      assertHttp2Upgrade(r);
      assertThat(r.rttNanos()).hasSize(1);
      assertThat(r.phases()).containsKey(Phase.UPGRADE).doesNotContainKey(Phase.TLS);
      assertThat(r.trace().render()).contains("hello over h2");
    }

    @Test
    void aWrongExpectationFailsOverHttp2AsOverHttp1() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h2c + "/echo", h2("""
          messages:
            - send: hello over h2
              expect: { contains: something else }
          """));
      assertResult(r, Result.MESSAGE_MISMATCH);
      assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void broadcastsToARoomOverHttp2() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h2c + "/h2-room", h2("""
          protocol: raw
          broadcast: { receivers: 2, timeout: 2s }
          """));
      assertResult(r, Result.SUCCESS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.broadcastDelaysNanos()).hasSize(2);
      assertThat(r.broadcastMissing()).isZero();
      assertThat(r.trace().render()).contains("r1.upgrade", "r2.upgrade", "receiver 2 got the marker");
    }

    @Test
    void runsAHocuspocusSessionOverHttp2() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h2cCollab + "/collab", h2("""
          protocol: hocuspocus
          hocuspocus: { document: h2-doc, token: h2-s3cr3t }
          """));
      assertResult(r, Result.SUCCESS);
      assertHttp2Upgrade(r);
      assertThat(r.phases()).containsKey(Phase.APP_HANDSHAKE);
      assertThat(r.trace().render()).doesNotContain("h2-s3cr3t");
    }

    @Test
    void aWrongHocuspocusTokenIsStillNamedOverHttp2() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h2cCollab + "/collab", h2("""
          protocol: hocuspocus
          hocuspocus: { document: h2-doc, token: not-the-token }
          """));
      assertResult(r, Result.AUTH_FAILED);
      assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void probeCommandEchoesOverHttp2() {
      ProbeCli.Run run = ProbeCli.run("probe", "ws://127.0.0.1:" + h2c + "/echo", "--http-version", "2",
          "--send", "x", "--expect", "x", "--timeout", "4s");
      assertThat(run.exit()).as(run.out()).isZero();
      assertThat(run.out()).contains("SETTINGS", ":status 200");
      assertThat(run.out().strip()).endsWith("result: success");
    }
  }

  @Nested
  class HAProxyTls {

    @Test
    void echoesOverHttp2WhenAlpnSelectsH2() throws Exception {
      ProbeResult r = probe("wss://localhost:" + tlsH2 + "/echo", trusting(h2(ECHO)));
      assertResult(r, Result.SUCCESS);
      assertHttp2Upgrade(r);
      assertThat(r.phases()).containsKeys(Phase.TLS, Phase.UPGRADE);
      assertThat(r.certNotAfter()).isNotNull();
      assertThat(r.trace().render()).contains("ALPN", "h2");
    }

    /** {@code bind ... ssl crt ... alpn http/1.1}: with only h2 offered, OpenSSL selects nothing. */
    @Test
    void anHttp11OnlyFrontendIsH2NotNegotiated() throws Exception {
      ProbeResult r = probe("wss://localhost:" + tlsH1Only + "/echo", trusting(h2(ECHO)));
      assertResult(r, Result.H2_NOT_NEGOTIATED);
      assertThat(r.statusCode()).isZero();
      assertThat(r.phases()).doesNotContainKey(Phase.UPGRADE);
      assertThat(r.detail()).contains("ALPN");
      assertThat(r.trace().render()).contains("ALPN");
      assertThat(r.diagnosis()).contains("alpn h2,http/1.1");
    }
  }

  @Nested
  class HAProxyStrippingTheUpgradeHeaders {

    /**
     * HAProxy turns the CONNECT into a GET with Upgrade and Connection, and then deletes them as
     * told: the ws app answers that plain GET with its 426, which HAProxy relays as
     * {@code :status 426}.
     */
    @Test
    void theAppsRefusalIsUpgradeRejectedWith426() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h2cStripped + "/echo", h2(ECHO));
      assertResult(r, Result.UPGRADE_REJECTED);
      assertThat(r.statusCode()).isEqualTo(426);
      assertThat(r.detail()).contains("426");
      assertThat(r.trace().render()).contains("ENABLE_CONNECT_PROTOCOL", ":status 426", "Upgrade Required");
    }
  }

  @Nested
  class HAProxyEndingTheStreamOrTheConnection {

    /** {@code http-request reject} on an h2 frontend: RST_STREAM ENHANCE_YOUR_CALM, then GOAWAY. */
    @Test
    void rejectIsH2StreamReset() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h2cReject + "/echo", h2(ECHO));
      assertResult(r, Result.H2_STREAM_RESET);
      assertThat(r.statusCode()).isZero();
      assertThat(r.detail()).contains("ENHANCE_YOUR_CALM");
      assertThat(r.trace().render()).contains("ENABLE_CONNECT_PROTOCOL", "RST_STREAM").doesNotContain(":status");
    }

    /** The same {@code http-request reject} over HTTP/1.1: HAProxy closes without an answer. */
    @Test
    void theSameRejectOverHttp11ClosesTheConnection() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h1Reject + "/echo", ECHO);
      assertResult(r, Result.CLOSED_DURING_UPGRADE);
      assertThat(r.statusCode()).isZero();
    }

    /**
     * {@code timeout tunnel 1s} ends an idle HTTP/2 WebSocket with RST_STREAM CANCEL after the
     * 200; over HTTP/1.1 the same backend closes the connection, an idle cut.
     */
    @Test
    void anIdleTunnelTimeoutIsH2StreamResetAfterThe200() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h2cShortTunnel + "/echo", h2(ECHO + "hold: { duration: 3s }\n"), "6s");
      assertResult(r, Result.H2_STREAM_RESET);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.rttNanos()).hasSize(1);
      assertThat(r.detail()).contains("CANCEL");
      assertThat(r.trace().render()).contains(":status 200", "RST_STREAM");
    }

    @Test
    void theSameTimeoutOverHttp11IsAnIdleCut() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h1ShortTunnel + "/echo", ECHO + "hold: { duration: 3s }\n", "6s");
      assertResult(r, Result.IDLE_CUT);
      assertThat(r.statusCode()).isEqualTo(101);
    }

    /**
     * A soft stop (SIGUSR1, what a reload does to the old process) with {@code hard-stop-after}:
     * HAProxy sends GOAWAY NO_ERROR and closes the connection a second later, in the hold.
     */
    @Test
    void aStopInTheHoldIsH2Goaway(@TempDir Path dir) throws Exception {
      int port = Nginx.freePort();
      Path cfg = dir.resolve("haproxy.cfg");
      Files.writeString(cfg, """
          global
              hard-stop-after 1s
          defaults
              mode http
              timeout connect 1s
              timeout client 10s
              timeout server 10s
              timeout tunnel 30s
          frontend h2c
              bind 127.0.0.1:%d proto h2
              default_backend ws
          backend ws
              server ws 127.0.0.1:%d
          """.formatted(port, ws.port()));
      try (HAProxy stopping = HAProxy.start(cfg, Map.of(), port, dir.resolve("haproxy.log"))) {
        CompletableFuture<ProbeResult> result = probeLater("ws://127.0.0.1:" + port + "/echo",
            h2(ECHO + "hold: { duration: 5s }\n"), "8s");
        Thread.sleep(1000);
        stopping.softStop();
        ProbeResult r = result.get(10, TimeUnit.SECONDS);
        assertResult(r, Result.H2_GOAWAY);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.detail()).contains("NO_ERROR");
        assertThat(r.trace().render()).contains(":status 200", "GOAWAY");
      }
    }
  }

  @Nested
  class NginxWithoutRfc8441 {

    @Test
    void h2cIsH2ConnectUnsupported() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + nginxH2c + "/echo", h2(ECHO));
      assertResult(r, Result.H2_CONNECT_UNSUPPORTED);
      assertThat(r.statusCode()).isZero();
      assertThat(r.trace().render()).contains("SETTINGS").doesNotContain(":status");
      assertThat(r.diagnosis()).contains("nginx");
    }

    @Test
    void tlsWithHttp2IsH2ConnectUnsupported() throws Exception {
      ProbeResult r = probe("wss://localhost:" + nginxTls + "/echo", trusting(h2(ECHO)));
      assertResult(r, Result.H2_CONNECT_UNSUPPORTED);
      assertThat(r.statusCode()).isZero();
      assertThat(r.phases()).containsKey(Phase.TLS);
      assertThat(r.trace().render()).contains("ALPN", "h2", "SETTINGS").doesNotContain(":status");
    }

    @Test
    void http11ThroughTheSameNginxTlsPortStillUpgrades() throws Exception {
      ProbeResult r = probe("wss://localhost:" + nginxTls + "/echo", trusting(ECHO));
      assertResult(r, Result.SUCCESS);
      assertThat(r.statusCode()).isEqualTo(101);
    }
  }

  @Nested
  class Http11ProbesOfTheSameHAProxy {

    @Test
    void plainFrontendUpgradesAsBefore() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h1 + "/echo", ECHO);
      assertResult(r, Result.SUCCESS);
      assertThat(r.statusCode()).isEqualTo(101);
      assertThat(r.rttNanos()).hasSize(1);
      assertThat(r.trace().render()).doesNotContain("SETTINGS", ":protocol");
    }

    @Test
    void tlsFrontendOfferingH2UpgradesOverHttp11() throws Exception {
      ProbeResult r = probe("wss://localhost:" + tlsH2 + "/echo", trusting(ECHO));
      assertResult(r, Result.SUCCESS);
      assertThat(r.statusCode()).isEqualTo(101);
      assertThat(r.trace().render()).doesNotContain("SETTINGS", ":protocol");
    }

    @Test
    void http11OnlyTlsFrontendUpgrades() throws Exception {
      ProbeResult r = probe("wss://localhost:" + tlsH1Only + "/echo", trusting(ECHO));
      assertResult(r, Result.SUCCESS);
      assertThat(r.statusCode()).isEqualTo(101);
    }

    @Test
    void theSameDelHeaderLinesAreTheSame426OverHttp11() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h1Stripped + "/echo", ECHO);
      assertResult(r, Result.UPGRADE_REJECTED);
      assertThat(r.statusCode()).isEqualTo(426);
      assertThat(r.trace().render()).contains("HTTP/1.1 426");
    }

    @Test
    void aHocuspocusSessionThroughTheSameHAProxy() throws Exception {
      ProbeResult r = probe("ws://127.0.0.1:" + h1Collab + "/collab", """
          protocol: hocuspocus
          hocuspocus: { document: h2-doc, token: h2-s3cr3t }
          """);
      assertResult(r, Result.SUCCESS);
      assertThat(r.statusCode()).isEqualTo(101);
    }
  }

  @Nested
  class AnAgent {

    @Test
    void metricsShowTheUpgradeStatus200ForAnHttp2Target() throws Exception {
      Path config = Files.createTempFile("wsprobe-h2-", ".yml");
      Files.writeString(config, """
          global: { interval: 1s, timeout: 900ms }
          modules:
            h2:
              http_version: "2"
              messages:
                - send: ping
                  expect: { echo: true }
            h1:
              messages:
                - send: ping
                  expect: { echo: true }
          targets:
            - { name: over-h2, url: "ws://127.0.0.1:%d/echo", module: h2 }
            - { name: over-h1, url: "ws://127.0.0.1:%d/echo", module: h1 }
            - { name: nginx-h2, url: "ws://127.0.0.1:%d/echo", module: h2 }
          """.formatted(h2c, h1, nginxH2c));
      Vertx agentVertx = Vertx.vertx();
      Agent agent = new Agent(agentVertx, () -> ConfigLoader.load(config), "127.0.0.1:0", null);
      try {
        agent.start().await();
        HttpClient http = HttpClient.newHttpClient();
        String h2Status = "wsprobe_upgrade_status_code{module=\"h2\",target=\"over-h2\"}";
        String h1Status = "wsprobe_upgrade_status_code{module=\"h1\",target=\"over-h1\"}";
        String nginxResult = "wsprobe_probes_total{module=\"h2\",result=\"h2_connect_unsupported\",target=\"nginx-h2\"}";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String metrics = "";
        while (System.nanoTime() < deadline) {
          metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString()).body();
          if (Scrape.value(metrics, h2Status) == 200 && Scrape.value(metrics, h1Status) == 101
              && Scrape.value(metrics, nginxResult) >= 1) {
            break;
          }
          Thread.sleep(200);
        }
        assertThat(Scrape.value(metrics, h2Status)).as(metrics).isEqualTo(200);
        assertThat(Scrape.value(metrics, "wsprobe_probe_success{module=\"h2\",target=\"over-h2\"}")).isEqualTo(1);
        assertThat(Scrape.value(metrics, h1Status)).isEqualTo(101);
        assertThat(Scrape.value(metrics, nginxResult)).as(metrics).isGreaterThanOrEqualTo(1);
        assertThat(Scrape.value(metrics, "wsprobe_upgrade_status_code{module=\"h2\",target=\"nginx-h2\"}")).isZero();
        assertThat(Scrape.value(metrics, "wsprobe_probe_success{module=\"h2\",target=\"nginx-h2\"}")).isZero();
      } finally {
        agent.stop().await();
        agentVertx.close().await();
        Files.deleteIfExists(config);
      }
    }
  }
}
