package io.wsprobe.prober;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.wsprobe.support.TestCerts;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * In-process HTTP/2 servers on loopback for the RFC 8441 tests, on Netty's own server codec:
 * each advertises the SETTINGS it is given and answers every extended CONNECT with a
 * {@link Script} (accept and echo WebSocket frames, a status, a reset, a GOAWAY). The requests
 * they got are kept for assertions. Closing it closes every server.
 */
final class H2Servers implements AutoCloseable {

  /** What a server does with a CONNECT on a stream. */
  interface Script {
    void onRequest(Http2StreamChannel stream, Http2Headers request);
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  /** Every request head the servers got, in order. */
  final List<Http2Headers> requests = new CopyOnWriteArrayList<>();
  /** WebSocket pings the echo servers answered. */
  static final java.util.concurrent.atomic.AtomicInteger PINGS = new java.util.concurrent.atomic.AtomicInteger();

  static Http2Settings withConnect() {
    return Http2Settings.defaultSettings().connectProtocolEnabled(true).maxConcurrentStreams(100);
  }

  /** An h2c (prior knowledge) server; returns its port. */
  int h2c(Http2Settings settings, Script script) throws InterruptedException {
    return start(null, settings, script);
  }

  /** A TLS server presenting {@code cert}, whose ALPN selects among {@code alpn} (none: it selects nothing). */
  int tls(TestCerts.Issued cert, List<String> alpn, Http2Settings settings, Script script) throws Exception {
    SslContextBuilder b = SslContextBuilder.forServer(cert.certPem().toFile(), cert.keyPem().toFile());
    if (!alpn.isEmpty()) {
      b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
    }
    return start(b.build(), settings, script);
  }

  private int start(SslContext ssl, Http2Settings settings, Script script) throws InterruptedException {
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ChannelPipeline p = ch.pipeline();
            if (ssl != null) {
              p.addLast(ssl.newHandler(ch.alloc()));
            }
            p.addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build());
            p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new SimpleChannelInboundHandler<Http2HeadersFrame>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
                    ctx.pipeline().remove(this);
                    requests.add(frame.headers());
                    script.onRequest(stream, frame.headers());
                  }
                });
              }
            }));
          }
        }).bind(new InetSocketAddress(FaultServers.LOOPBACK, 0)).sync().channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  // ---------------------------------------------------------------- scripts

  /** :status 200, then the stream carries WebSocket frames: data echoed, pings answered, close echoed and the stream ended. */
  static Script echo() {
    return (stream, request) -> {
      Http2Headers answer = new DefaultHttp2Headers().status("200");
      CharSequence offered = request.get("sec-websocket-protocol");
      if (offered != null) {
        answer.set("sec-websocket-protocol", offered.toString().split(",")[0].trim());
      }
      stream.writeAndFlush(new DefaultHttp2HeadersFrame(answer, false));
      ChannelPipeline p = stream.pipeline();
      p.addLast(new Bytes());
      p.addLast(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder().expectMaskedFrames(true)
          .maxFramePayloadLength(1 << 20).build()));
      p.addLast(new WebSocket13FrameEncoder(false));
      p.addLast(new SimpleChannelInboundHandler<WebSocketFrame>() {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
          if (frame instanceof PingWebSocketFrame ping) {
            PINGS.incrementAndGet();
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
          } else if (frame instanceof CloseWebSocketFrame close) {
            ctx.write(close.retainedDuplicate());
            ctx.writeAndFlush(new DefaultHttp2DataFrame(true));
          } else {
            ctx.writeAndFlush(frame.retainedDuplicate());
          }
        }
      });
    };
  }

  /** Answers with {@code status} and {@code body} (and the stream's end). */
  static Script status(int status, String body) {
    return (stream, request) -> {
      Http2Headers answer = new DefaultHttp2Headers().status(String.valueOf(status));
      answer.set("content-type", "text/plain");
      answer.set("server", "h2-fault");
      stream.write(new DefaultHttp2HeadersFrame(answer, false));
      stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
    };
  }

  /** Resets the stream with {@code error}, without answering. */
  static Script reset(Http2Error error) {
    return (stream, request) -> stream.writeAndFlush(new DefaultHttp2ResetFrame(error));
  }

  /** Sends GOAWAY with {@code error} on the connection, answering nothing. */
  static Script goAway(Http2Error error, String debug) {
    return (stream, request) -> stream.parent().writeAndFlush(new DefaultHttp2GoAwayFrame(error,
        Unpooled.copiedBuffer(debug, StandardCharsets.US_ASCII)));
  }

  /** Accepts as {@link #echo}, then resets the stream after {@code afterMillis}. */
  static Script acceptThenReset(Http2Error error, long afterMillis) {
    Script echo = echo();
    return (stream, request) -> {
      echo.onRequest(stream, request);
      stream.eventLoop().schedule(() -> stream.writeAndFlush(new DefaultHttp2ResetFrame(error)),
          afterMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    };
  }

  /** A stream's DATA as bytes, and bytes written as DATA: the server's side of RFC 8441 5. */
  private static final class Bytes extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2DataFrame data) {
        ctx.fireChannelRead(data.content().retain());
        data.release();
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ctx.write(msg instanceof ByteBuf b ? new DefaultHttp2DataFrame(b, false) : msg, promise);
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
