package io.wsprobe.prober;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.wsprobe.protocol.Dialect;

/**
 * One step of a session as the last handler of its pipeline, in the manner of Netty's
 * {@code WebSocketClientProtocolHandshakeHandler}: {@link #begin} starts the step, the handler
 * reads what arrives, and when its step is done it hands over to the next step's handler
 * ({@link Pipelines#phase} puts that one in its place). What ends a step badly (the deadline, a
 * closed connection, an error, a close frame) goes through {@link FailureClassifier}, which reads
 * this handler's {@link FailureClassifier.Facts}.
 *
 * <p>This base reads WebSocket frames: it answers pings, gives close frames to the classifier and
 * data frames to the dialect, whose events go to {@link #event}.
 */
abstract class PhaseHandler extends ChannelInboundHandlerAdapter implements FailureClassifier.Facts {

  final Session session;

  PhaseHandler(Session session) {
    this.session = session;
  }

  /** Starts the step; the handler is in the pipeline. */
  abstract void begin();

  /** Gives back what the step holds (its timers, its buffers); the session is ending or moving on. */
  void release() {}

  /** A non-101 answer is being read: end with it as it stands. */
  void finishAnswer() {}

  /** What the dialect made of a data frame, in this step. */
  void event(Dialect.Event event, WebSocketFrame frame) {}

  /** Anything but a WebSocket frame: nothing after the upgrade. */
  void read(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof PingWebSocketFrame ping) {
      ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
    } else if (msg instanceof CloseWebSocketFrame close) {
      peerClose(close);
    } else if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
      WebSocketFrame frame = (WebSocketFrame) msg;
      Dialect.Event e = session.dialect.onFrame(frame instanceof TextWebSocketFrame,
          ByteBufBytes.of(frame.content()), session);
      dialectEvent(e, frame);
    }
  }

  /** A dialect's failure ends the session in any step; other events are the step's own. */
  final void dialectEvent(Dialect.Event e, WebSocketFrame frame) {
    if (e instanceof Dialect.Failed f) {
      session.end(f.auth() ? Result.AUTH_FAILED : Result.APP_HANDSHAKE_FAILED,
          appLabel() + " " + session.probe.redactor.apply(f.detail())); // the server's words
    } else {
      event(e, frame);
    }
  }

  private void peerClose(CloseWebSocketFrame close) {
    Session s = session;
    s.closeCode = close.statusCode();
    s.closeReason = close.reasonText() == null ? "" : close.reasonText();
    onPeerClose();
  }

  /** The peer sent a close frame ({@link Session#closeCode}, {@link Session#closeReason}). */
  void onPeerClose() {
    Session s = session;
    s.apply(FailureClassifier.peerClose(s.step, s.closeCode, s.closeReason, s.name, this), null);
  }

  // Each event is guarded as Session.guarded does, without a lambda: these run for every frame.

  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!session.done()) {
        read(ctx, msg);
      }
    } catch (Throwable e) {
      session.crashed(e);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public final void channelInactive(ChannelHandlerContext ctx) {
    try {
      session.apply(FailureClassifier.classify(session.step, FailureClassifier.Event.CLOSED, null, this), null);
    } catch (Throwable e) {
      session.crashed(e);
    }
  }

  @Override
  public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    try {
      session.apply(FailureClassifier.classify(session.step, FailureClassifier.Event.ERROR, cause, this), cause);
    } catch (Throwable e) {
      session.crashed(e);
    }
  }

  // ---------------------------------------------------------------- facts; steps override theirs

  @Override
  public long timeoutMillis() {
    return session.target.timeout().toMillis();
  }

  @Override
  public String appLabel() {
    return session.module.app().protocol().label();
  }

  @Override
  public long maxMessageBytes() {
    return session.module.maxMessageBytes();
  }

  @Override
  public int answerBytes() {
    return 0;
  }

  @Override
  public boolean answerLooksLikeHttp() {
    return true;
  }

  @Override
  public String answerSoFar() {
    return "";
  }

  @Override
  public String pending() {
    return session.dialect.pending();
  }

  @Override
  public int exchangeNo() {
    return 0;
  }

  @Override
  public int framesSinceSend() {
    return 0;
  }

  @Override
  public String lastFrame() {
    return null;
  }

  @Override
  public String expected() {
    return "";
  }

  @Override
  public boolean settling() {
    return false;
  }

  @Override
  public long settleMillis() {
    return 0;
  }

  @Override
  public int receivers() {
    return 0;
  }

  @Override
  public int missing() {
    return 0;
  }

  @Override
  public long broadcastLimitMillis() {
    return 0;
  }

  /** The facts before the socket has a phase handler (DNS, connect, TLS): only the timeout counts. */
  static final class Before extends PhaseHandler {
    Before(Session session) {
      super(session);
    }

    @Override
    void begin() {}
  }
}
