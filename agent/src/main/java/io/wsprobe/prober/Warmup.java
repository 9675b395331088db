package io.wsprobe.prober;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Probes the agent's own throwaway loopback servers before the first real probe. A cold JVM
 * loads and interprets the whole probe path on its first runs, and compiles it meanwhile, which
 * would add milliseconds to hundreds of milliseconds to the first measured phases and round
 * trips (the first TLS handshake alone initialises the JDK's providers and trust store for a
 * second or more). So the paths a probe takes are run {@link #ROUNDS} times: DNS of
 * {@code localhost}, messages, a room broadcast, a refused upgrade, and ({@link #TLS_ROUNDS}
 * times) wss:// twice, one handshake accepted and one refused by the default trust store, as an
 * unknown CA is; then the warm-up waits, up to {@link #SETTLE}, for the JIT compiler to fall
 * quiet. The agent ({@link #run(Vertx, WebSocketProber, java.util.Collection)}) warms every
 * path, as its targets may take any of them; {@code wsprobe probe}
 * ({@link #forProbe(Vertx, WebSocketProber, Target, Module)}) only those of its one probe, so
 * that a ws:// probe without messages does not pay for a TLS server and a room.
 */
public final class Warmup {

  /** Enough for the JIT's first tier (a few hundred calls of each method on the probe path). */
  private static final int ROUNDS = 60;
  /**
   * {@code wsprobe probe}'s rounds: as many as the agent's. Measured on its one probe
   * (docs/benchmarks.md, startup): no warm-up puts ~100 ms on the first upgrade; 10, 30 and 60
   * rounds leave 2–6 ms, alike within the noise of a loaded machine, but bench runs with 30 had
   * medians up to 0.7 ms above the code before, with 60 0.2 ms: 60 cost ~0.15 s more.
   */
  private static final int PROBE_ROUNDS = 60;
  /** TLS handshakes cost milliseconds each: after these rounds only the plain paths go on. */
  private static final int TLS_ROUNDS = 2;
  private static final Duration SETTLE = Duration.ofSeconds(1);
  /** The compiler is quiet when it spent less than {@code compileMs} in the last {@code windowMs}. */
  private record Quiet(long windowMs, long compileMs) {}
  private static final Quiet AGENT_QUIET = new Quiet(200, 5);
  /** {@code wsprobe probe} runs on the JIT's first tier only (the launcher), whose compiles are short. */
  private static final Quiet PROBE_QUIET = new Quiet(50, 2);

  /**
   * Which paths to warm.
   *
   * @param hostName  DNS of a name (else the target is an address: nothing is resolved)
   * @param tls       wss:// sessions, an accepted and a refused handshake ({@link #TLS_ROUNDS}
   *                  rounds; everything after the handshake is warmed on ws://, for less)
   * @param messages  a message exchange after the upgrade
   * @param broadcast a room broadcast
   */
  record Paths(boolean hostName, boolean tls, boolean messages, boolean broadcast) {
    static final Paths ALL = new Paths(true, true, true, true);

    /** The paths of one probe of {@code target} with {@code module}. */
    static Paths of(Target target, Module module) {
      String host = target.url().getHost();
      boolean literal = host == null || host.startsWith("[") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
      return new Paths(!literal, target.tls(), !module.messages().isEmpty(),
          module.app().broadcast() != null);
    }
  }

  private Warmup() {}

  /**
   * The agent's warm-up: every path. Also prepares the TLS settings that wss targets will use:
   * builds their contexts (loading the trust store and a CA file) and has an engine write a
   * ClientHello in memory.
   */
  public static Future<Void> run(Vertx vertx, WebSocketProber prober, java.util.Collection<Module.Tls> tls) {
    return warmTls(vertx, prober, tls).compose(v -> run(vertx, prober, Paths.ALL, ROUNDS, AGENT_QUIET));
  }

  public static Future<Void> run(Vertx vertx, WebSocketProber prober) {
    return run(vertx, prober, Paths.ALL, ROUNDS, AGENT_QUIET);
  }

  /**
   * The warm-up of {@code wsprobe probe}: only the paths its one probe of {@code target} with
   * {@code module} takes (TLS with the module's settings when the target is wss://, messages
   * and a broadcast when the module has them), on the warm-up's own modules: the module's login
   * and proxy are not run, nor its dialect (the loopback servers speak raw WebSocket). Fewer
   * rounds ({@link #PROBE_ROUNDS}) and a shorter wait for the compiler than the agent's.
   */
  public static Future<Void> forProbe(Vertx vertx, WebSocketProber prober, Target target, Module module) {
    return warmTls(vertx, prober, target.tls() ? List.of(module.tls()) : List.of())
        .compose(v -> run(vertx, prober, Paths.of(target, module), PROBE_ROUNDS, PROBE_QUIET));
  }

  private static Future<Void> warmTls(Vertx vertx, WebSocketProber prober, java.util.Collection<Module.Tls> tls) {
    return tls.isEmpty() ? Future.succeededFuture()
        : vertx.<Void>executeBlocking(() -> {
          for (Module.Tls t : new java.util.LinkedHashSet<>(tls)) {
            prober.warmTls(t);
          }
          return null;
        }, false).otherwiseEmpty();
  }

  private static Future<Void> run(Vertx vertx, WebSocketProber prober, Paths paths, int rounds, Quiet quiet) {
    Set<ServerWebSocket> room = ConcurrentHashMap.newKeySet();
    HttpServer plain = serve(vertx.createHttpServer(), room);
    HttpServer tls = null;
    if (paths.tls()) {
      try {
        SelfSigned.Pem pem = SelfSigned.localhost();
        tls = serve(vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
            .setCertValue(Buffer.buffer(pem.cert())).setKeyValue(Buffer.buffer(pem.key())))), room);
      } catch (Exception e) {
        tls = null; // no EC support: warm up without TLS
      }
    }
    HttpServer tlsServer = tls;
    return Future.all(plain.listen(0, "127.0.0.1"), listen(tlsServer)).compose(all -> {
      List<Probe> first = mix(paths, plain.actualPort(), tlsServer == null ? 0 : tlsServer.actualPort());
      List<Probe> rest = mix(paths, plain.actualPort(), 0);
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < rounds; i++) {
        for (Probe p : i < TLS_ROUNDS ? first : rest) {
          chain = chain.compose(v -> prober.probe(p.target, p.module).<Void>mapEmpty().otherwiseEmpty());
        }
      }
      return chain.compose(v -> settle(vertx, quiet)).eventually(() -> Future.all(close(plain), close(tlsServer)));
    }).otherwiseEmpty();
  }

  /** {@code /plain} refuses the upgrade (with a page, as a proxy without the Upgrade lines does), the rest is {@link #serve(ServerWebSocket, Set)}. */
  private static HttpServer serve(HttpServer server, Set<ServerWebSocket> room) {
    return server
        .webSocketHandshakeHandler(h -> {
          if (h.path().equals("/plain")) {
            h.reject(404);
          } else {
            h.accept();
          }
        })
        .webSocketHandler(ws -> serve(ws, room))
        .requestHandler(req -> req.response().putHeader("Content-Type", "text/html").end("<html></html>"));
  }

  private static Future<?> listen(HttpServer server) {
    return server == null ? Future.succeededFuture() : server.listen(0, "127.0.0.1");
  }

  private static Future<?> close(HttpServer server) {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private record Probe(Target target, Module module) {}

  /** The probes of one round: on the plain server, and on the TLS one when {@code tlsPort} > 0. */
  private static List<Probe> mix(Paths paths, int port, int tlsPort) {
    Module echo = module("warmup-echo", List.of(new Module.Message("warmup", false, Module.Expect.echo(), 2)),
        Module.Tls.defaults(), Module.App.RAW);
    Module room = module("warmup-room", List.of(), Module.Tls.defaults(),
        new Module.App(Module.Protocol.RAW, new Module.Broadcast(1, null), null, null, null));
    Module open = paths.messages() ? echo : Module.defaults();
    String host = paths.hostName() ? "localhost" : "127.0.0.1";
    List<Probe> mix = new ArrayList<>();
    mix.add(new Probe(target("ws://" + host + ":" + port + "/echo"), open));
    if (paths.broadcast()) {
      mix.add(new Probe(target("ws://127.0.0.1:" + port + "/room"), room));
    }
    mix.add(new Probe(target("ws://127.0.0.1:" + port + "/plain"), Module.defaults()));
    if (tlsPort > 0) {
      mix.add(new Probe(target("wss://localhost:" + tlsPort + "/echo"), module("warmup-tls", open.messages(),
          new Module.Tls(null, null, null, null, true), Module.App.RAW)));
      mix.add(new Probe(target("wss://localhost:" + tlsPort + "/echo"), open)); // refused: unknown CA
    }
    return mix;
  }

  private static Module module(String name, List<Module.Message> messages, Module.Tls tls, Module.App app) {
    return new Module(name, Map.of(), null, List.of(), tls, Module.IpProtocol.IP4, true,
        Module.DEFAULT_MAX_MESSAGE_BYTES, messages, null, app);
  }

  private static Target target(String url) {
    return new Target("warmup", URI.create(url), "warmup", Map.of(), Duration.ofSeconds(10), Duration.ofSeconds(5));
  }

  /** {@code /room} fans text out to the other sessions; anything else echoes. */
  private static void serve(ServerWebSocket ws, Set<ServerWebSocket> room) {
    if (ws.path().equals("/room")) {
      room.add(ws);
      ws.closeHandler(v -> room.remove(ws));
      ws.textMessageHandler(text -> room.forEach(peer -> {
        if (peer != ws) {
          peer.writeTextMessage(text);
        }
      }));
    } else {
      ws.textMessageHandler(ws::writeTextMessage);
    }
  }

  /** Waits until the JIT compiler has been quiet for a moment, or {@link #SETTLE} has passed. */
  private static Future<Void> settle(Vertx vertx, Quiet quiet) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      long deadline = System.nanoTime() + SETTLE.toNanos();
      long before = jit.getTotalCompilationTime();
      while (System.nanoTime() < deadline) {
        Thread.sleep(quiet.windowMs());
        long now = jit.getTotalCompilationTime();
        if (now - before < quiet.compileMs()) {
          break;
        }
        before = now;
      }
      return null;
    }, false);
  }
}
