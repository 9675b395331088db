package io.wsprobe.prober;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Probes a throwaway loopback echo server a few times before the first real probe. A cold JVM
 * loads and interprets the whole probe path on its first run, which would add hundreds of
 * milliseconds to the first measured connect and upgrade times; after this they are honest.
 */
public final class Warmup {

  private static final int ROUNDS = 3;

  private Warmup() {}

  public static Future<Void> run(Vertx vertx, WebSocketProber prober) {
    return run(vertx, prober, List.of());
  }

  /**
   * Also prepares the TLS settings that wss targets will use: builds their contexts (loading the
   * trust store) and has an engine write a ClientHello in memory, so the first real handshake
   * does not pay the JDK's one-time TLS start-up inside its {@code tls} phase.
   */
  public static Future<Void> run(Vertx vertx, WebSocketProber prober, java.util.Collection<Module.Tls> tls) {
    Future<Void> tlsWarm = tls.isEmpty() ? Future.succeededFuture()
        : vertx.<Void>executeBlocking(() -> {
          for (Module.Tls t : new java.util.LinkedHashSet<>(tls)) {
            prober.warmTls(t);
          }
          return null;
        }, false).otherwiseEmpty();
    return tlsWarm.compose(v -> probes(vertx, prober));
  }

  private static Future<Void> probes(Vertx vertx, WebSocketProber prober) {
    HttpServer server = vertx.createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage));
    return server.listen(0, "127.0.0.1").compose(s -> {
      Module module = new Module("warmup", Map.of(), null, List.of(), Module.Tls.defaults(),
          Module.IpProtocol.IP4, true, Module.DEFAULT_MAX_MESSAGE_BYTES,
          List.of(new Module.Message("warmup", false, Module.Expect.echo(), 2)), null);
      Target target = new Target("warmup", URI.create("ws://localhost:" + s.actualPort() + "/"),
          module.name(), Map.of(), Duration.ofSeconds(10), Duration.ofSeconds(5));
      Future<ProbeResult> chain = prober.probe(target, module);
      for (int i = 1; i < ROUNDS; i++) {
        chain = chain.compose(r -> prober.probe(target, module));
      }
      return chain.<Void>mapEmpty().eventually(server::close);
    }).otherwiseEmpty();
  }
}
