package io.wsprobe.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
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
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The practical limit: a minimal Netty client doing what a wsprobe probe does on the wire
 * (connect, upgrade with Netty's handshaker, whose {@code finishHandshake} checks the 101, the
 * Upgrade/Connection headers and the Accept key, then the close handshake) in a closed loop of
 * {@code slots} connections, with no bookkeeping at all.
 *
 * <p>It is the cheapest way Netty does this work, so that a ratio to it means something: ONE event
 * loop thread (epoll where it loads, as wsprobe), so no connection is ever handed to another
 * thread; {@code TCP_NODELAY} set once on the bootstrap; each slot starts its next probe from the
 * previous channel's close future, on that same loop; one timer per probe (its timeout, cancelled
 * when the channel closes), as any real probe needs one.
 *
 * <p>Reads commands on stdin: {@code run SECONDS} runs the loop and prints
 * {@code RESULT probes=N failed=N seconds=S cpu_ns=N user_ns=N sys_ns=N} (its own process's CPU
 * over the run); end of stdin exits. {@code java io.wsprobe.bench.ReferenceLoop PORT SLOTS}
 */
public final class ReferenceLoop {

  private static final AttributeKey<Boolean> CLOSED_CLEANLY = AttributeKey.valueOf("closedCleanly");
  private static final long TIMEOUT_MS = 5_000;

  private final URI uri;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  // touched only on the loop thread; read after the latch (which orders them)
  private long done;
  private long failed;
  private long stopAt;
  private CountDownLatch slotsLeft;

  private ReferenceLoop(int port, EventLoop loop, Class<? extends SocketChannel> channel) {
    this.uri = URI.create("ws://127.0.0.1:" + port + "/");
    this.loop = loop;
    this.bootstrap = new Bootstrap().group(loop).channel(channel)
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
    int slots = Integer.parseInt(args[1]);
    // the transport wsprobe runs on: epoll where its native library loads, else NIO
    boolean epoll = io.netty.channel.epoll.Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
        epoll ? io.netty.channel.epoll.EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    ReferenceLoop ref = new ReferenceLoop(port, group.next(),
        epoll ? io.netty.channel.epoll.EpollSocketChannel.class : NioSocketChannel.class);
    System.out.println("LISTENING 0");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith("run ")) {
        int seconds = Integer.parseInt(line.substring(4).trim());
        System.out.println(ref.run(slots, seconds));
        System.out.flush();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private String run(int slots, int seconds) throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    long[] cpu0 = Bench.cpuSplit(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    loop.execute(() -> {
      done = 0;
      failed = 0;
      stopAt = t0 + TimeUnit.SECONDS.toNanos(seconds);
      slotsLeft = new CountDownLatch(slots);
      started.countDown();
      for (int i = 0; i < slots; i++) {
        next();
      }
    });
    started.await();
    slotsLeft.await(seconds + 30L, TimeUnit.SECONDS);
    long t1 = System.nanoTime();
    long[] cpu1 = Bench.cpuSplit(ProcessHandle.current().pid());
    long user = cpu1[0] - cpu0[0];
    long sys = cpu1[1] - cpu0[1];
    return Bench.fmt("RESULT probes=%d failed=%d seconds=%.3f cpu_ns=%d user_ns=%d sys_ns=%d", done, failed,
        (t1 - t0) / 1e9, user + sys, user, sys);
  }

  /** Starts one slot's next probe, on the loop; the slot ends at the end of the run. */
  private void next() {
    if (System.nanoTime() >= stopAt) {
      slotsLeft.countDown();
      return;
    }
    ChannelFuture connect = bootstrap.connect(uri.getHost(), uri.getPort());
    Channel ch = connect.channel();
    ScheduledFuture<?> timeout = loop.schedule(() -> {
      ch.close();
    }, TIMEOUT_MS, TimeUnit.MILLISECONDS);
    ch.closeFuture().addListener(f -> {
      timeout.cancel(false);
      if (Boolean.TRUE.equals(ch.attr(CLOSED_CLEANLY).get())) {
        done++;
      } else {
        failed++;
      }
      next();
    });
  }

  /** One connection: upgrade, close handshake, close. */
  private final class Probe extends SimpleChannelInboundHandler<Object> {
    private WebSocketClientHandshaker handshaker;

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
        ch.attr(CLOSED_CLEANLY).set(Boolean.TRUE);
        ch.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
