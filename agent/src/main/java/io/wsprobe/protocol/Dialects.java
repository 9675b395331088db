package io.wsprobe.protocol;

import io.wsprobe.config.Module;
import java.util.function.Supplier;

/** The table from a module's {@code protocol} to its dialect: one new instance per session. */
public final class Dialects {

  private static final Module.SocketIo SOCKETIO_DEFAULTS =
      new Module.SocketIo("/", null, new Module.SocketIo.Event("wsprobe-marker", "{}"), null);

  private Dialects() {}

  /**
   * @param collabToken the token a login flow obtained for Hocuspocus, or null to use the
   *                    module's own
   */
  public static Supplier<Dialect> of(Module.App app, String collabToken) {
    return switch (app.protocol()) {
      case RAW -> RawDialect::new;
      case SOCKETIO -> {
        Module.SocketIo cfg = app.socketio() != null ? app.socketio() : SOCKETIO_DEFAULTS;
        yield () -> new SocketIoDialect(cfg);
      }
      case HOCUSPOCUS -> {
        String document = app.hocuspocus().document();
        String token = collabToken != null ? collabToken
            : app.hocuspocus().token() == null ? "" : app.hocuspocus().token().value();
        yield () -> YjsDialect.hocuspocus(document, token);
      }
      case YWEBSOCKET -> YjsDialect::ywebsocket;
    };
  }
}
