package io.wsprobe.prober;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsprobe.protocol.Dialect;

/**
 * A session waiting in a broadcast: the sender for the receivers to be ready and then for them
 * to see its marker, a receiver for the marker. {@link Broadcast} decides; this handler passes
 * on the markers that arrive and tells the classifier how far the broadcast got.
 */
final class BroadcastHandler extends PhaseHandler {

  private final Broadcast broadcast;
  private final ProbeStep waiting;

  BroadcastHandler(Session session, Broadcast broadcast, ProbeStep waiting) {
    super(session);
    this.broadcast = broadcast;
    this.waiting = waiting;
  }

  @Override
  void begin() {
    session.step = waiting;
    session.stepStart = System.nanoTime();
  }

  @Override
  void event(Dialect.Event event, WebSocketFrame frame) {
    if (event instanceof Dialect.Marker m && session.step == ProbeStep.RECEIVING) {
      broadcast.marker(session, m.id());
    }
  }

  @Override
  public boolean settling() {
    return broadcast.settling();
  }

  @Override
  public long settleMillis() {
    return session.module.app().broadcast().settle().toMillis();
  }

  @Override
  public int receivers() {
    return broadcast.receiverCount();
  }

  @Override
  public int missing() {
    return broadcast.missing();
  }

  @Override
  public long broadcastLimitMillis() {
    java.time.Duration limit = session.module.app().broadcast().timeout();
    return limit != null ? limit.toMillis() : session.target.timeout().toMillis();
  }
}
