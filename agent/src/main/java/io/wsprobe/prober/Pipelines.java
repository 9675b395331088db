package io.wsprobe.prober;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Every change to a probe's pipeline, in one place. The codecs are Netty's; ours are the answer
 * capture and the one phase handler at the end, named {@code phase}:
 * <pre>
 * connecting:  phase (quiet)
 * proxy:       proxy-http, phase (ProxyConnectHandler); then phase (quiet) once the tunnel is open
 * TLS:         ssl, phase (quiet)
 * upgrading:   [ssl], raw-answer, http, phase (UpgradeHandler)
 * open:        [ssl], ws-decoder, [ws-inflate], ws-utf8, ws-aggregator, ws-encoder, [ws-deflate], phase (app handshake, exchanges, ...)
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
      ch.pipeline().addLast("phase", QUIET);
    }
  }

  private Pipelines() {}

  /** Netty's HTTP client codec for CONNECT: it knows a 2xx answer to CONNECT has no body. */
  static void proxyConnect(Session s, ProxyConnectHandler connect) {
    s.channel.pipeline().addBefore("phase", "proxy-http", new HttpClientCodec(4096, 16 * 1024, 8192));
    phase(s, connect);
  }

  /** The tunnel is open: the codec goes, and the bytes are the target's from here on. */
  static void tunnel(Session s) {
    ChannelPipeline p = s.channel.pipeline();
    p.remove("proxy-http");
    s.current.release();
    s.current = null;
    p.replace("phase", "phase", QUIET);
  }

  static void tls(Session s, SslHandler ssl) {
    s.channel.pipeline().addFirst("ssl", ssl);
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
