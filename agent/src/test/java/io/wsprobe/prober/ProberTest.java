package io.wsprobe.prober;

import static io.wsprobe.prober.TestModule.module;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static io.wsprobe.support.ProbeAssertions.assertResult;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import io.wsprobe.support.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import io.wsprobe.support.TestCerts;

/**
 * One test per {@link Result}, each against a real in-process server on loopback that
 * misbehaves in exactly that way.
 */
@ExtendWith(VertxExtension.class)
class ProberTest {

  /** How late after its timeout a probe may complete. */
  private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final io.wsprobe.support.Stalls STALLS = io.wsprobe.support.Stalls.watch();
  private static final Duration SHORT = Duration.ofSeconds(1);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  /** Well before any timeout used here: the probe did not wait for its deadline. */
  private static final long QUICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

  @TempDir
  static Path certDir;
  private static TestCerts certs;

  private Vertx vertx;
  private FaultServers servers;
  private WebSocketProber prober;

  @BeforeAll
  static void makeCerts() throws Exception {
    certs = TestCerts.create(certDir);
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.servers = new FaultServers(vertx);
    this.prober = new WebSocketProber(vertx);
  }

  /** Probes and checks that the probe kept its deadline. */
  private ProbeResult probe(String url, TestModule module, Duration timeout) {
    Target target = new Target("test", URI.create(url), "test", Map.of(), Duration.ofSeconds(30), timeout);
    long start = System.nanoTime();
    ProbeResult r = prober.probe(target, module.build()).await();
    long end = System.nanoTime();
    long took = end - start;
    // a stall of the whole JVM (a loaded machine, a GC pause) delays the deadline's timer too
    long stall = STALLS.longest(start, end);
    assertThat(took).as("probe of %s took %s, timeout %s, longest stall of the JVM's threads meanwhile %s; trace:%n%s",
        url, Trace.millis(took), timeout, Trace.millis(stall), r.trace().render())
        .isLessThanOrEqualTo(timeout.toNanos() + SLACK_NANOS + stall);
    return r;
  }

  private static String ws(int port) {
    return "ws://127.0.0.1:" + port + "/";
  }

  private static long millis(long ms) {
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }

  @Nested
  class Network {

    @Test
    void success() {
      int port = servers.webSocket(FaultServers.echo());

      ProbeResult r = probe("ws://localhost:" + port + "/echo", module().echo("hello", 3), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.phases()).containsOnlyKeys(Phase.DNS, Phase.CONNECT, Phase.UPGRADE);
      assertThat(r.rttNanos()).hasSize(3).allMatch(n -> n > 0);
      assertThat(r.statusCode()).isEqualTo(101);
      assertThat(r.closeCode()).isEqualTo(1000);
      assertThat(r.holdSurvivedNanos()).isEqualTo(-1);
      assertThat(r.certNotAfter()).isNull();
      assertThat(r.trace().render())
          .contains("localhost -> 127.0.0.1", "101 Switching Protocols", "3/3 sent 'hello', got 'hello'");
    }

    @Test
    void aScheduledProbeHasTheSameResultWithAnEmptyTrace() {
      // the scheduler's probes: nobody reads their trace, so none is kept; the rest is the same
      int port = servers.webSocket(FaultServers.echo());
      Target target = new Target("test", URI.create("ws://localhost:" + port + "/echo"), "test", Map.of(),
          Duration.ofSeconds(30), TIMEOUT);
      io.vertx.core.Context context = vertx.getOrCreateContext();

      ProbeResult traced = prober.probe(target, module().echo("hello", 3).build(), context).await();
      ProbeResult untraced = prober.probeUntraced(target, module().echo("hello", 3).build(), context).await();

      assertResult(untraced, Result.SUCCESS);
      assertThat(untraced.phases()).containsOnlyKeys(Phase.DNS, Phase.CONNECT, Phase.UPGRADE);
      assertThat(untraced.rttNanos()).hasSize(3);
      assertThat(untraced.statusCode()).isEqualTo(101);
      assertThat(untraced.closeCode()).isEqualTo(1000);
      assertThat(untraced.trace().entries()).isEmpty();
      assertThat(untraced.trace().render()).isEmpty();
      assertThat(traced.trace().render()).contains("localhost -> 127.0.0.1", "101 Switching Protocols");

      int rejecting = servers.http(req -> req.response().setStatusCode(404).end("no such room"));
      Target rejected = new Target("test", URI.create(ws(rejecting)), "test", Map.of(), Duration.ofSeconds(30),
          TIMEOUT);
      ProbeResult failed = prober.probeUntraced(rejected, module().build(), context).await();
      assertResult(failed, Result.UPGRADE_REJECTED);
      assertThat(failed.detail()).isEqualTo("got HTTP 404 instead of 101");
      assertThat(failed.answer()).startsWith("HTTP/1.1 404 Not Found").contains("no such room");
      assertThat(failed.trace().entries()).isEmpty();
    }

