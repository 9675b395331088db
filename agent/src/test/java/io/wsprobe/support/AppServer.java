package io.wsprobe.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * An in-test app shaped like Docmost: WebSocket sessions on {@code /collab} (echo) and
 * {@code /socket.io/}; a plain GET of {@code /socket.io/} gets Socket.IO's 400 JSON, any other
 * plain GET the SPA's 200 text/html. This is what a proxy that drops Upgrade exposes.
 */
public final class AppServer {

  private AppServer() {}

  public static HttpServer start(Vertx vertx) {
    return vertx.createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
        .requestHandler(req -> {
          if (req.path().startsWith("/socket.io/")) {
            req.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                .end("{\"code\":3,\"message\":\"Bad request\"}");
          } else {
            req.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .end("<!doctype html><html><body><div id=\"root\"></div></body></html>");
          }
        })
        .listen(0, "127.0.0.1").await();
  }
}
