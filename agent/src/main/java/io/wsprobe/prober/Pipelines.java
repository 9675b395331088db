package io.wsprobe.prober;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Every change to a probe's pipeline, in one place. The codecs are Netty's; ours are the answer
 * capture, the socket's {@link WireClock} first (named {@code wire}), and the one phase handler
 * at the end, named {@code phase}:
 * <pre>
 * connecting:  wire, phase (quiet)
 * proxy:       wire, proxy-http, phase (ProxyConnectHandler); then phase (quiet) once the tunnel is open
 * TLS:         wire, ssl, phase (quiet)
 * upgrading:   wire, [ssl], raw-answer, http, phase (UpgradeHandler)
 * open:        wire, [ssl], ws-decoder, [ws-inflate], ws-utf8, ws-aggregator, ws-encoder, [ws-deflate], phase (app handshake, exchanges, ...)
 *
 * http_version "2", on the socket:
 * settings:    wire, [ssl], raw-answer, h2, h2-mux, phase (H2Connection)
 * stream open: wire, [ssl], h2, h2-mux, phase (H2Connection.Watch: GOAWAY)
 * and on the WebSocket's stream channel (then the session's channel):
 * upgrading:   h2-stream, phase (H2UpgradeHandler)
 * open:        h2-stream, ws-decoder, [ws-inflate], ws-utf8, ws-aggregator, ws-encoder, [ws-deflate], phase (as over HTTP/1.1)
 * </pre>
 */
final class Pipelines {

