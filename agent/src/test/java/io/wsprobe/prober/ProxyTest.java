package io.wsprobe.prober;

import static io.wsprobe.prober.TestModule.module;
import static io.wsprobe.support.ProbeAssertions.assertResult;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.Ports;
import io.wsprobe.support.Squid;
import io.wsprobe.support.TestCerts;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probes through a forward proxy (module {@code proxy_url}): a real Squid (the Debian package)
 * that tunnels, refuses by its ACL and asks for credentials, and in-process proxies that close or
 * stay silent.
 */
@ExtendWith(VertxExtension.class)
class ProxyTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir
  static Path certDir;
  private static TestCerts certs;

  private FaultServers servers;
  private WebSocketProber prober;
  private Squid squid;

  @BeforeAll
  static void makeCerts() throws Exception {
    certs = TestCerts.create(certDir);
  }

  @BeforeEach
  void setUp(Vertx vertx) {
    servers = new FaultServers(vertx);
    prober = new WebSocketProber(vertx);
  }

  @AfterEach
  void stopSquid() throws Exception {
    if (squid != null) {
      squid.close();
    }
  }

  private ProbeResult probe(String url, TestModule module, Duration timeout) {
    Target target = new Target("test", URI.create(url), "test", Map.of(), Duration.ofSeconds(30), timeout);
    return prober.probe(target, module.build()).await();
  }

  private static Module.Proxy at(int port) {
    return new Module.Proxy("127.0.0.1", port, null, null);
  }

  @Nested
  class ThroughSquid {

    @Test
    void wsTargetThroughTheTunnel(@TempDir Path dir) throws Exception {
      int app = servers.webSocket(FaultServers.echo());
      squid = Squid.start(dir, List.of(app), Nginx.freePort(), null, null);

      ProbeResult r = probe("ws://127.0.0.1:" + app + "/echo", module().proxy(at(squid.port())).echo("hi", 2), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.phases()).containsKeys(Phase.CONNECT, Phase.PROXY_CONNECT, Phase.UPGRADE);
      assertThat(r.proxyStatusCode()).isEqualTo(200);
      assertThat(r.statusCode()).isEqualTo(101);
      assertThat(r.trace().render()).contains("TCP connected to proxy 127.0.0.1:" + squid.port(),
          "CONNECT 127.0.0.1:" + app + " HTTP/1.1", "host: 127.0.0.1:" + app, "200 Connection established",
          "2/2 sent 'hi', got 'hi'");
      assertThat(squid.accessLog()).contains("CONNECT 127.0.0.1:" + app);
    }

    @Test
    void wssTargetWithSniOfTheTargetHost(@TempDir Path dir) throws Exception {
      TestCerts.Issued cert = certs.localhost();
      int app = servers.tlsWebSocket(cert, FaultServers.echo());
      squid = Squid.start(dir, List.of(app), Nginx.freePort(), null, null);
      Module.Tls trusting = new Module.Tls(certs.caPem().toString(), null, null, null, false);

      ProbeResult r = probe("wss://localhost:" + app + "/", module().proxy(at(squid.port())).tls(trusting)
          .echo("hello", 1), TIMEOUT);

      assertResult(r, Result.SUCCESS);
      assertThat(r.phases()).containsKeys(Phase.PROXY_CONNECT, Phase.TLS, Phase.UPGRADE);
      assertThat(r.certNotAfter()).isEqualTo(cert.notAfter());
      assertThat(r.trace().render()).contains("CONNECT localhost:" + app + " HTTP/1.1",
          "proxy 127.0.0.1 is an address: nothing to resolve");
    }

    @Test
    void connectRefusedByTheAclIsProxyError(@TempDir Path dir) throws Exception {
      int app = servers.webSocket(FaultServers.echo());
      int denied = Nginx.freePort();
      squid = Squid.start(dir, List.of(app), denied, null, null);

      ProbeResult r = probe("ws://127.0.0.1:" + denied + "/", module().proxy(at(squid.port())), TIMEOUT);

      assertResult(r, Result.PROXY_ERROR);
      assertThat(r.detail()).startsWith("the proxy 127.0.0.1:" + squid.port() + " answered CONNECT 127.0.0.1:"
          + denied + " with 403 Forbidden").contains("(Server: squid");
      assertThat(r.diagnosis()).contains("access list", "http_access");
      assertThat(r.proxyStatusCode()).isEqualTo(403);
      assertThat(r.statusCode()).isZero();
      assertThat(r.phases()).doesNotContainKeys(Phase.PROXY_CONNECT, Phase.UPGRADE);
    }

    @Test
    void credentialsMissingWrongAndRight(@TempDir Path dir) throws Exception {
      int app = servers.webSocket(FaultServers.echo());
      squid = Squid.start(dir, List.of(app), Nginx.freePort(), "probe", "s3cret-proxy");
      String url = "ws://127.0.0.1:" + app + "/";

      ProbeResult missing = probe(url, module().proxy(at(squid.port())), TIMEOUT);
      assertResult(missing, Result.PROXY_ERROR);
      assertThat(missing.detail()).contains("with 407 Proxy Authentication Required",
          "credentials are missing");
      assertThat(missing.diagnosis()).contains("proxy_user", "proxy_password");
      assertThat(missing.proxyStatusCode()).isEqualTo(407);

      ProbeResult wrong = probe(url, module().proxy(new Module.Proxy("127.0.0.1", squid.port(), "probe",
          new Secret("not-it", true))), TIMEOUT);
      assertResult(wrong, Result.PROXY_ERROR);
      assertThat(wrong.detail()).contains("with 407", "credentials are wrong (proxy_user probe was refused)");

      ProbeResult right = probe(url, module().proxy(new Module.Proxy("127.0.0.1", squid.port(), "probe",
          new Secret("s3cret-proxy", true))), TIMEOUT);
      assertResult(right, Result.SUCCESS);
      String basic = Base64.getEncoder().encodeToString("probe:s3cret-proxy".getBytes(StandardCharsets.UTF_8));
      assertThat(right.trace().render()).contains("proxy-authorization: " + Secret.REDACTED)
          .doesNotContain(basic).doesNotContain("s3cret-proxy");
    }
  }

  @Nested
  class Misbehaving {

    @Test
    void proxyRefusingTheConnectionIsConnectRefusedNamingIt() throws Exception {
      int closed = Ports.refusing();

      ProbeResult r = probe("ws://127.0.0.1:1/", module().proxy(at(closed)), TIMEOUT);

      assertResult(r, Result.CONNECT_REFUSED);
      assertThat(r.detail()).startsWith("connect to proxy 127.0.0.1:" + closed + " at 127.0.0.1:" + closed);
      assertThat(r.proxyStatusCode()).isZero();
    }

    @Test
    void proxyClosingWithoutAnswer() {
      FaultServers.Raw proxy = servers.raw(req -> req.socket().close());

      ProbeResult r = probe("ws://127.0.0.1:1/", module().proxy(at(proxy.port())), TIMEOUT);

      assertResult(r, Result.PROXY_ERROR);
      assertThat(r.detail()).isEqualTo("the proxy 127.0.0.1:" + proxy.port()
          + " closed the connection without answering CONNECT");
    }

    @Test
    void silentProxyTimesOut() {
      FaultServers.Raw proxy = servers.raw(req -> { });

      ProbeResult r = probe("ws://127.0.0.1:1/", module().proxy(at(proxy.port())), Duration.ofSeconds(1));

      assertResult(r, Result.PROXY_ERROR);
      assertThat(r.detail()).isEqualTo("the proxy 127.0.0.1:" + proxy.port()
          + " did not answer CONNECT within the 1000ms timeout");
    }

    @Test
    void badGatewayNamesTheStatus() {
      FaultServers.Raw proxy = servers.raw(req -> req.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"));

      ProbeResult r = probe("ws://127.0.0.1:1/", module().proxy(at(proxy.port())), TIMEOUT);

      assertResult(r, Result.PROXY_ERROR);
      assertThat(r.detail()).contains("with 502 Bad Gateway");
      assertThat(r.diagnosis()).contains("could not reach the target");
      assertThat(r.proxyStatusCode()).isEqualTo(502);
    }

    @Test
    void theRequestIsConnect() throws Exception {
      StringBuilder seen = new StringBuilder();
      FaultServers.Raw proxy = servers.raw(req -> {
        seen.append(req.head());
        req.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      });

      probe("ws://example.test:8443/", module().proxy(at(proxy.port())), TIMEOUT);

      assertThat(seen.toString()).startsWith("CONNECT example.test:8443 HTTP/1.1\r\n")
          .containsIgnoringCase("host: example.test:8443").doesNotContainIgnoringCase("proxy-authorization");
    }
  }
}
