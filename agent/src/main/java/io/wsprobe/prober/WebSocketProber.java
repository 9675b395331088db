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
import io.wsprobe.config.Target;

/**
 * Runs WebSocket probes: DNS through the system resolver on a worker thread, then connect, TLS,
 * upgrade, messages, hold and close with Netty's HTTP and WebSocket codecs on Vert.x's own event
 * loops. Going below Vert.x's {@code WebSocketClient} is what gives each phase its own time.
 *
 * <p>Thread-safe; one instance serves every target. The returned future completes on the
 * caller's Vert.x context, always by the target's timeout.
 */
public final class WebSocketProber {

  private final VertxInternal vertx;
  private final ChannelFactory<? extends Channel> channels;
  private final TlsContexts tls = new TlsContexts();

  public WebSocketProber(Vertx vertx) {
    this.vertx = (VertxInternal) vertx;
    this.channels = this.vertx.transport().channelFactory(false);
  }

  public Future<ProbeResult> probe(Target target, Module module) {
    ContextInternal context = vertx.getOrCreateContext();
    PromiseInternal<ProbeResult> promise = context.promise();
    EventLoop loop = vertx.nettyEventLoopGroup().next();
    new ProbeRun(target, module, context, loop, channels, tls, promise).start();
    return promise.future();
  }
}
