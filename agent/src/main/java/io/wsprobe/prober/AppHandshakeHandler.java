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

  private AppHandshakeHandler(Session session) {
    super(session);
  }

  /**
   * Starts the handshake. A dialect without one (raw) is ready at once: then no handler is put
   * in the pipeline for a step that is already over.
   */
  static void start(Session s) {
    s.step = ProbeStep.APP_HANDSHAKE;
    s.stepStart = System.nanoTime();
    Dialect.Event first = s.dialect.open(s);
    if (first instanceof Dialect.Ready r) {
      ready(s, r);
      return;
    }
    AppHandshakeHandler h = new AppHandshakeHandler(s);
    Pipelines.phase(s, h);
    h.dialectEvent(first, null);
  }

  @Override
  void begin() {}

  @Override
  void event(Dialect.Event event, WebSocketFrame frame) {
    if (event instanceof Dialect.Ready r && session.step == ProbeStep.APP_HANDSHAKE) {
      ready(session, r);
    }
  }

  private static void ready(Session s, Dialect.Ready r) {
    long took = System.nanoTime() - s.stepStart;
    Module.Protocol protocol = s.module.app().protocol();
    if (protocol != Module.Protocol.RAW) {
      s.phases.put(Phase.APP_HANDSHAKE, took);
      s.step("handshake", took, protocol.label() + ": " + r.note());
    }
    s.owner.ready(s);
  }
}
