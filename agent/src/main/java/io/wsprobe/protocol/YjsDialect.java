package io.wsprobe.protocol;

import java.time.Duration;
import java.util.List;

/**
 * Yjs sessions: Hocuspocus (messages prefixed with the document name, an Auth handshake) and
 * y-websocket (no prefix, the room is the URL path, no auth). The broadcast marker is an
 * awareness update of this session's own random client id, with the next clock each time, whose
 * state carries the marker id and no {@code cursor} (editors draw nothing for it).
 */
public final class YjsDialect implements Dialect {

  private static final Duration AWARENESS_REFRESH = Duration.ofSeconds(15);

  private final String document; // null for y-websocket
  private final String token;
  private final long clientId = Markers.newClientId();
  private long clock;
  private String state = "{}";
  private boolean ready;
  private String authenticated; // the scope, once Authenticated came
  private boolean synced;

  private YjsDialect(String document, String token) {
    this.document = document;
    this.token = token;
  }

  /** Hocuspocus: Auth with {@code token}, then SyncStep1; ready on Authenticated. */
  public static YjsDialect hocuspocus(String document, String token) {
    return new YjsDialect(document, token == null ? "" : token);
  }

  /** y-websocket: ready on the server's first sync message. */
  public static YjsDialect ywebsocket() {
    return new YjsDialect(null, null);
  }

  @Override
  public Event open(Wire wire) {
    if (document != null) {
      wire.binary(YMessages.auth(document, token));
    }
    wire.binary(YMessages.syncStep1(document));
    return IGNORED;
  }

  @Override
  public Event onFrame(boolean text, byte[] data, Wire wire) {
    if (text) {
      return DATA;
    }
    List<YMessages.Message> messages;
    try {
      messages = YMessages.parse(data, document != null);
    } catch (Lib0.DecodeException e) {
      return ready ? DATA : new Failed(false, "undecodable " + (document != null ? "Hocuspocus" : "y-websocket")
          + " message: " + e.getMessage());
    }
    Event result = IGNORED;
    for (YMessages.Message m : messages) {
      Event e = handle(m, wire);
      if (!(e instanceof Ignored)) {
        result = e;
      }
    }
    return result;
  }

  private Event handle(YMessages.Message m, Wire wire) {
    if (document != null && m.document() != null && !m.document().equals(document)) {
      return IGNORED;
    }
    switch (m.type()) {
      case YMessages.PING -> {
        wire.binary(new byte[] {YMessages.PONG});
        return IGNORED;
      }
      case YMessages.AUTH -> {
        if (m.subtype() == YMessages.AUTH_AUTHENTICATED) {
          authenticated = m.text() == null ? "" : m.text();
          return readyWhenJoined();
        }
        if (m.subtype() == YMessages.AUTH_PERMISSION_DENIED) {
          return new Failed(true, "PermissionDenied" + (m.text() == null || m.text().isEmpty() ? "" : ": " + m.text()));
        }
        wire.binary(YMessages.auth(document, token)); // v4 asks for the token again
        return IGNORED;
      }
      case YMessages.SYNC, YMessages.SYNC_REPLY -> {
        if (m.subtype() != null && m.subtype() == YMessages.SYNC_STEP1) {
          wire.binary(YMessages.syncStep2Empty(document));
        }
        if (m.type() == YMessages.SYNC) {
          synced = true;
        }
        if (document == null && !ready) {
          ready = true;
          return new Ready("server sync received");
        }
        return readyWhenJoined();
      }
      case YMessages.AWARENESS -> {
        for (Awareness.Entry e : m.awareness()) {
          if (e.clientId() != clientId) {
            String id = Markers.find(e.json());
            if (id != null) {
              return new Marker(id);
            }
          }
        }
        return IGNORED;
      }
      default -> {
        return IGNORED;
      }
    }
  }

  /**
   * Hocuspocus says Authenticated before the connection joins the document; its sync answer comes
   * after joining. Only then can this session receive another session's marker.
   */
  private Event readyWhenJoined() {
    if (ready || authenticated == null || !synced) {
      return IGNORED;
    }
    ready = true;
    return new Ready("Authenticated " + authenticated + ", document synced");
  }

  @Override
  public void sendMarker(Wire wire, String id) {
    state = "{\"probe\":{\"id\":\"" + id + "\"}}";
    wire.binary(YMessages.awareness(document, clientId, ++clock, state));
  }

  @Override
  public Duration keepaliveInterval() {
    return AWARENESS_REFRESH;
  }

  @Override
  public void keepalive(Wire wire) {
    wire.binary(YMessages.awareness(document, clientId, ++clock, state));
  }

  @Override
  public void goodbye(Wire wire) {
    if (clock > 0) {
      wire.binary(YMessages.awareness(document, clientId, ++clock, "null"));
    }
    if (document != null) {
      wire.binary(YMessages.close(document));
    }
  }
}
