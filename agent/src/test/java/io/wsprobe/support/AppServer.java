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

  /** One echo probe of {@code ws://127.0.0.1:<port><path>} with a 3 s timeout, as a config file would set it up. */
  public static io.wsprobe.prober.ProbeResult echoProbe(io.wsprobe.prober.WebSocketProber prober, int port,
                                                       String path) throws Exception {
    io.wsprobe.config.Config c = io.wsprobe.config.ConfigLoader.parse("""
        modules:
          echo:
            messages:
              - send: hello
                expect: { echo: true }
        targets:
          - name: t
            url: ws://127.0.0.1:%d%s
            module: echo
            timeout: 3s
        """.formatted(port, path), "test.yml", java.nio.file.Path.of("."), n -> null);
    io.wsprobe.config.Target t = c.targets().get(0);
    return prober.probe(t, c.moduleOf(t)).await();
  }

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
