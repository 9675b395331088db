package io.wsprobe.prober;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import io.wsprobe.config.Module;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Holds the session open for {@code hold.duration} (shortened to fit the timeout), with the
 * dialect's keepalives and the module's pings meanwhile; a session that survives it goes on to
 * the close, one cut short is {@code idle_cut} (see {@link FailureClassifier}).
 */
final class HoldHandler extends PhaseHandler {

  /** Room left for the close after the hold. */
  static final long CLOSE_ROOM_NANOS = CloseHandler.CLOSE_WAIT_NANOS / 10;
  private static final byte[] PING = "wsprobe".getBytes(StandardCharsets.US_ASCII);

  private ScheduledFuture<?> holdTimer;
  private ScheduledFuture<?> keepaliveTimer;
  private ScheduledFuture<?> pingTimer;

  HoldHandler(Session session) {
    super(session);
  }

  @Override
  void begin() {
    Session s = session;
    Module.Hold hold = s.module.hold();
    s.step = ProbeStep.HOLD;
    long duration = hold.duration().toNanos();
    long room = s.remainingNanos() - CLOSE_ROOM_NANOS;
    if (duration > room) {
      duration = Math.max(0, room);
      s.trace.note("hold shortened to " + Trace.millis(duration) + " to fit the timeout");
    }
    s.stepStart = System.nanoTime();
    long holdFor = duration;
    holdTimer = s.loop.schedule(() -> s.guarded(() -> {
      s.holdSurvived = holdFor;
      s.step("hold", holdFor, "session stayed open");
      s.close();
    }), duration, TimeUnit.NANOSECONDS);
    if (s.dialect.keepaliveInterval() != null) {
      long every = s.dialect.keepaliveInterval().toNanos();
      keepaliveTimer = s.loop.scheduleAtFixedRate(() -> s.guarded(() -> {
        if (s.step == ProbeStep.HOLD) {
          s.dialect.keepalive(s);
        }
      }), every, every, TimeUnit.NANOSECONDS);
    }
    if (hold.pingInterval() != null) {
      long every = hold.pingInterval().toNanos();
      pingTimer = s.loop.scheduleAtFixedRate(() -> {
        if (s.step == ProbeStep.HOLD) {
          s.channel.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(PING)));
        }
      }, every, every, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  void release() {
    cancel(holdTimer);
    cancel(keepaliveTimer);
    cancel(pingTimer);
  }

  static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
