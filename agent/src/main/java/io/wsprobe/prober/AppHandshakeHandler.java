package io.wsprobe.prober;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsprobe.config.Module;
import io.wsprobe.protocol.Dialect;

/**
 * The application protocol's own handshake after the upgrade (Socket.IO connect, Hocuspocus
 * auth, Yjs sync), spoken by the session's dialect; done on its {@link Dialect.Ready}, when the
 * session's owner decides what comes next.
 */
final class AppHandshakeHandler extends PhaseHandler {

  AppHandshakeHandler(Session session) {
    super(session);
  }

  @Override
  void begin() {
    session.step = ProbeStep.APP_HANDSHAKE;
    session.stepStart = System.nanoTime();
    dialectEvent(session.dialect.open(session), null);
  }

  @Override
  void event(Dialect.Event event, WebSocketFrame frame) {
    if (event instanceof Dialect.Ready r && session.step == ProbeStep.APP_HANDSHAKE) {
      long took = System.nanoTime() - session.stepStart;
      Module.Protocol protocol = session.module.app().protocol();
      if (protocol != Module.Protocol.RAW) {
        session.phases.put(Phase.APP_HANDSHAKE, took);
        session.step("handshake", took, protocol.label() + ": " + r.note());
      }
      session.owner.ready(session);
    }
  }
}
