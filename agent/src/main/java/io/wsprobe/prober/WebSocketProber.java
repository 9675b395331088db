package io.wsprobe.prober;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxInternal;
import io.wsprobe.config.Module;
import io.wsprobe.config.Redactor;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import io.wsprobe.protocol.Dialects;
import io.wsprobe.protocol.DocmostAuth;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs WebSocket probes: DNS through the system resolver on a worker thread, then connect, TLS,
 * upgrade, the application protocol's handshake, broadcast, messages, hold and close, with
 * Netty's HTTP and WebSocket codecs on Vert.x's own event loops. Going below Vert.x's
 * {@code WebSocketClient} is what gives each phase its own time.
 *
 * <p>Thread-safe; one instance serves every target. The returned future completes on the
 * caller's Vert.x context, always by the target's timeout.
 */
public final class WebSocketProber implements Prober {

  private final VertxInternal vertx;
  private final ChannelFactory<? extends Channel> channels;
  private final TlsContexts tls = new TlsContexts();
  private final FdBudget fds;
  private final DocmostAuth docmost;

  public WebSocketProber(Vertx vertx) {
    this(vertx, FdBudget.ofProcess());
  }

  /** @param fds the descriptors probes may hold (tests give a small one) */
  public WebSocketProber(Vertx vertx, FdBudget fds) {
    this.fds = fds;
    this.vertx = (VertxInternal) vertx;
    this.channels = this.vertx.transport().channelFactory(false);
    this.docmost = new DocmostAuth(vertx);
  }

  /** Probes on the caller's context (or a new one), on the next event loop. */
  public Future<ProbeResult> probe(Target target, Module module) {
    return probe(target, module, vertx.getOrCreateContext(), vertx.nettyEventLoopGroup().next());
  }

  /**
   * Probes on {@code context}'s own event loop, and completes there: called from that loop, the
   * probe never hands work to another thread.
   */
  @Override
  public Future<ProbeResult> probe(Target target, Module module, io.vertx.core.Context context) {
    ContextInternal internal = (ContextInternal) context;
    return probe(target, module, internal, internal.nettyEventLoop());
  }

  private Future<ProbeResult> probe(Target target, Module module, ContextInternal context, EventLoop loop) {
    PromiseInternal<ProbeResult> promise = context.promise();
    Module.Auth auth = module.app().auth();
    if (auth == null) {
      new ProbeRun(target, module, context, loop, channels, tls, fds, Dialects.of(module.app(), null), promise)
          .start();
      return promise.future();
    }
    long start = System.nanoTime();
    docmost.tokens(auth, target.timeout().toMillis()).onComplete(ar -> {
      long took = System.nanoTime() - start;
      if (ar.failed()) {
        // the app's message may echo the request: the password, the cookie it had just set
        Redactor redactor = Redactor.of(target.url(), module);
        Trace trace = new Trace(start, redactor);
        int status = ar.cause() instanceof DocmostAuth.AuthException a ? a.status() : 0;
        trace.step("auth", took, "docmost login as " + auth.email() + " failed: " + ar.cause().getMessage());
        String detail = redactor.applyToReport("docmost login: " + ar.cause().getMessage());
        promise.complete(ProbeResult.builder(Result.AUTH_FAILED).detail(detail)
            .diagnosis(redactor.applyToReport(Diagnosis.of(Result.AUTH_FAILED, status, null, detail)))
            .durationNanos(took).holdSurvivedNanos(module.hold() == null ? -1 : 0).trace(trace).build());
        return;
      }
      DocmostAuth.Tokens tokens = ar.result();
      Module withCookie = module.app().protocol() == Module.Protocol.SOCKETIO
          ? withCookie(module, "authToken=" + tokens.authToken()) : withCollabToken(module, tokens.collabToken());
      Duration left = target.timeout().minusNanos(took);
      Target rest = new Target(target.name(), target.url(), target.module(), target.labels(),
          target.interval(), left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left);
      ProbeRun run = new ProbeRun(rest, withCookie, context, loop, channels, tls, fds,
          Dialects.of(module.app(), tokens.collabToken()), promise);
      run.preface("auth", took, "docmost login as " + auth.email() + " ok (tokens cached until expiry)");
      run.start();
    });
    return promise.future().onSuccess(r -> {
      if (r.result() == Result.AUTH_FAILED) {
        docmost.invalidate(auth); // log in again next time: the token may have been revoked
      }
    });
  }

  private static Module withCookie(Module m, String cookie) {
    Map<String, Secret> headers = new LinkedHashMap<>(m.headers());
    String existing = null;
    for (String name : List.copyOf(headers.keySet())) {
      if (name.equalsIgnoreCase("Cookie")) {
        existing = headers.remove(name).value();
      }
    }
    headers.put("Cookie", new Secret(existing == null ? cookie : existing + "; " + cookie, true));
    return new Module(m.name(), headers, m.origin(), m.subprotocols(), m.tls(), m.ipProtocol(),
        m.ipProtocolFallback(), m.maxMessageBytes(), m.messages(), m.hold(), m.app(),
        m.publicQueryParams());
  }

  /** The module with the token the login obtained as its Hocuspocus token: a secret the run hides. */
  private static Module withCollabToken(Module m, String token) {
    Module.App a = m.app();
    if (a.hocuspocus() == null || token == null) {
      return m;
    }
    Module.App app = new Module.App(a.protocol(), a.broadcast(), a.socketio(),
        new Module.Hocuspocus(a.hocuspocus().document(), new Secret(token, true)), a.auth());
    return new Module(m.name(), m.headers(), m.origin(), m.subprotocols(), m.tls(), m.ipProtocol(),
        m.ipProtocolFallback(), m.maxMessageBytes(), m.messages(), m.hold(), app,
        m.publicQueryParams());
  }

  /** See {@link Warmup}: a ClientHello written in memory with these settings. Blocking. */
  void warmTls(Module.Tls settings) {
    try {
      javax.net.ssl.SSLEngine engine = tls.get(settings).newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT,
          settings.serverName() != null ? settings.serverName() : "localhost", 443);
      engine.beginHandshake();
      java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      engine.wrap(java.nio.ByteBuffer.allocate(0), out);
      engine.closeOutbound();
    } catch (Exception e) {
      // a bad CA file shows up in the first real probe, with its reason, as tls_error
    }
  }

  public void close() {
    docmost.close();
  }
}
