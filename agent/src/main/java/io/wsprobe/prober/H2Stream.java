package io.wsprobe.prober;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * First on the WebSocket's HTTP/2 stream channel. Until the upgrade succeeds it passes the
 * stream's frames on to the upgrade step; once {@link #open}, the stream carries WebSocket bytes
 * (RFC 8441 5): a DATA frame's bytes go on to the frame decoder, END_STREAM closes the stream,
 * and bytes written become DATA frames. In every step it turns RST_STREAM (which Netty gives the
 * stream as a user event) and GOAWAY into the session's end.
 */
final class H2Stream extends ChannelDuplexHandler {

  private final Session session;
  private boolean open;

  H2Stream(Session session) {
    this.session = session;
  }

  /** The upgrade succeeded: from here the stream's DATA is the WebSocket's bytes. */
  void open() {
    open = true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!open) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof Http2DataFrame data) {
      boolean end = data.isEndStream();
      ctx.fireChannelRead(data.content().retain());
      data.release();
      if (end) {
        ctx.close();
      }
    } else {
      // trailers, or anything else on an open WebSocket: no bytes of it
      boolean end = msg instanceof Http2HeadersFrame h && h.isEndStream();
      ReferenceCountUtil.release(msg);
      if (end) {
        ctx.close();
      }
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (open && msg instanceof ByteBuf bytes) {
      ctx.write(new DefaultHttp2DataFrame(bytes, false), promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    Session s = session;
    try {
      if (s.done()) {
        return;
      }
      if (evt instanceof Http2ResetFrame reset) {
        s.trace.note(s.name + "received RST_STREAM " + H2Connection.errorName(reset.errorCode()));
        s.apply(FailureClassifier.reset(s.step, H2Connection.errorName(reset.errorCode()), s.facts()), null);
      } else if (evt instanceof Http2GoAwayFrame goAway) {
        H2Connection.goAway(s, goAway);
      }
    } catch (Throwable e) {
      s.crashed(e);
    } finally {
      ReferenceCountUtil.release(evt);
    }
  }
}