  /** Connect and TLS report through their futures; what the channel says meanwhile is dropped. */
  @ChannelHandler.Sharable
  private static final class Quiet extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {}
  }

  private static final Quiet QUIET = new Quiet();

  /** Shared by every probe: a new channel starts with the quiet phase. */
  static final ChannelHandler CONNECTING = new Initializer();

  @ChannelHandler.Sharable
  private static final class Initializer extends ChannelInitializer<Channel> {
    @Override
    protected void initChannel(Channel ch) {
      if (!(ch instanceof Http2StreamChannel)) {
        ch.pipeline().addLast("wire", new WireClock()); // the socket's own: first, ahead of TLS
      }
      ch.pipeline().addLast("phase", QUIET);
    }
  }

  private Pipelines() {}

  /** Netty's HTTP client codec for CONNECT: it knows a 2xx answer to CONNECT has no body. */
  static void proxyConnect(Session s, ProxyConnectHandler connect) {
    s.channel.pipeline().addBefore("phase", "proxy-http", new HttpClientCodec(4096, 16 * 1024, 8192));
    phase(s, connect);
  }

  /**
   * The tunnel is open: the codec goes, and the bytes are the target's from here on. Returns what
   * the codec still held when it left (null if nothing): the target's first bytes, when the proxy
   * passed them on together with its answer. A server that speaks first (an HTTP/2 server's
   * SETTINGS) can arrive in the same read as {@code 200 Connection established}.
   */
  static ByteBuf tunnel(Session s) {
    ChannelPipeline p = s.channel.pipeline();
    Leftover left = new Leftover();
    p.addAfter("proxy-http", "tunnel-leftover", left);
    p.remove("proxy-http"); // Netty's decoder hands what it has not decoded on to the next handler
    p.remove(left);
    s.current.release();
    s.current = null;
    p.replace("phase", "phase", QUIET);
    return left.bytes;
  }

  /** The target's bytes that came with the proxy's answer, read again once the next step's handlers are in. */
  static void replay(Channel socket, Session s, ByteBuf bytes) {
    if (bytes == null) {
      return;
    }
    if (s.done()) {
      bytes.release();
      return;
    }
    socket.pipeline().fireChannelRead(bytes); // from the head: through ssl, if any, into the codec
    socket.pipeline().fireChannelReadComplete();
  }

  /** Keeps the bytes the proxy's codec leaves behind; drops its own messages (the empty last content). */
  private static final class Leftover extends ChannelInboundHandlerAdapter {
    ByteBuf bytes;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf b && b.isReadable()) {
        bytes = bytes == null ? b : Unpooled.wrappedBuffer(bytes, b);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {}
  }

  static void tls(Session s, SslHandler ssl) {
    s.channel.pipeline().addAfter("wire", "ssl", ssl);
  }

  /** Netty's HTTP codec (4 KiB line, 16 KiB headers), with the answer's first bytes kept ahead of it. */
  static void upgrade(Session s, UpgradeHandler upgrade) {
    ChannelPipeline p = s.channel.pipeline();
    p.addBefore("phase", "raw-answer", upgrade.capture());
    p.addBefore("phase", "http", new HttpClientCodec(4096, 16 * 1024, 8192));
    phase(s, upgrade);
  }

  /**
   * After the handshaker swapped the HTTP codec for the WebSocket one. RFC 6455 8.1: text must be
   * UTF-8, across fragments too; Netty's protocol handler adds this validator, the bare
   * handshaker does not. It reports, the probe closes (1007). An agreed permessage-deflate
   * inflates right after the frame decoder, so the validator and the aggregator see plain frames.
   */
  static void websocket(Session s, Deflate.Agreement agreement) {
    ChannelPipeline p = s.channel.pipeline();
    p.remove("raw-answer");
    p.addAfter("ws-decoder", "ws-utf8", new Utf8FrameValidator(false));
    p.addAfter("ws-utf8", "ws-aggregator", new WebSocketFrameAggregator((int) s.module.maxMessageBytes()));
    if (agreement.compressed()) {
      Deflate.install(p, "ws-decoder", "ws-encoder", agreement);
    }
  }

  /** Largest header block the server may send (SETTINGS_MAX_HEADER_LIST_SIZE), as the HTTP/1.1 codec's 16 KiB. */
  static final int H2_MAX_HEADER_LIST = 16 * 1024;

  /**
   * Netty's HTTP/2 frame codec (it sends the connection preface when added) and its multiplexer,
   * with the server's first bytes kept ahead of them. The client offers no push, and a bounded
   * header list; closing the connection does not wait for open streams (the session closes its
   * stream first).
   */
  static void h2(Session s, H2Connection connection) {
    ChannelPipeline p = s.channel.pipeline();
    p.addBefore("phase", "raw-answer", connection.capture());
    p.addBefore("phase", "h2", Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(H2_MAX_HEADER_LIST))
        .gracefulShutdownTimeoutMillis(0)
        .build());
    // the server may not open streams (no push); what one it opens anyway carries is dropped
    p.addBefore("phase", "h2-mux", new Http2MultiplexHandler(CONNECTING));
    phase(s, connection);
  }

  /** The server's SETTINGS came: the capture goes; the step's handler stays until the stream is open. */
  static void h2Settled(Session s) {
    s.channel.pipeline().remove("raw-answer");
  }

  /**
   * The stream is open: the socket keeps a watch for GOAWAY in the phase's place, and the stream
   * becomes the session's channel, its adapter first.
   */
  static void h2Stream(Session s, Http2StreamChannel stream, H2UpgradeHandler upgrade) {
    Channel socket = s.channel;
    s.current.release();
    s.current = null;
    socket.pipeline().replace("phase", "phase", new H2Connection.Watch(s));
    s.tcp = socket;
    s.channel = stream;
    stream.pipeline().addBefore("phase", "h2-stream", new H2Stream(s));
    phase(s, upgrade);
  }

  /**
   * The extended CONNECT got :status 200: the stream's DATA carries the WebSocket (RFC 8441 5).
   * Netty's RFC 6455 codec, masking what it sends, and the validator and aggregator as over
   * HTTP/1.1, under the same names.
   *
   * @param agreement the permessage-deflate agreed (its codecs go in as over HTTP/1.1), or none
   */
  static void h2WebSocket(Session s, Deflate.Agreement agreement) {
    ChannelPipeline p = s.channel.pipeline();
    int max = (int) s.module.maxMessageBytes();
    p.addBefore("phase", "ws-decoder", Deflate.frameDecoder(max, agreement.compressed()));
    p.addBefore("phase", "ws-utf8", new Utf8FrameValidator(false));
    p.addBefore("phase", "ws-aggregator", new WebSocketFrameAggregator(max));
    p.addBefore("phase", "ws-encoder", new WebSocket13FrameEncoder(true));
    if (agreement.compressed()) {
      Deflate.install(p, "ws-decoder", "ws-encoder", agreement);
    }
    ((H2Stream) p.get("h2-stream")).open();
  }

  /**
   * Keeps the first bytes of the raw answer in {@code into} (up to its maximum capacity) and passes
   * them on: for answers that are not HTTP, or never complete.
   */
  static ChannelInboundHandlerAdapter capture(io.netty.buffer.ByteBuf into) {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // maxWritableBytes, not writableBytes: the buffer starts with capacity 0 and grows to the cap
        if (msg instanceof io.netty.buffer.ByteBuf b && into.refCnt() > 0 && into.maxWritableBytes() > 0) {
          into.writeBytes(b, b.readerIndex(), Math.min(b.readableBytes(), into.maxWritableBytes()));
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  /** The next step's handler in place of the last one's, which gives back what it held. */
  static void phase(Session s, PhaseHandler next) {
    PhaseHandler previous = s.current;
    if (previous != null) {
      previous.release();
    }
    s.channel.pipeline().replace("phase", "phase", next);
    s.current = next;
    next.begin();
  }
}
