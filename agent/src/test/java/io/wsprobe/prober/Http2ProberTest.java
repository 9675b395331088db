package io.wsprobe.prober;

import static io.wsprobe.prober.TestModule.module;
import static io.wsprobe.support.ProbeAssertions.assertResult;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.Squid;
import io.wsprobe.support.TestCerts;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * WebSocket over HTTP/2 (RFC 8441, {@code http_version: "2"}) against in-process Netty HTTP/2
 * servers that behave, or misbehave in exactly one way each.
 */
@ExtendWith(VertxExtension.class)
class Http2ProberTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final Duration SHORT = Duration.ofSeconds(1);
  private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

  @TempDir
  static Path certDir;
  private static TestCerts certs;

  private FaultServers servers;
  private H2Servers h2;
  private WebSocketProber prober;

  @BeforeAll
  static void makeCerts() throws Exception {
    certs = TestCerts.create(certDir);
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    servers = new FaultServers(vertx);
    h2 = new H2Servers();
    prober = new WebSocketProber(vertx);
  }

  @AfterEach
  void tearDown() {
    h2.close();
  }

  private ProbeResult probe(String url, TestModule module, Duration timeout) {
    Target target = new Target("test", URI.create(url), "test", Map.of(), Duration.ofSeconds(30), timeout);
    long start = System.nanoTime();
    ProbeResult r = prober.probe(target, module.h2().build()).await();
    assertThat(System.nanoTime() - start).as("the probe kept its deadline; trace:%n%s", r.trace().render())
        .isLessThanOrEqualTo(timeout.toNanos() + SLACK_NANOS);
    return r;
  }

  private static String ws(int port, String path) {
    return "ws://127.0.0.1:" + port + path;
  }

  @Nested
  class Cleartext {

    @Test
    void echoesOverTheStream() throws Exception {
      int port = h2.h2c(H2Servers.withConnect(), H2Servers.echo());

      ProbeResult r = probe(ws(port, "/echo?room=1"), module().echo("hello", 3).subprotocol("chat")
          .origin("https://app.example").header("X-Trace", Secret.plain("t-1"))
          .header("Authorization", Secret.plain("Bearer s3cr3t-token")).header("Connection", Secret.plain("close")),
          TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.phases()).containsOnlyKeys(Phase.CONNECT, Phase.UPGRADE);
      assertThat(r.rttNanos()).hasSize(3).allMatch(n -> n > 0);
      assertThat(r.closeCode()).isEqualTo(1000);
      String trace = r.trace().render();
      assertThat(trace).contains("SETTINGS: ", "MAX_CONCURRENT_STREAMS=100", "ENABLE_CONNECT_PROTOCOL=1",
          ":method: CONNECT", ":protocol: websocket", ":path: /echo?room=<secret>", ":authority: 127.0.0.1:" + port,
          "HTTP/2 stream 3", "sec-websocket-version: 13",
          "answer HTTP/2 :status 200", "session open on HTTP/2 stream 3, subprotocol chat",
          "3/3 sent 'hello', got 'hello'");
      assertThat(trace).doesNotContain("s3cr3t-token");

      Http2Headers sent = h2.requests.get(0);
      assertThat(sent.method()).hasToString("CONNECT");
      assertThat(sent.get(":protocol")).hasToString("websocket");
      assertThat(sent.scheme()).hasToString("http");
      assertThat(sent.path()).hasToString("/echo?room=1");
      assertThat(sent.authority()).hasToString("127.0.0.1:" + port);
      assertThat(sent.get("sec-websocket-version")).hasToString("13");
      assertThat(sent.get("sec-websocket-protocol")).hasToString("chat");
      assertThat(sent.get("origin")).hasToString("https://app.example");
      assertThat(sent.get("x-trace")).hasToString("t-1");
      assertThat(sent.contains("connection")).isFalse();
      assertThat(sent.contains("sec-websocket-key")).isFalse();
    }

    @Test
    void holdsWithPingsThenCloses() throws Exception {
      int port = h2.h2c(H2Servers.withConnect(), H2Servers.echo());
      int pingsBefore = H2Servers.PINGS.get();

      ProbeResult r = probe(ws(port, "/"), module().echo("x", 1).hold(Duration.ofMillis(800), Duration.ofMillis(200)),
          TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.holdSurvivedNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(800));
      assertThat(r.closeCode()).isEqualTo(1000);
      assertThat(H2Servers.PINGS.get() - pingsBefore).as("pings answered over the stream").isGreaterThanOrEqualTo(3);
    }

    @Test
    void withoutEnableConnectProtocolIsConnectUnsupported() throws Exception {
      int port = h2.h2c(Http2Settings.defaultSettings().maxConcurrentStreams(50), H2Servers.echo());

      ProbeResult r = probe(ws(port, "/"), module().echo("x", 1), TIMEOUT);

      assertResult(r, Result.H2_CONNECT_UNSUPPORTED);
      assertThat(r.detail()).contains("lack ENABLE_CONNECT_PROTOCOL=1", "MAX_CONCURRENT_STREAMS=50");
      assertThat(r.trace().render()).contains("SETTINGS: ");
      assertThat(r.diagnosis()).contains("SETTINGS_ENABLE_CONNECT_PROTOCOL");
      assertThat(h2.requests).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"426, UPGRADE_REJECTED", "404, UPGRADE_REJECTED", "302, UPGRADE_IGNORED"})
    void aStatusOtherThan200IsNamedWithItsBody(int status, Result expected) throws Exception {
      int port = h2.h2c(H2Servers.withConnect(), H2Servers.status(status, "no websocket here"));

      ProbeResult r = probe(ws(port, "/chat"), module(), TIMEOUT);

      assertResult(r, expected);
      assertThat(r.statusCode()).isEqualTo(status);
      assertThat(r.detail()).contains(":status " + status + " text/plain");
      assertThat(r.answer()).contains("HTTP/2 " + status, "server: h2-fault", "no websocket here");
      assertThat(r.trace().render()).contains("no websocket here");
      assertThat(r.phases()).containsKey(Phase.UPGRADE);
    }

    @Test
    void aResetStreamIsNamedWithItsCode() throws Exception {
      int port = h2.h2c(H2Servers.withConnect(), H2Servers.reset(Http2Error.REFUSED_STREAM));

      ProbeResult r = probe(ws(port, "/"), module(), TIMEOUT);

      assertResult(r, Result.H2_STREAM_RESET);
      assertThat(r.detail()).contains("RST_STREAM REFUSED_STREAM (0x7)", "instead of answering the extended CONNECT");
      assertThat(r.diagnosis()).contains("reset the WebSocket's HTTP/2 stream");
    }

    @Test
    void aResetDuringTheHoldIsAStreamReset() throws Exception {
      int port = h2.h2c(H2Servers.withConnect(), H2Servers.acceptThenReset(Http2Error.CANCEL, 300));

      ProbeResult r = probe(ws(port, "/"), module().hold(Duration.ofSeconds(2), null), TIMEOUT);

      assertResult(r, Result.H2_STREAM_RESET);
      assertThat(r.detail()).contains("RST_STREAM CANCEL (0x8)", "during the hold");
      assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void goAwayIsNamedWithCodeAndLastStream() throws Exception {
      int port = h2.h2c(H2Servers.withConnect(), H2Servers.goAway(Http2Error.ENHANCE_YOUR_CALM, "calm down"));

      ProbeResult r = probe(ws(port, "/"), module(), TIMEOUT);

      assertResult(r, Result.H2_GOAWAY);
      assertThat(r.detail()).contains("GOAWAY ENHANCE_YOUR_CALM (0xb)", "last stream id 3", "calm down");
      assertThat(r.diagnosis()).contains("GOAWAY");
    }

    @Test
    void anHttp11ServerIsConnectUnsupported() {
      FaultServers.Raw server = servers.raw(request -> {
        request.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        request.socket().close();
      });

      ProbeResult r = probe(ws(server.port(), "/"), module(), TIMEOUT);

      assertResult(r, Result.H2_CONNECT_UNSUPPORTED);
      assertThat(r.detail()).contains("answers HTTP/1.x, not HTTP/2", "HTTP/1.1 400 Bad Request");
      assertThat(r.trace().render()).contains("HTTP/1.1 400 Bad Request");
    }

    @Test
    void aSilentPortIsConnectUnsupportedAtTheDeadline() {
      FaultServers.Raw server = servers.raw(request -> { });

      ProbeResult r = probe(ws(server.port(), "/"), module(), SHORT);

      assertResult(r, Result.H2_CONNECT_UNSUPPORTED);
      assertThat(r.detail()).contains("no HTTP/2 SETTINGS from the server within the 1000ms timeout",
          "does not speak HTTP/2");
    }

    @Test
    void anHttp11ProbeIsUnchanged() throws Exception {
      // the same module on the default wire still upgrades over HTTP/1.1
      int port = servers.webSocket(FaultServers.echo());
      Target target = new Target("test", URI.create(ws(port, "/")), "test", Map.of(), Duration.ofSeconds(30), TIMEOUT);

      ProbeResult r = prober.probe(target, module().echo("hi", 1).build()).await();

      assertResult(r, Result.SUCCESS);
      assertThat(r.statusCode()).isEqualTo(101);
      assertThat(r.trace().render()).doesNotContain("SETTINGS");
    }
  }

  @Nested
  class OverTls {

    private Module.Tls trusting() {
      return new Module.Tls(certs.caPem().toString(), null, null, null, false);
    }

    @Test
    void alpnH2Echoes() throws Exception {
      int port = h2.tls(certs.localhost(), List.of("h2"), H2Servers.withConnect(), H2Servers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module().tls(trusting()).echo("hello", 2), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.phases()).containsKeys(Phase.TLS, Phase.UPGRADE);
      assertThat(r.trace().render()).contains("ALPN h2", ":scheme: https", "2/2 sent 'hello', got 'hello'");
      assertThat(h2.requests.get(0).authority()).hasToString("localhost:" + port);
    }

    @Test
    void alpnWithoutH2IsNotNegotiated() throws Exception {
      int port = h2.tls(certs.localhost(), List.of("http/1.1"), H2Servers.withConnect(), H2Servers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module().tls(trusting()), TIMEOUT);

      assertResult(r, Result.H2_NOT_NEGOTIATED);
      assertThat(r.detail()).contains("ALPN offered h2 only");
      assertThat(r.trace().render()).contains("tls");
      assertThat(r.diagnosis()).contains("did not select h2");
    }

    @Test
    void noAlpnAtAllIsNotNegotiated() throws Exception {
      int port = h2.tls(certs.localhost(), List.of(), H2Servers.withConnect(), H2Servers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module().tls(trusting()), TIMEOUT);

      assertResult(r, Result.H2_NOT_NEGOTIATED);
      assertThat(r.detail()).contains("selected nothing");
      assertThat(r.trace().render()).contains("ALPN selected nothing");
      assertThat(r.phases()).containsKey(Phase.TLS).doesNotContainKey(Phase.UPGRADE);
    }
  }

  @Nested
  class ThroughAForwardProxy {

    private Squid squid;

    @AfterEach
    void stopSquid() throws Exception {
      if (squid != null) {
        squid.close();
      }
    }

    @Test
    void h2cThroughTheTunnel(@TempDir Path dir) throws Exception {
      int port = h2.h2c(H2Servers.withConnect(), H2Servers.echo());
      squid = Squid.start(dir, List.of(port), Nginx.freePort(), null, null);

      ProbeResult r = probe(ws(port, "/echo"), module().proxy(new Module.Proxy("127.0.0.1", squid.port(), null, null))
          .echo("hi", 2), Duration.ofSeconds(5));

      assertResult(r, Result.SUCCESS);
      assertThat(r.proxyStatusCode()).isEqualTo(200);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.trace().render()).contains("CONNECT 127.0.0.1:" + port, "ENABLE_CONNECT_PROTOCOL=1",
          "2/2 sent 'hi', got 'hi'");
    }

    @Test
    void serverSettingsInTheSameSegmentAsTheProxysAnswerAreKept(Vertx vertx) throws Exception {
      // an h2 server speaks first: a proxy may pass its SETTINGS on in the write that carries
      // "200 Connection established"; these bytes are the target's and must reach the HTTP/2 codec
      int port = h2.h2c(H2Servers.withConnect(), H2Servers.echo());
      FaultServers.Raw proxy = servers.raw(req -> vertx.createNetClient().connect(port, FaultServers.LOOPBACK)
          .onSuccess(target -> {
            boolean[] first = {true};
            target.handler(data -> {
              if (first[0]) {
                first[0] = false;
                req.socket().write(io.vertx.core.buffer.Buffer.buffer("HTTP/1.1 200 Connection established\r\n\r\n")
                    .appendBuffer(data));
              } else {
                req.socket().write(data);
              }
            });
            req.onData(target::write);
            target.closeHandler(v -> req.socket().close());
          }));

      ProbeResult r = probe(ws(port, "/echo"), module().proxy(new Module.Proxy("127.0.0.1", proxy.port(), null, null))
          .echo("hi", 2), Duration.ofSeconds(5));

      assertResult(r, Result.SUCCESS);
      assertThat(r.trace().render()).contains("ENABLE_CONNECT_PROTOCOL=1", "2/2 sent 'hi', got 'hi'");
    }
  }
}
