package io.wsprobe.prober;

import static io.wsprobe.prober.TestModule.module;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Servers that echo what the probe sent: whatever they echo, raw or encoded, no secret reaches
 * the answer, the detail, the diagnosis or the trace (what logs, /probe, the status page and the
 * CLI show).
 */
@ExtendWith(VertxExtension.class)
class RedactionTest {

  /** A bearer token with characters that percent-encoding changes. */
  private static final String BEARER = "b3arer/t0ken+x";
  /** Secret by configuration only (a ${env:...} value): the header's name looks harmless. */
  private static final String TENANT = "t3nant-from-env";
  private static final String COOKIE_VALUE = "c00kie-session-value";
  private static final String SESSION = "s3ss10n-in-the-query";
  private static final String PASSWORD = "correct horse battery";
  private static final String AUTH_TOKEN = "auth-t0ken-issued-by-the-app";

  private Vertx vertx;
  private FaultServers servers;
  private WebSocketProber prober;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.servers = new FaultServers(vertx);
    this.prober = new WebSocketProber(vertx);
  }

  private ProbeResult probe(String url, Module module, Duration timeout) {
    Target target = new Target("test", URI.create(url), "test", Map.of(), Duration.ofSeconds(30), timeout);
    return prober.probe(target, module).await();
  }

  private static TestModule withSecrets() {
    return module().header("Authorization", new Secret("Bearer " + BEARER, true))
        .header("X-Tenant", new Secret(TENANT, true))
        .header("Cookie", new Secret("theme=dark; sid=" + COOKIE_VALUE, true));
  }

  private static void assertShowsNone(ProbeResult r, String... secrets) {
    String shown = String.join("\n", r.trace().render(), r.detail(), r.diagnosis(), r.answer(), r.closeReason());
    for (String s : secrets) {
      assertThat(shown).as("shown text holds %s:%n%s", s, shown).doesNotContain(s);
    }
  }

  @Test
  void a401BodyEchoingTheRequestShowsNoSecret() {
    int port = servers.http(req -> {
      String token = req.getHeader("Authorization").substring("Bearer ".length());
      byte[] tokenBytes = token.getBytes(StandardCharsets.UTF_8);
      String body = "you sent:\n" + req.method() + " " + req.uri()
          + "\nauthorization=" + req.getHeader("Authorization")
          + "\ntenant=" + req.getHeader("X-Tenant")
          + "\ncookie=" + req.getHeader("Cookie")
          + "\npct=" + URLEncoder.encode(token, StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT)
          + "\nb64=" + Base64.getUrlEncoder().withoutPadding().encodeToString(tokenBytes)
          + "\njson=" + new JsonObject().put("t", TENANT + "\"").encode();
      req.response().setStatusCode(401).putHeader("Content-Type", "text/plain")
          .putHeader("X-Seen-Tenant", req.getHeader("X-Tenant")).end(body);
    });

    ProbeResult r = probe("ws://127.0.0.1:" + port + "/echo?room=lobby&session=" + SESSION,
        withSecrets().build(), Duration.ofSeconds(2));

    assertThat(r.result()).isEqualTo(Result.UPGRADE_REJECTED);
    assertThat(r.answer()).contains("you sent:", "authorization=<secret>", "tenant=<secret>",
        "cookie=<secret>", "pct=<secret>", "b64=<secret>", "X-Seen-Tenant: <secret>",
        "session=<secret>", "room=<secret>");
    assertShowsNone(r, BEARER, TENANT, COOKIE_VALUE, SESSION,
        URLEncoder.encode(BEARER, StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT),
        Base64.getUrlEncoder().withoutPadding().encodeToString(BEARER.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aPublicQueryParameterKeepsItsValue() {
    int port = servers.http(req -> req.response().setStatusCode(403).end(req.uri()));
    Module m = withSecrets().build();
    Module open = new Module(m.name(), m.headers(), m.origin(), m.subprotocols(), m.tls(), m.ipProtocol(),
        m.ipProtocolFallback(), m.maxMessageBytes(), m.messages(), m.hold(), m.app(), java.util.Set.of("room"));

    ProbeResult r = probe("ws://127.0.0.1:" + port + "/echo?room=lobby&session=" + SESSION, open,
        Duration.ofSeconds(2));

    assertThat(r.answer()).contains("/echo?room=lobby&session=<secret>");
    assertThat(r.trace().render()).contains("GET /echo?room=lobby&session=<secret> HTTP/1.1");
    assertShowsNone(r, SESSION);
  }

  @Test
  void aFrameEchoingTheHeadersShowsNoSecret() {
    int port = servers.webSocket(ws -> ws.writeTextMessage("auth " + ws.headers().get("Authorization")
        + " tenant " + ws.headers().get("X-Tenant")));

    ProbeResult r = probe("ws://127.0.0.1:" + port + "/",
        withSecrets().send("hi", Module.Expect.Kind.CONTAINS, "never", null).build(), Duration.ofSeconds(1));

    assertThat(r.result()).isEqualTo(Result.MESSAGE_MISMATCH);
    assertThat(r.detail()).contains("last: 'auth <secret> tenant <secret>'");
    assertThat(r.trace().render()).contains("last frame: 'auth <secret> tenant <secret>'");
    assertShowsNone(r, BEARER, TENANT);
  }

  @Test
  void aCloseReasonEchoingTheTokenShowsNoSecret() {
    int port = servers.webSocket(ws -> ws.close((short) 4000, "bad " + ws.headers().get("Authorization")));

    ProbeResult r = probe("ws://127.0.0.1:" + port + "/",
        withSecrets().send("hi", Module.Expect.Kind.ANY, null, null).build(), Duration.ofSeconds(2));

    assertThat(r.result()).isEqualTo(Result.CLOSED_BY_PEER);
    assertThat(r.detail()).contains("'bad <secret>'");
    assertShowsNone(r, BEARER);
  }

  /** A Docmost stand-in whose errors echo what it was sent. */
  private int docmost(boolean loginOk) {
    return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      if (req.path().equals("/api/auth/login") && !loginOk) {
        req.response().setStatusCode(400).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("message", "bad request body " + body).encode());
      } else if (req.path().equals("/api/auth/login")) {
        req.response().putHeader("Set-Cookie", "authToken=" + AUTH_TOKEN + "; Path=/; HttpOnly")
            .putHeader("Content-Type", "application/json").end("{\"success\":true}");
      } else {
        req.response().setStatusCode(403).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("message", "no session for " + req.getHeader("Cookie")).encode());
      }
    })).listen(0, "127.0.0.1").await().actualPort();
  }

  private static Module docmostModule(int port) {
    Module.Auth auth = new Module.Auth("docmost", URI.create("http://127.0.0.1:" + port),
        "probe@example.com", new Secret(PASSWORD, true));
    return module().app(new Module.App(Module.Protocol.HOCUSPOCUS, null, null,
        new Module.Hocuspocus("page.0f4c", null), auth)).build();
  }

  @Test
  void aLoginErrorEchoingTheBodyShowsNoPassword() {
    ProbeResult r = probe("ws://127.0.0.1:1/collab", docmostModule(docmost(false)), Duration.ofSeconds(2));

    assertThat(r.result()).isEqualTo(Result.AUTH_FAILED);
    assertThat(r.detail()).startsWith("docmost login: login refused: HTTP 400 (bad request body")
        .contains("<secret>");
    assertShowsNone(r, PASSWORD);
  }

  @Test
  void aCollabTokenErrorEchoingTheCookieShowsNoAuthToken() {
    ProbeResult r = probe("ws://127.0.0.1:1/collab", docmostModule(docmost(true)), Duration.ofSeconds(2));

    assertThat(r.result()).isEqualTo(Result.AUTH_FAILED);
    assertThat(r.detail()).isEqualTo("docmost login: collab-token refused: HTTP 403 (no session for authToken=<secret>)");
    assertShowsNone(r, AUTH_TOKEN, PASSWORD);
  }

  @Test
  void aSuccessfulProbeStillShowsItsOwnTrace() {
    int port = servers.webSocket(FaultServers.echo());

    ProbeResult r = probe("ws://127.0.0.1:" + port + "/?EIO=4&transport=websocket",
        withSecrets().echo("hello", 1).build(), Duration.ofSeconds(2));

    assertThat(r.result()).isEqualTo(Result.SUCCESS);
    // short values secret by default only are not looked for alone: the trace stays readable
    assertThat(r.trace().render()).contains("GET /?EIO=<secret>&transport=<secret> HTTP/1.1",
        "upgrade: websocket", "sent 'hello', got 'hello'", "HTTP/1.1 101 Switching Protocols");
    assertThat(List.of(r.detail(), r.answer())).containsOnly("");
  }
}
