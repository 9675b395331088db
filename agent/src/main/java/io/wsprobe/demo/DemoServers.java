package io.wsprobe.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo's own targets, in-process on loopback:
 * <ul>
 *   <li>a healthy app: {@code /echo} echoes every message, and so do Docmost's WebSocket paths
 *       {@code /collab} and {@code /socket.io/} (plain echo, not their protocols: enough to show
 *       whether a proxy passes the upgrade); {@code /room/<name>} fans every message out to all
 *       sessions of that room; a plain GET gets a page, as an app's front end would;</li>
 *   <li>a "broken proxy": answers every request, upgrade or not, with {@code 200 text/html},
 *       which is what an app behind nginx without the Upgrade/Connection lines returns.</li>
 * </ul>
 */
public final class DemoServers {

  private final Vertx vertx;
  private final Map<String, Set<ServerWebSocket>> rooms = new ConcurrentHashMap<>();
  private HttpServer app;
  private HttpServer brokenProxy;

  public DemoServers(Vertx vertx) {
    this.vertx = vertx;
  }

  static final String PAGE =
      "<!doctype html><html><head><title>Docs</title></head><body><div id=\"root\"></div></body></html>\n";

  /** Both servers on loopback, on free ports. */
  public Future<Void> start() {
    brokenProxy = vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("Content-Type", "text/html; charset=utf-8").end(PAGE));
    return Future.all(startApp("127.0.0.1", 0), brokenProxy.listen(0, "127.0.0.1")).mapEmpty();
  }

  /** Only the healthy app, on {@code host:port} ({@code wsprobe demo app}, behind the Compose stack's proxies). */
  public Future<Integer> startApp(String host, int port) {
    app = vertx.createHttpServer()
        .webSocketHandshakeHandler(h -> {
          if (echoes(h.path()) || h.path().startsWith("/room/")) {
            h.accept();
          } else {
            h.reject(404);
          }
        })
        .webSocketHandler(this::session)
        .requestHandler(req -> req.response().putHeader("Content-Type", "text/html; charset=utf-8").end(PAGE));
    return app.listen(port, host).map(HttpServer::actualPort);
  }

  private static boolean echoes(String path) {
    return path.equals("/echo") || path.equals("/collab") || path.startsWith("/socket.io/");
  }

  private void session(ServerWebSocket ws) {
    String path = ws.path();
    if (echoes(path)) {
      ws.textMessageHandler(ws::writeTextMessage);
      ws.binaryMessageHandler(ws::writeBinaryMessage);
    } else {
      Set<ServerWebSocket> room = rooms.computeIfAbsent(path, p -> ConcurrentHashMap.newKeySet());
      room.add(ws);
      ws.closeHandler(v -> room.remove(ws));
      ws.textMessageHandler(msg -> room.forEach(peer -> peer.writeTextMessage(msg)));
    }
  }

  public int appPort() {
    return app.actualPort();
  }

  public int brokenProxyPort() {
    return brokenProxy.actualPort();
  }

  public Future<Void> stop() {
    return Future.all(app == null ? Future.succeededFuture() : app.close(),
        brokenProxy == null ? Future.succeededFuture() : brokenProxy.close()).mapEmpty();
  }
}
