package io.wsprobe.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The benchmarks' WebSocket server: plain Netty, in its own JVM, fast enough for thousands of
 * upgrades per second on loopback, with delays injected precisely (see {@link Delays}):
 * <ul>
 *   <li>{@code /?upgrade_delay=MS} answers the upgrade MS ms after the request arrived;</li>
 *   <li>{@code /echo?delay=MS} echoes every data frame MS ms after it arrived;</li>
 *   <li>{@code /room/NAME?delay=MS} sends every data frame to the other sessions of room NAME;</li>
 *   <li>any other path: upgrade, then wait for the client's close;</li>
 *   <li>{@code GET /stats} (no upgrade): the injected delays' lateness; {@code ?reset=1} clears it.</li>
 * </ul>
 * Prints {@code LISTENING <port>} when ready; exits when its stdin closes, so it never outlives
 * the bench that started it.
 *
 * <p>{@code java io.wsprobe.bench.BenchServer [--port N] [--threads N]}
 */
public final class BenchServer {

  private static final AttributeKey<Session> SESSION = AttributeKey.valueOf("bench-session");

  private final Delays delays = new Delays();
  private final Map<String, Set<Channel>> rooms = new ConcurrentHashMap<>();

  private record Session(WebSocketServerHandshaker handshaker, String room, long delayNanos) {}

  public static void main(String[] args) throws Exception {
    int port = 0;
    int threads = Runtime.getRuntime().availableProcessors();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    new BenchServer().run(port, threads);
  }

  private void run(int port, int threads) throws Exception {
    // NIO unless -Dbench.server.transport=epoll: in accuracy runs (2 cores, 1,000 probes/s) the
    // delays' lateness p99 was 1.6–2.0 ms on NIO, 2.9–5.6 ms on epoll (with Delays' thread, or with
    // -Dbench.delays.on-loop=true the channel loop's timerfd timers)
    boolean epoll = Epoll.isAvailable() && "epoll".equals(System.getProperty("bench.server.transport"));
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    Channel server = new ServerBootstrap().group(group)
        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new Arrival(), new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler());
          }
        })
        .bind("127.0.0.1", port).sync().channel();
    int actual = ((java.net.InetSocketAddress) server.localAddress()).getPort();
    System.out.println("LISTENING " + actual);
    System.out.flush();
    // the bench holds our stdin: when it goes away, so do we
    while (System.in.read() >= 0) {
      // nothing is expected on stdin
    }
    server.close().sync();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    System.exit(0);
  }

  /**
   * When a read's bytes reached the pipeline, before the codecs: a delay runs from the moment the
   * request or frame came off the socket, as the agent's WireClock times it on its side, so the
   * server's own decoding (slow while its JIT is cold) is not charged to the agent.
   */
  private static final class Arrival extends io.netty.channel.ChannelInboundHandlerAdapter {
    long readNanos;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      readNanos = System.nanoTime();
      ctx.fireChannelRead(msg);
    }
  }

  private static long arrived(ChannelHandlerContext ctx) {
    Arrival a = ctx.pipeline().get(Arrival.class);
    return a == null ? System.nanoTime() : a.readNanos;
  }

  private final class Handler extends SimpleChannelInboundHandler<Object> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest req) {
        onRequest(ctx, req);
      } else if (msg instanceof WebSocketFrame frame) {
        onFrame(ctx, frame);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Session s = ctx.channel().attr(SESSION).get();
      if (s != null && s.room() != null) {
        Set<Channel> room = rooms.get(s.room());
        if (room != null) {
          room.remove(ctx.channel());
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // resets from clients that hang up are part of the load
    }
  }

  private void onRequest(ChannelHandlerContext ctx, FullHttpRequest req) {
    long arrived = arrived(ctx);
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    if (!"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
      if (uri.path().equals("/stats")) {
        if (uri.parameters().containsKey("reset")) {
          delays.reset();
        }
        respond(ctx, HttpResponseStatus.OK, delays.report());
      } else {
        respond(ctx, HttpResponseStatus.NOT_FOUND, "bench server: upgrade to WebSocket\n");
      }
      return;
    }
    String path = uri.path();
    String room = path.startsWith("/room/") ? path : null;
    long frameDelay = millisParam(uri, "delay");
    long upgradeDelay = millisParam(uri, "upgrade_delay");
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
        "ws://127.0.0.1" + req.uri(), null, false, 1 << 20).newHandshaker(req);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    Channel ch = ctx.channel();
    Session session = new Session(handshaker, room, frameDelay);
    FullHttpRequest kept = req.retain();
    Runnable accept = () -> {
      try {
        ch.attr(SESSION).set(session);
        // in the room before the 101 leaves: a client that has it may be sent a marker at once
        if (room != null) {
          rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(ch);
        }
        handshaker.handshake(ch, kept);
      } finally {
        kept.release();
      }
    };
    delays.run(ch, arrived, upgradeDelay, Delays.Kind.UPGRADE, accept);
  }

  private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
    long arrived = arrived(ctx);
    Channel ch = ctx.channel();
    Session s = ch.attr(SESSION).get();
    if (frame instanceof CloseWebSocketFrame close) {
      s.handshaker().close(ch, close.retain());
      return;
    }
    if (frame instanceof PingWebSocketFrame ping) {
      ch.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
      return;
    }
    if (frame instanceof PongWebSocketFrame) {
      return;
    }
    if (s.room() == null) {
      WebSocketFrame reply = frame.retainedDuplicate();
      delays.run(ch, arrived, s.delayNanos(), Delays.Kind.FRAME, () -> ch.writeAndFlush(reply));
    } else {
      for (Channel peer : rooms.getOrDefault(s.room(), Set.of())) {
        if (peer != ch) {
          WebSocketFrame copy = frame.retainedDuplicate();
          delays.run(peer, arrived, s.delayNanos(), Delays.Kind.FRAME, () -> peer.writeAndFlush(copy));
        }
      }
    }
  }

  private static long millisParam(QueryStringDecoder uri, String name) {
    List<String> v = uri.parameters().get(name);
    return v == null || v.isEmpty() ? 0 : Math.round(Double.parseDouble(v.get(0)) * 1e6);
  }

  private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }
}
