package io.wsprobe.web;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One web connection's guard, in its Netty pipeline between Vert.x's HTTP codec and Vert.x:
 * a connection must deliver a complete request within the request timeout of opening or of
 * its previous answer, however slowly its bytes trickle in (an idle timeout alone never fires
 * on a trickle); while the agent works on a request (a {@code /probe} is silent for up to the
 * target's timeout) the idle timeout waits; and the {@link Connections} cap counts it.
 */
final class ConnectionGuard extends ChannelDuplexHandler {

  private final long requestTimeoutNanos;
  private final Connections connections;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> deadline;
  /**
   * Complete requests received and not yet answered (pipelining can queue several). Written on
   * the connection's loop; volatile for {@link Connections}, which reads it from the loop of
   * whichever connection arrives.
   */
  private volatile int pending;
  private volatile boolean answering;

  private ConnectionGuard(Duration requestTimeout, Connections connections) {
    this.requestTimeoutNanos = requestTimeout.toNanos();
    this.connections = connections;
  }

  /**
   * Sets up a new connection's pipeline: the strict decoder in place of Vert.x's, and a guard;
   * or closes the connection when the cap leaves no room. On the connection's event loop,
   * before it has read anything.
   */
  static void install(HttpConnection connection, HttpServerOptions options, Duration requestTimeout,
                      Connections connections) {
    // Vert.x gives no public way to its channel; its HTTP/1 connections are all ConnectionBase
    Channel channel = ((ConnectionBase) connection).channel();
    ConnectionGuard guard = new ConnectionGuard(requestTimeout, connections);
    if (!connections.admit(guard)) {
      channel.close();
      return;
    }
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options));
    pipeline.addBefore("handler", "wsprobeGuard", guard);
  }

  /** Waiting for a request: not working on one. These are the connections the cap may close. */
  boolean waiting() {
    return pending == 0 && !answering;
  }

  void close() {
    if (ctx != null) {
      ctx.close();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    arm();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    disarm();
    connections.remove(this);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    connections.remove(this);
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof LastHttpContent) {
      pending++;
      disarm();
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
      super.write(ctx, msg, promise); // 100 Continue: the answer is still to come
      return;
    }
    if (msg instanceof HttpResponse) {
      answering = true;
    }
    if (msg instanceof LastHttpContent) {
      answering = false;
      pending = Math.max(0, pending - 1);
      if (pending == 0) {
        arm();
      }
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent && pending > 0 && !answering) {
      return; // the agent is working on the answer, and bounds that work itself
    }
    super.userEventTriggered(ctx, evt);
  }

  private void arm() {
    disarm();
    deadline = ctx.executor().schedule(() -> {
      ctx.close();
    }, requestTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  /**
   * The open web connections, oldest first, and their cap. Past the cap a new connection takes
   * the place of the oldest one that waits for a request (a silent or trickling one, or an idle
   * keep-alive), so a wall of slow connections cannot lock a scraper out; only when every
   * connection is being answered is the newcomer closed at once.
   */
  static final class Connections {
    private final int max;
    private final Set<ConnectionGuard> open = new LinkedHashSet<>();

    Connections(int max) {
      this.max = max;
    }

    /** Whether {@code guard}'s connection may stay; may close another connection to make room. */
    synchronized boolean admit(ConnectionGuard guard) {
      if (open.size() >= max) {
        ConnectionGuard evicted = null;
        for (Iterator<ConnectionGuard> it = open.iterator(); it.hasNext(); ) {
          ConnectionGuard g = it.next();
          if (g.waiting()) {
            it.remove();
            evicted = g;
            break;
          }
        }
        if (evicted == null) {
          return false;
        }
        evicted.close();
      }
      open.add(guard);
      return true;
    }

    synchronized void remove(ConnectionGuard guard) {
      open.remove(guard);
    }

    synchronized int size() {
      return open.size();
    }
  }
}
