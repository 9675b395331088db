package io.wsprobe.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The practical limit: a minimal Netty client doing what a wsprobe probe does on the wire
 * (connect, upgrade with Netty's handshaker, which checks the Accept header, close handshake)
 * in a closed loop of {@code concurrency} connections, with no bookkeeping at all.
 *
 * <p>Reads commands on stdin: {@code run SECONDS} runs the loop and prints
 * {@code RESULT probes=N failed=N seconds=S cpu_ns=N} (its own process's CPU over the run);
 * end of stdin exits. {@code java io.wsprobe.bench.ReferenceLoop PORT CONCURRENCY}
 */
public final class ReferenceLoop {

  private final URI uri;
  private final Bootstrap bootstrap;
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile long stopAt;
  private CountDownLatch loops;

  private ReferenceLoop(int port, EventLoopGroup group, Class<? extends SocketChannel> channel) {
    this.uri = URI.create("ws://127.0.0.1:" + port + "/");
    this.bootstrap = new Bootstrap().group(group).channel(channel)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192), new Probe());
          }
        });
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int concurrency = Integer.parseInt(args[1]);
    // the transport wsprobe runs on: epoll where its native library loads, else NIO
    boolean epoll = io.netty.channel.epoll.Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(0,
        epoll ? io.netty.channel.epoll.EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    ReferenceLoop loop = new ReferenceLoop(port, group,
        epoll ? io.netty.channel.epoll.EpollSocketChannel.class : NioSocketChannel.class);
    System.out.println("LISTENING 0");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith("run ")) {
        int seconds = Integer.parseInt(line.substring(4).trim());
        System.out.println(loop.run(concurrency, seconds));
        System.out.flush();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private String run(int concurrency, int seconds) throws InterruptedException {
    done.set(0);
    failed.set(0);
    long cpu0 = Bench.cpuNanos(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    stopAt = t0 + TimeUnit.SECONDS.toNanos(seconds);
    loops = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      next();
    }
    loops.await(seconds + 30L, TimeUnit.SECONDS);
    long t1 = System.nanoTime();
    long cpu1 = Bench.cpuNanos(ProcessHandle.current().pid());
    return Bench.fmt("RESULT probes=%d failed=%d seconds=%.3f cpu_ns=%d", done.get(), failed.get(), (t1 - t0) / 1e9,
        cpu1 - cpu0);
  }

  private void next() {
    if (System.nanoTime() >= stopAt) {
      loops.countDown();
      return;
    }
    bootstrap.connect(uri.getHost(), uri.getPort()).addListener(f -> {
      if (!f.isSuccess()) {
        failed.incrementAndGet();
        next();
      }
    });
  }

  /** One connection: upgrade, close handshake, then the next connection. */
  private final class Probe extends SimpleChannelInboundHandler<Object> {
    private WebSocketClientHandshaker handshaker;
    private boolean closed;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, null, false,
          EmptyHttpHeaders.INSTANCE, 65536);
      handshaker.handshake(ctx.channel());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      Channel ch = ctx.channel();
      if (msg instanceof FullHttpResponse response) {
        handshaker.finishHandshake(ch, response); // throws on a bad 101: exceptionCaught
        ch.writeAndFlush(new CloseWebSocketFrame(1000, "done"));
      } else if (msg instanceof CloseWebSocketFrame) {
        closed = true;
        ch.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (closed) {
        done.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
      next();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