    @Test
    void dnsError() {
      ProbeResult r = probe("ws://wsprobe-test.invalid/", module(), TIMEOUT);

      assertResult(r, Result.DNS_ERROR);
      assertThat(r.phases()).isEmpty();
      assertThat(r.statusCode()).isZero();
      assertThat(r.trace().render()).startsWith("dns");
    }

    @Test
    void connectRefused() throws IOException {
      int port = Ports.refusing();

      ProbeResult r = probe(ws(port), module(), TIMEOUT);

      assertResult(r, Result.CONNECT_REFUSED);
      assertThat(r.detail()).startsWith("connect to 127.0.0.1:" + port + ": ");
      assertThat(r.phases()).doesNotContainKey(Phase.CONNECT);
      assertThat(r.durationNanos()).isLessThan(QUICK_NANOS);
    }

    /**
     * A listener that never accepts and whose accept queue is full: Linux drops further SYNs, so
     * a connect to it neither succeeds nor is refused.
     */
    @Test
    void connectTimeout() throws IOException {
      try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName(FaultServers.LOOPBACK))) {
        List<Socket> queued = new ArrayList<>();
        try {
          boolean full = false;
          for (int i = 0; i < 16 && !full; i++) {
            Socket s = new Socket();
            try {
              s.connect(listener.getLocalSocketAddress(), 200);
              queued.add(s);
            } catch (SocketTimeoutException e) {
              s.close();
              full = true;
            }
          }
          assertThat(full).as("the accept queue of a backlog-1 listener never filled up").isTrue();

          ProbeResult r = probe(ws(listener.getLocalPort()), module(), SHORT);

          assertResult(r, Result.CONNECT_TIMEOUT);
          assertThat(r.phases()).isEmpty();
          assertThat(r.durationNanos()).isGreaterThanOrEqualTo(millis(900));
        } finally {
          for (Socket s : queued) {
            s.close();
          }
        }
      }
    }

    @Test
    void successOverIpv6Loopback() {
      assumeTrue(ipv6LoopbackAvailable(), "::1 is not available on this machine");
      int port = servers.webSocket("::1", FaultServers.echo());

      ProbeResult r = probe("ws://[::1]:" + port + "/", module().ipProtocol(Module.IpProtocol.IP6)
          .echo("hello", 1), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.trace().render()).contains("TCP connected to [::1]:" + port);
      assertThat(r.rttNanos()).hasSize(1);
    }

    private static boolean ipv6LoopbackAvailable() {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }

  @Nested
  class Tls {

    /**
     * The JDK's first TLS handshake in a JVM spends a second or two initialising its providers;
     * one untimed probe keeps that out of the tests' short timeouts.
     */
    @BeforeAll
    static void warmUpTls() throws Exception {
      Vertx own = Vertx.vertx();
      try {
        int port = new FaultServers(own).tlsWebSocket(certs.localhost(), FaultServers.echo());
        Target target = new Target("warm-up", URI.create("wss://localhost:" + port + "/"), "test", Map.of(),
            Duration.ofSeconds(30), Duration.ofSeconds(20));
        new WebSocketProber(own).probe(target, module().tls(new Module.Tls(null, null, null, null, true)).build())
            .await();
      } finally {
        own.close().await();
      }
    }

    private Module.Tls trusting() {
      return new Module.Tls(certs.caPem().toString(), null, null, null, false);
    }

    @Test
    void successWithCaFile() throws Exception {
      TestCerts.Issued cert = certs.localhost();
      int port = servers.tlsWebSocket(cert, FaultServers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module().tls(trusting()).echo("hello", 1), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.phases()).containsKeys(Phase.DNS, Phase.CONNECT, Phase.TLS, Phase.UPGRADE);
      assertThat(r.certNotAfter()).isEqualTo(cert.notAfter());
      assertThat(r.trace().render()).contains("certificate valid until " + cert.notAfter());
    }

    @Test
    void hostnameMismatch() throws Exception {
      TestCerts.Issued cert = certs.otherHost();
      int port = servers.tlsWebSocket(cert, FaultServers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module().tls(trusting()), TIMEOUT);

      assertResult(r, Result.TLS_HOSTNAME_MISMATCH);
      assertThat(r.detail()).contains("not for localhost: it names other.example");
      assertThat(r.diagnosis()).contains("tls.server_name");
      assertThat(r.phases()).doesNotContainKey(Phase.TLS);
      assertThat(r.statusCode()).isZero();
      assertThat(r.certNotAfter()).isEqualTo(cert.notAfter());
    }

    @Test
    void unknownCa() throws Exception {
      TestCerts.Issued cert = certs.localhost();
      int port = servers.tlsWebSocket(cert, FaultServers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module(), TIMEOUT);

      assertResult(r, Result.TLS_UNTRUSTED);
      assertThat(r.detail()).contains("the issuer 'CN=wsprobe test CA' is unknown", "certification path");
      assertThat(r.diagnosis()).contains("tls.ca_file");
      assertThat(r.certNotAfter()).isEqualTo(cert.notAfter());
    }

    @Test
    void selfSigned() throws Exception {
      TestCerts.Issued cert = certs.selfSigned();
      int port = servers.tlsWebSocket(cert, FaultServers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module().tls(trusting()), TIMEOUT);

      assertResult(r, Result.TLS_UNTRUSTED);
      assertThat(r.detail()).contains("the certificate 'CN=self-signed' is self-signed");
      assertThat(r.certNotAfter()).isEqualTo(cert.notAfter());
    }

    @Test
    void incompleteChain() throws Exception {
      TestCerts.Issued cert = certs.withoutIntermediate();
      int port = servers.tlsWebSocket(cert, FaultServers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module().tls(trusting()), TIMEOUT);

      assertResult(r, Result.TLS_UNTRUSTED);
      assertThat(r.detail()).contains("the issuer 'CN=wsprobe test intermediate' is unknown",
          "does not send its intermediate certificate");
      assertThat(r.diagnosis()).contains("full chain");
    }

    @Test
    void expiredAndUntrustedIsExpiredAndSaysSo() throws Exception {
      TestCerts.Issued cert = certs.expired();
      int port = servers.tlsWebSocket(cert, FaultServers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module(), TIMEOUT);

      assertResult(r, Result.TLS_CERT_EXPIRED);
      assertThat(r.detail()).contains("the certificate 'CN=expired' expired at " + cert.notAfter(),
          "the chain is also untrusted: no path to a trusted CA");
      assertThat(r.diagnosis()).contains("renew", "tls.ca_file");
      assertThat(r.certNotAfter()).isEqualTo(cert.notAfter());
    }

    @Test
    void portThatSpeaksNoTls() {
      int port = servers.webSocket(FaultServers.echo());

      ProbeResult r = probe("wss://127.0.0.1:" + port + "/", module(), TIMEOUT);

      assertResult(r, Result.TLS_HANDSHAKE_FAILED);
      assertThat(r.detail()).contains("the port does not speak TLS");
      assertThat(r.certNotAfter()).isNull();
    }

    @Test
    void serverRefusesTheProtocolVersion() {
      int port = servers.replying(FaultServers.tlsAlert(70)); // protocol_version, as a TLS 1.0-only server

      ProbeResult r = probe("wss://127.0.0.1:" + port + "/", module(), TIMEOUT);

      assertResult(r, Result.TLS_HANDSHAKE_FAILED);
      assertThat(r.detail()).contains("alert protocol_version: no TLS version in common");
      assertThat(r.diagnosis()).contains("protocol versions or cipher suites");
    }

    @Test
    void handshakeNotInTime() {
      FaultServers.Raw server = servers.raw(request -> { }); // reads, never answers a ClientHello

      ProbeResult r = probe("wss://127.0.0.1:" + server.port() + "/", module(), SHORT);

      assertResult(r, Result.TLS_HANDSHAKE_FAILED);
      assertThat(r.detail()).isEqualTo("TLS handshake did not complete within the 1000ms timeout");
    }

    @Test
    void expiredCertificateIsRecorded() throws Exception {
      TestCerts.Issued cert = certs.expired();
      int port = servers.tlsWebSocket(cert, FaultServers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/", module().tls(trusting()), TIMEOUT);

      assertResult(r, Result.TLS_CERT_EXPIRED);
      assertThat(r.detail()).contains("the certificate 'CN=expired' expired at " + cert.notAfter())
          .doesNotContain("untrusted");
      assertThat(r.certNotAfter()).isEqualTo(cert.notAfter());
      assertThat(r.phases()).doesNotContainKey(Phase.TLS);
    }

    @Test
    void insecureSkipVerifyAcceptsAnUntrustedCertificate() throws Exception {
      TestCerts.Issued cert = certs.localhost();
      int port = servers.tlsWebSocket(cert, FaultServers.echo());

      ProbeResult r = probe("wss://localhost:" + port + "/",
          module().tls(new Module.Tls(null, null, null, null, true)).echo("hello", 1), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.phases()).containsKey(Phase.TLS);
      assertThat(r.certNotAfter()).isEqualTo(cert.notAfter());
      assertThat(r.trace().render()).contains("not verified: insecure_skip_verify");
    }
  }

  @Nested
  class Upgrade {

    @Test
    void upgradeTimeout() {
      FaultServers.Raw server = servers.raw(request -> { });

      ProbeResult r = probe(ws(server.port()), module(), SHORT);

      assertResult(r, Result.UPGRADE_TIMEOUT);
      assertThat(r.detail()).isEqualTo("no complete answer to the upgrade request within the 1000ms timeout");
      assertThat(r.phases()).containsOnlyKeys(Phase.CONNECT);
      assertThat(r.statusCode()).isZero();
    }

    @Test
    void upgradeIgnored() {
      int port = servers.http(req -> req.response().putHeader("Content-Type", "text/html; charset=utf-8")
          .end("<html>app</html>"));

      ProbeResult r = probe(ws(port), module(), TIMEOUT);

      assertResult(r, Result.UPGRADE_IGNORED);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.detail()).contains("got HTTP 200 text/html instead of 101");
      assertThat(r.diagnosis()).contains("proxy_set_header Upgrade");
      assertThat(r.phases()).containsKey(Phase.UPGRADE);
      assertThat(r.trace().render()).contains("<html>app</html>");
    }

    /** The kept body must not stop at the buffer's first growth step (64 bytes). */
    @Test
    void bodyArrivingInPartsIsKeptWhole() {
      String first = "a".repeat(64);
      String second = "b".repeat(36);
      FaultServers.Raw server = servers.raw(request -> {
        request.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n" + first);
        vertx.setTimer(50, id -> request.write(second));
      });

      ProbeResult r = probe(ws(server.port()), module(), TIMEOUT);

      assertResult(r, Result.UPGRADE_IGNORED);
      assertThat(r.trace().render()).contains(first + second);
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 426})
    void upgradeRejected(int status) {
      int port = servers.http(req -> req.response().setStatusCode(status).end());

      ProbeResult r = probe(ws(port), module(), TIMEOUT);

      assertResult(r, Result.UPGRADE_REJECTED);
      assertThat(r.statusCode()).isEqualTo(status);
      assertThat(r.detail()).isEqualTo("got HTTP " + status + " instead of 101");
      assertThat(r.diagnosis()).contains("proxy_set_header Upgrade");
    }

    @Test
    void badAccept() {
      FaultServers.Raw server = servers.raw(request -> request.write(FaultServers.switching("dGhlIHNhbXBsZSBub25jZQ==")));

      ProbeResult r = probe(ws(server.port()), module(), TIMEOUT);

      assertResult(r, Result.BAD_ACCEPT);
      assertThat(r.statusCode()).isEqualTo(101);
      assertThat(r.detail()).startsWith("Sec-WebSocket-Accept is 'dGhlIHNhbXBsZSBub25jZQ==', expected '");
    }

    /**
     * Another protocol answers: an SMTP greeting (a status line Netty rejects), an SSH banner (a
     * line Netty skips, then silence), and a TLS alert, which is what a TLS port says to a
     * plain-text request before it hangs up.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "smtp | 220 mail.example ESMTP ready\\r\\n | false | 220 mail.example ESMTP ready",
        "ssh  | SSH-2.0-OpenSSH_9.6\\r\\n           | false | SSH-2.0-OpenSSH_9.6",
        "tls  | \\025\\003\\003\\000\\002\\002\\106   | true  | \\x15\\x03\\x03",
    })
    void answerThatIsNotHttp(String name, String answer, boolean hangUp, String traced) {
      FaultServers.Raw server = servers.raw(request -> {
        request.write(answer.translateEscapes());
        if (hangUp) {
          request.socket().end();
        }
      });

      ProbeResult r = probe(ws(server.port()), module(), SHORT);

      assertResult(r, Result.BAD_ACCEPT);
      assertThat(r.statusCode()).isZero();
      assertThat(r.detail()).startsWith("answer is not");
      assertThat(r.diagnosis()).contains("wss:// on a TLS port?");
      assertThat(r.trace().render()).contains(traced);
    }

    @Test
    void subprotocolOtherThanOffered() {
      Map<String, String> seen = new ConcurrentHashMap<>();
      FaultServers.Raw server = servers.raw(request -> {
        seen.putAll(request.headers());
        request.write(FaultServers.switching(request.accept(), "Sec-WebSocket-Protocol: other"));
      });

      ProbeResult r = probe(ws(server.port()), module().subprotocol("chat"), TIMEOUT);

      assertResult(r, Result.SUBPROTOCOL_MISMATCH);
      assertThat(seen).containsEntry("sec-websocket-protocol", "chat");
      assertThat(r.statusCode()).isEqualTo(101);
      assertThat(r.detail()).isEqualTo("offered [chat], server chose 'other'");
    }

    @Test
    void noSubprotocolChosen() {
      FaultServers.Raw server = servers.raw(request -> request.write(FaultServers.switching(request.accept())));

      ProbeResult r = probe(ws(server.port()), module().subprotocol("chat"), TIMEOUT);

      assertResult(r, Result.SUBPROTOCOL_MISMATCH);
      assertThat(r.detail()).isEqualTo("offered [chat], server chose none");
    }

    @Test
    void closedAfterRequest() {
      FaultServers.Raw server = servers.raw(request -> request.socket().close());

      ProbeResult r = probe(ws(server.port()), module(), TIMEOUT);

      assertResult(r, Result.CLOSED_DURING_UPGRADE);
      assertThat(r.detail()).isEqualTo("connection closed before any answer");
      assertThat(r.statusCode()).isZero();
      assertThat(r.durationNanos()).isLessThan(QUICK_NANOS);
    }

    @Test
    void resetAfterRequest() {
      FaultServers.Raw server = servers.raw(true, request -> request.socket().close());

      ProbeResult r = probe(ws(server.port()), module(), TIMEOUT);

      assertResult(r, Result.CLOSED_DURING_UPGRADE);
      assertThat(r.detail()).containsIgnoringCase("reset");
      assertThat(r.durationNanos()).isLessThan(QUICK_NANOS);
    }
  }

  @Nested
  class Messages {

    @Test
    void messageTimeout() {
      int port = servers.webSocket(ws -> { });

      ProbeResult r = probe(ws(port), module().echo("hello", 1), SHORT);

      assertResult(r, Result.MESSAGE_TIMEOUT);
      assertThat(r.detail()).isEqualTo("no answer to message 1 within the 1000ms timeout");
      assertThat(r.statusCode()).isEqualTo(101);
      assertThat(r.rttNanos()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CONTAINS | welcome    |      | contains 'welcome'",
        "REGEX    | ^ok \\d+$  |      | regex '^ok \\d+$'",
        "JSON     | hello      | type | json type == hello",
    })
    void messageMismatch(Module.Expect.Kind kind, String value, String jsonPath, String described) {
      int port = servers.webSocket(ws -> ws.textMessageHandler(t -> ws.writeTextMessage("{\"type\":\"error\"}")));

      ProbeResult r = probe(ws(port), module().send("hello", kind, value, jsonPath), SHORT);

      assertResult(r, Result.MESSAGE_MISMATCH);
      assertThat(r.detail()).isEqualTo("no frame matched " + described + " within the 1000ms timeout;"
          + " 1 other frame(s), last: '{\"type\":\"error\"}'");
      assertThat(r.rttNanos()).isEmpty();
    }

    @Test
    void serverFirstGreetingThenEcho() {
      int port = servers.webSocket(ws -> {
        ws.writeTextMessage("welcome v1");
        FaultServers.echo().handle(ws);
      });

      ProbeResult r = probe(ws(port), module()
          .message(new Module.Message(null, false, new Module.Expect(Module.Expect.Kind.CONTAINS, "welcome", null), 1))
          .echo("hello", 1), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.rttNanos()).hasSize(1); // waiting for a greeting is no round trip
      assertThat(r.trace().render()).contains("1/2 waited for the server, got 'welcome v1'",
          "2/2 sent 'hello', got 'hello'");
    }

    @Test
    void aCapturedTokenIsSentBackAndHidden() {
      String token = "s3cr3t-t0ken-42";
      int port = servers.webSocket(ws -> {
        ws.writeTextMessage("{\"token\":\"" + token + "\"}");
        ws.textMessageHandler(t -> ws.writeTextMessage(t.equals("auth " + token) ? "ok " + token : "denied"));
      });

      ProbeResult r = probe(ws(port), module()
          .message(new Module.Message(null, false, new Module.Expect(Module.Expect.Kind.CONTAINS, "token", null), 1,
              Map.of("token", "\"token\":\"([^\"]+)\"")))
          .send("auth ${capture:token}", Module.Expect.Kind.CONTAINS, "ok", null), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.trace().render()).contains("got '{\"token\":\"<capture:token>\"}'",
          "sent 'auth ${capture:token}', got 'ok <capture:token>'").doesNotContain(token);
    }

    @Test
    void aCaptureThatFindsNothingIsAMismatchNamingIt() {
      int port = servers.webSocket(ws -> ws.writeTextMessage("hello, no token here"));

      ProbeResult r = probe(ws(port), module()
          .message(new Module.Message(null, false, new Module.Expect(Module.Expect.Kind.CONTAINS, "hello", null), 1,
              Map.of("token", "token=(\\w+)"))), TIMEOUT);

      assertResult(r, Result.MESSAGE_MISMATCH);
      assertThat(r.detail()).isEqualTo("capture 'token' (regex 'token=(\\w+)') found nothing in the answer"
          + " to message 1: 'hello, no token here'");
      assertThat(r.durationNanos()).isLessThan(QUICK_NANOS);
    }

    @Test
    void serverFirstStepTimesOut() {
      int port = servers.webSocket(ws -> { });

      ProbeResult r = probe(ws(port), module()
          .message(new Module.Message(null, false, new Module.Expect(Module.Expect.Kind.CONTAINS, "welcome", null), 1)),
          SHORT);

      assertResult(r, Result.MESSAGE_TIMEOUT);
      assertThat(r.detail()).isEqualTo("no message from the server for step 1 within the 1000ms timeout");
    }

    @Test
    void messageTooLarge() {
      FaultServers.Raw server = servers.raw(request -> {
        request.write(FaultServers.switching(request.accept()));
        request.onData(frame -> {
          request.write(FaultServers.binaryFrameHeader(64L << 20));
          request.write(new byte[1024]);
        });
      });

      ProbeResult r = probe(ws(server.port()), module().maxMessageBytes(1 << 20).echo("hello", 1),
          Duration.ofSeconds(3));

      assertResult(r, Result.MESSAGE_TOO_LARGE);
      assertThat(r.detail()).endsWith("(max_message_size 1048576 bytes)");
      assertThat(r.durationNanos()).isLessThan(QUICK_NANOS);
    }

    /** A protocol violation that mentions a length is still no oversized message. */
    @Test
    void oversizedControlFrameIsInvalidNotTooLarge() {
      FaultServers.Raw server = servers.raw(request -> {
        request.write(FaultServers.switching(request.accept()));
        request.onData(frame -> {
          request.write(new byte[] {(byte) 0x89, 126, 0, (byte) 200}); // ping, 200-byte payload
          request.write(new byte[200]);
        });
      });

      ProbeResult r = probe(ws(server.port()), module().echo("hello", 1), TIMEOUT);

      assertResult(r, Result.PROTOCOL_ERROR);
      assertThat(r.detail()).startsWith("the peer broke RFC 6455 while waiting for message 1:"
          + " control frame with payload length > 125");
    }

    /** RFC 6455 8.1: a client that gets text that is not UTF-8 fails the connection (1007). */
    @ParameterizedTest
    @CsvSource({
        "'fd,fd,fd', false", // bytes that never occur in UTF-8
        "'ce,bc,e0', true",  // 'μ' then a lead byte whose continuation never comes, across two fragments
    })
    void textThatIsNotUtf8IsAProtocolError(String hex, boolean fragmented) {
      byte[] bad = java.util.HexFormat.ofDelimiter(",").parseHex(hex);
      java.util.concurrent.CompletableFuture<byte[]> closeFrame = new java.util.concurrent.CompletableFuture<>();
      FaultServers.Raw server = servers.raw(request -> {
        request.write(FaultServers.switching(request.accept()));
        request.onData(data -> {
          if ((data.getByte(0) & 0x0f) == 0x8) {
            closeFrame.complete(data.getBytes());
            return;
          }
          if (fragmented) {
            request.write(new byte[] {0x01, 2, bad[0], bad[1]}); // text, not FIN
            request.write(new byte[] {(byte) 0x80, 1, bad[2]});  // continuation, FIN
          } else {
            request.write(new byte[] {(byte) 0x81, (byte) bad.length});
            request.write(bad);
          }
        });
      });

      ProbeResult r = probe(ws(server.port()), module().send("hello", Module.Expect.Kind.ANY, null, null), TIMEOUT);

      assertResult(r, Result.PROTOCOL_ERROR);
      assertThat(r.detail()).startsWith("the peer broke RFC 6455 while waiting for message 1: a text"
          + " frame that is not valid UTF-8");
      assertThat(r.rttNanos()).isEmpty();
      assertThat(r.diagnosis()).contains("break the WebSocket protocol");
      byte[] close = closeFrame.orTimeout(3, java.util.concurrent.TimeUnit.SECONDS).join();
      // a client's frame is masked: 2 header bytes, 4 mask bytes, then the code
      int code = ((close[6] ^ close[2]) & 0xff) << 8 | ((close[7] ^ close[3]) & 0xff);
      assertThat(code).as("close code the probe sent").isEqualTo(1007);
    }

    @Test
    void closedByPeer() {
      int port = servers.webSocket(ws -> ws.textMessageHandler(t -> ws.close((short) 1011, "boom")));

      ProbeResult r = probe(ws(port), module().echo("hello", 1), TIMEOUT);

      assertResult(r, Result.CLOSED_BY_PEER);
      assertThat(r.closeCode()).isEqualTo(1011);
      assertThat(r.closeReason()).isEqualTo("boom");
      assertThat(r.detail()).isEqualTo("peer sent close 1011 'boom' while waiting for message 1");
    }
  }

  @Nested
  class Hold {

    @Test
    void idleCut() {
      int port = servers.webSocket(ws -> vertx.setTimer(500, id -> ws.close((short) 1001, "idle")));

      ProbeResult r = probe(ws(port), module().hold(Duration.ofSeconds(3), null), Duration.ofSeconds(5));

      assertResult(r, Result.IDLE_CUT);
      assertThat(r.holdSurvivedNanos()).isBetween(millis(350), millis(800));
      assertThat(r.closeCode()).isEqualTo(1001);
      assertThat(r.closeReason()).isEqualTo("idle");
      assertThat(r.detail()).contains("of 3s hold: close 1001 'idle'");
    }

    /** The server cuts sessions after 1 s without inbound frames; pings count as traffic. */
    @Test
    void pingsKeepAnIdleSessionOpen() {
      AtomicInteger pings = new AtomicInteger();
      int port = servers.webSocket(ws -> {
        AtomicLong lastInbound = new AtomicLong(System.nanoTime());
        ws.frameHandler(frame -> {
          lastInbound.set(System.nanoTime());
          if (frame.isPing()) {
            pings.incrementAndGet();
          }
        });
        long timer = vertx.setPeriodic(100, id -> {
          if (System.nanoTime() - lastInbound.get() > millis(1000)) {
            ws.close((short) 1001, "idle");
          }
        });
        ws.closeHandler(v -> vertx.cancelTimer(timer));
      });

      ProbeResult r = probe(ws(port), module().hold(Duration.ofMillis(2500), Duration.ofMillis(300)),
          Duration.ofSeconds(4));

      assertResult(r, Result.SUCCESS);
      assertThat(r.holdSurvivedNanos()).isEqualTo(millis(2500));
      assertThat(pings.get()).isGreaterThanOrEqualTo(5);
      assertThat(r.closeCode()).isEqualTo(1000);
    }
  }

  @Nested
  class Hostile {

    @Test
    void headerTrickledForever() throws Exception {
      byte[] start = "HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
      FaultServers.Raw server = servers.raw(request -> {
        AtomicInteger sent = new AtomicInteger();
        long timer = vertx.setPeriodic(0, 200, id -> {
          int i = sent.getAndIncrement();
          request.write(new byte[] {i < start.length ? start[i] : (byte) 'a'});
        });
        request.onClose(() -> vertx.cancelTimer(timer));
      });

      ProbeResult r = probe(ws(server.port()), module(), Duration.ofMillis(1500));

      assertResult(r, Result.UPGRADE_TIMEOUT);
      assertThat(r.detail()).contains("bytes arrived");
      assertThat(r.trace().render()).contains("HTTP/1.1");
      server.closed().get(2, TimeUnit.SECONDS);
    }

    @Test
    void endlessBody() throws Exception {
      FaultServers.Raw server = servers.raw(request -> {
        request.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
        Buffer chunk = Buffer.buffer("<p>spam</p>".repeat(1000));
        // The next chunk once the last one is written, until a write fails on the closed socket.
        Runnable pump = new Runnable() {
          @Override
          public void run() {
            request.socket().write(chunk).onSuccess(v -> vertx.runOnContext(x -> run()));
          }
        };
        pump.run();
      });

      ProbeResult r = probe(ws(server.port()), module(), Duration.ofSeconds(3));

      assertResult(r, Result.UPGRADE_IGNORED);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.durationNanos()).isLessThan(QUICK_NANOS);
      String answer = r.answer();
      assertThat(answer).startsWith("HTTP/1.1 200 OK");
      assertThat(r.trace().render()).contains("< HTTP/1.1 200 OK");
      String body = answer.substring(answer.indexOf("\n\n") + 2);
      assertThat(body).startsWith("<p>spam</p>").hasSizeLessThanOrEqualTo(UpgradeHandler.KEPT_BODY_BYTES);
      server.closed().get(2, TimeUnit.SECONDS);
    }
  }

  @Nested
  class Secrets {

    private static final String SECRET = "s3cr3t-value";
    private static final String TOKEN = "abc123";
    /** Secret by configuration only: the header's name looks harmless. */
    private static final String TENANT = "t3nant-id";

    private TestModule withSecrets() {
      return module().header("Authorization", new Secret(SECRET, true))
          .header("X-Tenant", new Secret(TENANT, true)).echo("hello", 1);
    }

    private void assertNoSecrets(ProbeResult r) {
      for (String text : List.of(r.trace().render(), r.detail(), r.diagnosis())) {
        assertThat(text).doesNotContain(SECRET).doesNotContain(TOKEN).doesNotContain(TENANT);
      }
      assertThat(r.trace().render()).containsIgnoringCase("authorization: <secret>")
          .containsIgnoringCase("x-tenant: <secret>").contains("?token=<secret>");
    }

    @Test
    void successTraceHidesThem() {
      Map<String, String> seen = new ConcurrentHashMap<>();
      int port = servers.webSocket(ws -> {
        seen.put("authorization", ws.headers().get("Authorization"));
        seen.put("tenant", ws.headers().get("X-Tenant"));
        seen.put("query", ws.query());
        FaultServers.echo().handle(ws);
      });

      ProbeResult r = probe(ws(port) + "echo?token=" + TOKEN, withSecrets(), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(seen).containsEntry("authorization", SECRET).containsEntry("tenant", TENANT)
          .containsEntry("query", "token=" + TOKEN);
      assertNoSecrets(r);
    }

    @Test
    void rejectionTraceHidesThem() {
      int port = servers.http(req -> req.response().setStatusCode(401)
          .putHeader("WWW-Authenticate", "Bearer").putHeader("Content-Type", "text/plain").end("denied"));

      ProbeResult r = probe(ws(port) + "echo?token=" + TOKEN, withSecrets(), TIMEOUT);

      assertResult(r, Result.UPGRADE_REJECTED);
      assertThat(r.statusCode()).isEqualTo(401);
      assertNoSecrets(r);
    }
  }
}
