package io.wsprobe.prober;

import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The clean end: the dialect's goodbye (leave the room or document), a close frame 1000, and up
 * to {@link #CLOSE_WAIT_NANOS} for the peer's answer. Either way the probe succeeded.
 */
final class CloseHandler extends PhaseHandler {

  static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private ScheduledFuture<?> closeTimer;

  CloseHandler(Session session) {
    super(session);
  }

  @Override
  void begin() {
    Session s = session;
    s.step = ProbeStep.CLOSING;
    s.stepStart = System.nanoTime();
    s.dialect.goodbye(s);
    s.channel.writeAndFlush(new CloseWebSocketFrame(1000, "wsprobe done"));
    closeTimer = s.loop.schedule(() -> s.guarded(() -> {
      s.trace.note("no close answer within " + Trace.millis(CLOSE_WAIT_NANOS) + "; closing the socket");
      s.end(Result.SUCCESS, "");
    }), Math.min(CLOSE_WAIT_NANOS, Math.max(0, s.remainingNanos())), TimeUnit.NANOSECONDS);
  }

  @Override
  void onPeerClose() {
    Session s = session;
    s.step("close", System.nanoTime() - s.stepStart,
        "peer answered " + FailureClassifier.said(s.closeCode, s.closeReason));
    s.wsOpen = false;
    super.onPeerClose();
  }

  @Override
  void release() {
    HoldHandler.cancel(closeTimer);
  }
}
