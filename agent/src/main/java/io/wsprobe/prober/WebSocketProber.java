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
import io.wsprobe.config.Target;
import io.wsprobe.protocol.Dialect;
import io.wsprobe.protocol.Dialects;
import io.wsprobe.protocol.LoginFlow;
import io.wsprobe.protocol.LoginFlows;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

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
  /** The login flows by {@code auth.type}. */
  private final Map<String, LoginFlow> logins;

  public WebSocketProber(Vertx vertx) {
    this(vertx, FdBudget.ofProcess());
  }

  /** @param fds the descriptors probes may hold (tests give a small one) */
  public WebSocketProber(Vertx vertx, FdBudget fds) {
    this.fds = fds;
    this.vertx = (VertxInternal) vertx;
    this.channels = this.vertx.transport().channelFactory(false);
    this.logins = LoginFlows.of(vertx);
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

  /** A probe with an empty trace; a login (rare, cached) keeps its usual path. */
  @Override
  public Future<ProbeResult> probeUntraced(Target target, Module module, io.vertx.core.Context context) {
    ContextInternal internal = (ContextInternal) context;
    if (module.app().auth() != null) {
      return probe(target, module, internal, internal.nettyEventLoop());
    }
    PromiseInternal<ProbeResult> promise = internal.promise();
    run(target, module, internal, internal.nettyEventLoop(), Dialects.of(module.app(), null), promise, run -> { },
        false);
    return promise.future();
  }

  private Future<ProbeResult> probe(Target target, Module module, ContextInternal context, EventLoop loop) {
    PromiseInternal<ProbeResult> promise = context.promise();
    Module.Auth auth = module.app().auth();
    if (auth == null) {
      run(target, module, context, loop, Dialects.of(module.app(), null), promise, run -> { }, true);
      return promise.future();
    }
    LoginFlow flow = logins.get(auth.type());
    if (flow == null) {
      promise.complete(ProbeResult.builder(Result.INTERNAL_ERROR)
          .detail("no login flow for auth.type '" + auth.type() + "'")
          .trace(new Trace(System.nanoTime(), Redactor.NONE)).build());
      return promise.future();
    }
    long start = System.nanoTime();
    flow.login(module, target.timeout().toMillis()).onComplete(ar -> {
      long took = System.nanoTime() - start;
      String login = flow.name() + " login as " + auth.email();
      if (ar.failed()) {
        // the app's message may echo the request: the password, the cookie it had just set
        Redactor redactor = Redactor.of(target.url(), module);
        Trace trace = new Trace(start, redactor);
        int status = ar.cause() instanceof LoginFlow.LoginException e ? e.status() : 0;
        trace.step("auth", took, login + " failed: " + ar.cause().getMessage());
        String detail = redactor.applyToReport(flow.name() + " login: " + ar.cause().getMessage());
        promise.complete(ProbeResult.builder(Result.AUTH_FAILED).detail(detail)
            .diagnosis(redactor.applyToReport(Diagnosis.of(Result.AUTH_FAILED, status, null, detail)))
            .durationNanos(took).holdSurvivedNanos(module.hold() == null ? -1 : 0).trace(trace).build());
        return;
      }
      Duration left = target.timeout().minusNanos(took);
      Target rest = target.withTimeout(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left);
      run(rest, ar.result().module(), context, loop, ar.result().dialects(), promise,
          run -> run.preface("auth", took, login + " ok (tokens cached until expiry)"), true);
    });
    return promise.future().onSuccess(r -> {
      if (r.result() == Result.AUTH_FAILED) {
        flow.invalidate(auth); // log in again next time: the token may have been revoked
      }
    });
  }

  /**
   * Starts the probe's run; for a target with an origin URL, the origin's upgrade beside it
   * ({@link OriginCheck}), on the same loop and by the same deadline. {@code promise} gets the
   * run's result, with the origin's when there is one; {@code traced}: whether the runs keep their
   * traces (only the ones somebody reads do).
   */
  private void run(Target target, Module module, ContextInternal context, EventLoop loop,
                   Supplier<Dialect> dialects, PromiseInternal<ProbeResult> promise, Consumer<ProbeRun> before,
                   boolean traced) {
    if (target.originUrl() == null) {
      ProbeRun run = new ProbeRun(target, module, context, loop, channels, tls, fds, dialects, promise, traced);
      before.accept(run);
      run.start();
      return;
    }
    PromiseInternal<ProbeResult> pub = context.promise();
    PromiseInternal<ProbeResult> origin = context.promise();
    ProbeRun run = new ProbeRun(target, module, context, loop, channels, tls, fds, dialects, pub, traced);
    before.accept(run);
    ProbeRun originRun = new ProbeRun(target.origin(), OriginCheck.module(module), context, loop, channels,
        tls, fds, Dialects.of(Module.App.RAW, null), origin, traced);
    run.start();
    originRun.start();
    pub.future().onSuccess(r -> origin.future().onSuccess(o -> {
      try {
        promise.complete(OriginCheck.merge(target, module, r, o));
      } catch (RuntimeException e) {
        promise.complete(r); // the public probe's own result still stands
      }
    }));
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
      // the config loader refuses a CA file it cannot read; the first real probe reports the rest
    }
  }

  public void close() {
    logins.values().forEach(LoginFlow::close);
  }
}
