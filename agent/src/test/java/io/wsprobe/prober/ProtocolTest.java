package io.wsprobe.prober;

import static io.wsprobe.prober.TestModule.module;
import static org.assertj.core.api.Assertions.assertThat;
import static io.wsprobe.support.ProbeAssertions.assertResult;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.wsprobe.config.Module;
import io.wsprobe.config.Module.App;
import io.wsprobe.config.Module.Broadcast;
import io.wsprobe.config.Module.Protocol;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.NodeServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each dialect against the real server it is written for (the Node fixtures), and through nginx. */
class ProtocolTest {

  static Vertx vertx;
  static WebSocketProber prober;
  static final List<AutoCloseable> servers = new ArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    prober = new WebSocketProber(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable s : servers) {
      s.close();
    }
    servers.clear();
    vertx.close().await();
  }

  static NodeServer node(String script, String... args) throws Exception {
    NodeServer s = NodeServer.start(script, args);
    servers.add(s);
    return s;
  }

  static ProbeResult probe(String url, Module m) {
    Target t = new Target("t", URI.create(url), m.name(), Map.of(), Duration.ofSeconds(10), Duration.ofSeconds(4));
    return prober.probe(t, m).await();
  }

  static App app(Protocol p, Broadcast b, Module.SocketIo s, Module.Hocuspocus h) {
    return new App(p, b, s, h, null);
  }

  static final Module.SocketIo CHAT = new Module.SocketIo("/",
      new Module.SocketIo.Event("join", "[\"room-a\"]", true), new Module.SocketIo.Event("ping-marker", "{}"), null);

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Raw {
    @Test
    void broadcastReachesEveryReceiver() throws Exception {
      NodeServer room = node("room-server.js");
      ProbeResult r = probe("ws://127.0.0.1:" + room.port() + "/room-1",
          module().app(app(Protocol.RAW, new Broadcast(2, Duration.ofSeconds(2)), null, null)).build());
      assertResult(r, Result.SUCCESS);
      assertThat(r.broadcastDelaysNanos()).hasSize(2);
      assertThat(r.broadcastMissing()).isZero();
      assertThat(r.phases()).doesNotContainKey(Phase.APP_HANDSHAKE);
      assertThat(r.trace().render()).contains("r1.upgrade", "r2.upgrade", "broadcast", "receiver 2 got the marker");
    }

    @Test
    void aRoomThatDropsMessagesIsABroadcastTimeout() throws Exception {
      NodeServer room = node("room-server.js", "--drop-all");
      long start = System.nanoTime();
      ProbeResult r = probe("ws://127.0.0.1:" + room.port() + "/room-1",
          module().app(app(Protocol.RAW, new Broadcast(2, Duration.ofMillis(800)), null, null)).build());
      assertResult(r, Result.BROADCAST_TIMEOUT);
      assertThat(r.broadcastMissing()).isEqualTo(2);
      assertThat(r.detail()).isEqualTo("2 of 2 receiver(s) did not get the marker within 800ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void measuredDelayMatchesTheInjectedFanOutDelay() throws Exception {
      NodeServer room = node("room-server.js", "--delay-ms", "50");
      Module m = module().app(app(Protocol.RAW, new Broadcast(1, null), null, null)).build();
      String url = "ws://127.0.0.1:" + room.port() + "/accuracy";
      probe(url, m); // warm the code paths
      List<Double> millis = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        ProbeResult r = probe(url, m);
        assertResult(r, Result.SUCCESS);
        millis.add(r.broadcastDelaysNanos().get(0) / 1e6);
      }
      millis.sort(Double::compare);
      double median = millis.get(millis.size() / 2);
      assertThat(median).as("median of %s", millis).isBetween(47.0, 53.0);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class SocketIo {
    NodeServer open;
    NodeServer guarded;

    @BeforeAll
    void start() throws Exception {
      open = node("socketio-server.js", "--ping-interval-ms", "300", "--ping-timeout-ms", "300");
      guarded = node("socketio-server.js", "--token", "s3cr3t-token");
    }

    String url(NodeServer s) {
      return "ws://127.0.0.1:" + s.port() + "/socket.io/?EIO=4&transport=websocket";
    }

    @Test
    void handshakeConnectsTheNamespace() {
      ProbeResult r = probe(url(open), module().app(app(Protocol.SOCKETIO, null, null, null)).build());
      assertResult(r, Result.SUCCESS);
      assertThat(r.phases()).containsKey(Phase.APP_HANDSHAKE);
      assertThat(r.trace().render()).contains("socketio: namespace / connected (sid ");
    }

    @Test
    void aRefusedTokenIsAuthFailed() {
      ProbeResult r = probe(url(guarded), module().app(app(Protocol.SOCKETIO, null, null, null)).build());
      assertResult(r, Result.AUTH_FAILED);
      assertThat(r.detail()).isEqualTo("socketio connect refused: Unauthorized");
    }

    @Test
    void theAuthTokenCookieIsAccepted() {
      ProbeResult r = probe(url(guarded), module().header("Cookie", new Secret("authToken=s3cr3t-token", true))
          .app(app(Protocol.SOCKETIO, null, null, null)).build());
      assertResult(r, Result.SUCCESS);
      assertThat(r.trace().render()).doesNotContain("s3cr3t-token");
    }

    @Test
    void theConnectPacketAuthIsAccepted() {
      Module.SocketIo cfg = new Module.SocketIo("/", null, CHAT.marker(),
          new Secret("{\"token\":\"s3cr3t-token\"}", true));
      ProbeResult r = probe(url(guarded), module().app(app(Protocol.SOCKETIO, null, cfg, null)).build());
      assertResult(r, Result.SUCCESS);
    }

    @Test
    void broadcastThroughARoom() {
      ProbeResult r = probe(url(open), module().app(app(Protocol.SOCKETIO, new Broadcast(2, null), CHAT, null)).build());
      assertResult(r, Result.SUCCESS);
      assertThat(r.broadcastDelaysNanos()).hasSize(2);
    }

    @Test
    void theJoinAcknowledgementIsAwaited() {
      ProbeResult r = probe(url(open), module().app(app(Protocol.SOCKETIO, null, CHAT, null)).build());
      assertResult(r, Result.SUCCESS);
      assertThat(r.trace().render()).contains("connected (sid ", ", join acknowledged");
    }

    @Test
    void aJoinNeverAcknowledgedNamesTheMissingAck() throws Exception {
      NodeServer silent = node("socketio-server.js", "--no-join-ack");
      Target t = new Target("t", URI.create(url(silent)), "m", Map.of(), Duration.ofSeconds(10), Duration.ofMillis(800));
      ProbeResult r = prober.probe(t, module().app(app(Protocol.SOCKETIO, new Broadcast(1, null), CHAT, null)).build()).await();
      assertResult(r, Result.APP_HANDSHAKE_FAILED);
      assertThat(r.detail()).contains("did not complete within the 800ms timeout",
          "the server did not acknowledge the join event");
    }

    @Test
    void aDisconnectInsteadOfTheJoinAckFailsAtOnce() throws Exception {
      NodeServer refusing = node("socketio-server.js", "--disconnect-on-join");
      long start = System.nanoTime();
      ProbeResult r = probe(url(refusing), module().app(app(Protocol.SOCKETIO, null, CHAT, null)).build());
      assertResult(r, Result.APP_HANDSHAKE_FAILED);
      assertThat(r.detail()).contains("namespace disconnected by the server before it acknowledged join");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void roomsJoinedLateNeedTheSettleTime() throws Exception {
      // the server joins each socket to the room 300 ms after the namespace connect: a marker sent
      // at once reaches nobody; waiting 600 ms once every session is ready lets it through
      NodeServer late = node("socketio-server.js", "--auto-join", "space-1", "--auto-join-delay-ms", "300");
      Module.SocketIo noJoin = new Module.SocketIo("/", null, CHAT.marker(), null);
      ProbeResult hasty = probe(url(late),
          module().app(app(Protocol.SOCKETIO, new Broadcast(1, Duration.ofMillis(700)), noJoin, null)).build());
      assertResult(hasty, Result.BROADCAST_TIMEOUT);
      ProbeResult settled = probe(url(late), module().app(app(Protocol.SOCKETIO,
          new Broadcast(1, Duration.ofMillis(700), Duration.ofMillis(600)), noJoin, null)).build());
      assertResult(settled, Result.SUCCESS);
      assertThat(settled.trace().render()).contains("every session ready; settling 600ms before the marker");
      assertThat(settled.broadcastDelaysNanos().get(0)).isLessThan(Duration.ofMillis(300).toNanos());
    }

    @Test
    void aRelayThatDropsIsABroadcastTimeout() throws Exception {
      NodeServer dropping = node("socketio-server.js", "--drop-all");
      ProbeResult r = probe(url(dropping),
          module().app(app(Protocol.SOCKETIO, new Broadcast(1, Duration.ofMillis(700)), CHAT, null)).build());
      assertResult(r, Result.BROADCAST_TIMEOUT);
      assertThat(r.broadcastMissing()).isEqualTo(1);
    }

    @Test
    void serverPingsAreAnsweredWhileHolding() {
      // pingInterval + pingTimeout = 600 ms: a silent client would be dropped well before 1.5 s
      ProbeResult r = probe(url(open), module().hold(Duration.ofMillis(1500), null)
          .app(app(Protocol.SOCKETIO, null, null, null)).build());
      assertResult(r, Result.SUCCESS);
      assertThat(r.holdSurvivedNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(1400).toNanos());
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Hocuspocus {

    static Module collab(String token, Broadcast b) {
      return module().app(app(Protocol.HOCUSPOCUS, b, null,
          new Module.Hocuspocus("judge-doc", token == null ? null : new Secret(token, true)))).build();
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"2", "3", "4"})
    void authenticatesAndBroadcastsAnAwarenessMarker(String version) throws Exception {
      NodeServer s = node("hocuspocus-server.js", "--version", version, "--token", "collab-s3cr3t");
      ProbeResult r = probe("ws://127.0.0.1:" + s.port() + "/collab", collab("collab-s3cr3t", new Broadcast(2, null)));
      assertResult(r, Result.SUCCESS);
      assertThat(r.trace().render()).contains("hocuspocus: Authenticated read-write, document synced")
          .doesNotContain("collab-s3cr3t");
      assertThat(r.broadcastDelaysNanos()).hasSize(2);
      assertThat(r.phases()).containsKey(Phase.APP_HANDSHAKE);
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"2", "3", "4"})
    void aWrongTokenIsAuthFailed(String version) throws Exception {
      NodeServer s = node("hocuspocus-server.js", "--version", version, "--token", "collab-s3cr3t");
      ProbeResult r = probe("ws://127.0.0.1:" + s.port() + "/collab", collab("wrong", null));
      assertResult(r, Result.AUTH_FAILED);
      assertThat(r.detail()).isEqualTo("hocuspocus PermissionDenied: permission-denied");
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"3", "4"})
    void droppedAwarenessIsABroadcastTimeout(String version) throws Exception {
      NodeServer s = node("hocuspocus-server.js", "--version", version, "--drop-awareness");
      ProbeResult r = probe("ws://127.0.0.1:" + s.port() + "/collab", collab("any", new Broadcast(1, Duration.ofMillis(700))));
      assertResult(r, Result.BROADCAST_TIMEOUT);
    }

    @Test
    void readonlyAccessIsReported() throws Exception {
      NodeServer s = node("hocuspocus-server.js", "--version", "3", "--readonly");
      ProbeResult r = probe("ws://127.0.0.1:" + s.port() + "/collab", collab("any", null));
      assertResult(r, Result.SUCCESS);
      assertThat(r.trace().render()).contains("Authenticated readonly");
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class YWebsocket {
    @Test
    void syncsAndBroadcasts() throws Exception {
      NodeServer s = node("ywebsocket-server.js");
      ProbeResult r = probe("ws://127.0.0.1:" + s.port() + "/my-room",
          module().app(app(Protocol.YWEBSOCKET, new Broadcast(1, null), null, null)).build());
      assertResult(r, Result.SUCCESS);
      assertThat(r.trace().render()).contains("ywebsocket: server sync received");
      assertThat(r.broadcastDelaysNanos()).hasSize(1);
    }

    @Test
    void droppedAwarenessIsABroadcastTimeout() throws Exception {
      NodeServer s = node("ywebsocket-server.js", "--drop-all");
      ProbeResult r = probe("ws://127.0.0.1:" + s.port() + "/my-room",
          module().app(app(Protocol.YWEBSOCKET, new Broadcast(1, Duration.ofMillis(700)), null, null)).build());
      assertResult(r, Result.BROADCAST_TIMEOUT);
    }
  }

  /** Every dialect through real nginx: with the Upgrade lines it works, without them it is named. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ThroughNginx {
    @TempDir Path dir;

    record Case(String script, String[] args, String path, App app, Result broken, int brokenStatus) {}

    List<Case> cases() {
      return List.of(
          new Case("room-server.js", new String[0], "/room-x",
              app(Protocol.RAW, new Broadcast(1, null), null, null), Result.UPGRADE_REJECTED, 426),
          new Case("socketio-server.js", new String[0], "/socket.io/?EIO=4&transport=websocket",
              app(Protocol.SOCKETIO, new Broadcast(1, null), CHAT, null), Result.UPGRADE_REJECTED, 400),
          new Case("hocuspocus-server.js", new String[] {"--version", "3"}, "/collab",
              app(Protocol.HOCUSPOCUS, new Broadcast(1, null), null, new Module.Hocuspocus("d", new Secret("t", true))),
              Result.UPGRADE_IGNORED, 200),
          new Case("ywebsocket-server.js", new String[0], "/room-y",
              app(Protocol.YWEBSOCKET, new Broadcast(1, null), null, null), Result.UPGRADE_IGNORED, 200));
    }

    @Test
    void eachDialectWithAndWithoutTheUpgradeLines() throws Exception {
      for (Case c : cases()) {
        NodeServer s = node(c.script(), c.args());
        String location = "location / { proxy_pass http://127.0.0.1:" + s.port() + "; %s }";
        try (Nginx good = Nginx.start(Files.createTempDirectory(dir, "good"), location.formatted(
                "proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\";"));
             Nginx broken = Nginx.start(Files.createTempDirectory(dir, "broken"), location.formatted(""))) {
          Module m = module().app(c.app()).build();
          ProbeResult ok = probe("ws://127.0.0.1:" + good.port() + c.path(), m);
          assertThat(ok.result()).as(c.script() + " via good nginx: " + ok.detail()).isEqualTo(Result.SUCCESS);
          assertThat(ok.broadcastDelaysNanos()).as(c.script()).hasSize(1);
          ProbeResult bad = probe("ws://127.0.0.1:" + broken.port() + c.path(), m);
          assertThat(bad.result()).as(c.script() + " via broken nginx: " + bad.detail()).isEqualTo(c.broken());
          assertThat(bad.statusCode()).as(c.script()).isEqualTo(c.brokenStatus());
          assertThat(bad.diagnosis()).as(c.script()).contains("proxy_set_header Upgrade $http_upgrade;");
        }
      }
    }
  }

  /** Docmost's login flow in front of the real Hocuspocus, which accepts only the token it issued. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class DocmostLogin {
    NodeServer collab;
    HttpServer docmost;
    final AtomicInteger logins = new AtomicInteger();
    static final String COLLAB_TOKEN = "collab-token-issued-by-docmost";

    @BeforeAll
    void start() throws Exception {
      collab = node("hocuspocus-server.js", "--version", "3", "--token", COLLAB_TOKEN);
      docmost = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
        if (req.path().equals("/api/auth/login")) {
          logins.incrementAndGet();
          JsonObject creds = body.toJsonObject();
          if ("probe@example.com".equals(creds.getString("email")) && "correct horse".equals(creds.getString("password"))) {
            req.response().putHeader("Set-Cookie", "authToken=session-jwt; Path=/; HttpOnly")
                .putHeader("Content-Type", "application/json").end("{\"success\":true}");
          } else {
            req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                .end("{\"message\":\"Email or password does not match\",\"statusCode\":401}");
          }
        } else if (req.path().equals("/api/auth/collab-token")) {
          String cookie = req.getHeader("Cookie");
          if (cookie != null && cookie.contains("authToken=session-jwt")) {
            req.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("data", new JsonObject().put("token", COLLAB_TOKEN))
                    .put("success", true).put("status", 200).encode());
          } else {
            req.response().setStatusCode(401).end();
          }
        } else {
          req.response().setStatusCode(404).end();
        }
      })).listen(0, "127.0.0.1").await();
    }

    Module module(String password) {
      Module.Auth auth = new Module.Auth("docmost", URI.create("http://127.0.0.1:" + docmost.actualPort()),
          "probe@example.com", new Secret(password, true));
      return TestModule.module().app(new App(Protocol.HOCUSPOCUS, new Broadcast(1, null), null,
          new Module.Hocuspocus("page.0f4c", null), auth)).build();
    }

    @Test
    void logsInOnceThenReusesTheTokens() {
      int before = logins.get();
      String url = "ws://127.0.0.1:" + collab.port() + "/collab";
      ProbeResult first = probe(url, module("correct horse"));
      assertResult(first, Result.SUCCESS);
      assertThat(first.trace().render()).contains("auth", "docmost login as probe@example.com ok",
          "Authenticated read-write").doesNotContain("correct horse").doesNotContain(COLLAB_TOKEN)
          .doesNotContain("session-jwt");
      ProbeResult second = probe(url, module("correct horse"));
      assertResult(second, Result.SUCCESS);
      assertThat(logins.get() - before).isEqualTo(1);
    }

    @Test
    void theLoginAndTheSessionGoThroughTheForwardProxy(@TempDir Path dir) throws Exception {
      String url = "ws://127.0.0.1:" + collab.port() + "/collab";
      try (io.wsprobe.support.Squid squid = io.wsprobe.support.Squid.start(dir,
          List.of(collab.port(), docmost.actualPort()), Nginx.freePort(), "probe", "s3cret-proxy")) {
        Module direct = module("correct horse");
        Module proxied = new Module(direct.name(), direct.headers(), direct.origin(), direct.subprotocols(),
            direct.tls(), direct.ipProtocol(), direct.ipProtocolFallback(), direct.maxMessageBytes(),
            direct.messages(), direct.hold(), direct.app(), direct.publicQueryParams(),
            new Module.Proxy("127.0.0.1", squid.port(), "probe", new Secret("s3cret-proxy", true)));
        WebSocketProber fresh = new WebSocketProber(vertx); // its own token cache: this probe logs in
        try {
          Target t = new Target("t", URI.create(url), proxied.name(), Map.of(), Duration.ofSeconds(10),
              Duration.ofSeconds(4));
          ProbeResult r = fresh.probe(t, proxied).await();
          assertResult(r, Result.SUCCESS);
          assertThat(r.trace().render()).contains("docmost login as probe@example.com ok",
              "CONNECT 127.0.0.1:" + collab.port()).doesNotContain("s3cret-proxy");
        } finally {
          fresh.close();
        }
        assertThat(squid.accessLog()).contains("POST http://127.0.0.1:" + docmost.actualPort() + "/api/auth/login",
            "POST http://127.0.0.1:" + docmost.actualPort() + "/api/auth/collab-token",
            "CONNECT 127.0.0.1:" + collab.port());
      }
    }

    @Test
    void aWrongPasswordIsAuthFailedWithTheStatus() {
      ProbeResult r = probe("ws://127.0.0.1:" + collab.port() + "/collab", module("wrong password"));
      assertResult(r, Result.AUTH_FAILED);
      assertThat(r.detail()).isEqualTo("docmost login: login refused: HTTP 401 (Email or password does not match)");
      assertThat(r.trace().render()).doesNotContain("wrong password");
    }
  }
}
