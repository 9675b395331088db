package io.wsprobe.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The Yjs message layer shared by y-websocket and Hocuspocus: {@code varUint(type)} then a
 * payload. Hocuspocus puts {@code varString(documentName)} in front of each message; y-websocket
 * does not (the room is the URL path) and may pack several messages in one frame.
 */
public final class YMessages {

  public static final int SYNC = 0;
  public static final int AWARENESS = 1;
  public static final int AUTH = 2;
  public static final int QUERY_AWARENESS = 3;
  public static final int SYNC_REPLY = 4;
  public static final int STATELESS = 5;
  public static final int BROADCAST_STATELESS = 6;
  public static final int CLOSE = 7;
  public static final int SYNC_STATUS = 8;
  public static final int PING = 9;
  public static final int PONG = 10;

  public static final int SYNC_STEP1 = 0;
  public static final int SYNC_STEP2 = 1;
  public static final int SYNC_UPDATE = 2;

  public static final int AUTH_TOKEN = 0;
  public static final int AUTH_PERMISSION_DENIED = 1;
  public static final int AUTH_AUTHENTICATED = 2;

  /** An empty state vector: {@code varUint(0)}. */
  private static final byte[] EMPTY_STATE_VECTOR = {0};

  private YMessages() {}

  /** One decoded message; fields not used by its type are null. */
  public record Message(String document, int type, Integer subtype, String text,
                        List<Awareness.Entry> awareness) {}

  private static Lib0.Writer start(String document) {
    Lib0.Writer w = new Lib0.Writer();
    if (document != null) {
      w.varString(document);
    }
    return w;
  }

  /** SyncStep1 with an empty state vector: "send me the whole document". */
  public static byte[] syncStep1(String document) {
    return start(document).varUint(SYNC).varUint(SYNC_STEP1).varBytes(EMPTY_STATE_VECTOR).toBytes();
  }

  /** SyncStep2 carrying an empty update (the answer to the server's SyncStep1 for a client with no state). */
  public static byte[] syncStep2Empty(String document) {
    return start(document).varUint(SYNC).varUint(SYNC_STEP2).varBytes(new byte[] {0, 0}).toBytes();
  }

  public static byte[] auth(String document, String token) {
    return start(document).varUint(AUTH).varUint(AUTH_TOKEN).varString(token).toBytes();
  }

  public static byte[] awareness(String document, long clientId, long clock, String json) {
    return start(document).varUint(AWARENESS).varBytes(Awareness.update(clientId, clock, json)).toBytes();
  }

  public static byte[] close(String document) {
    return start(document).varUint(CLOSE).toBytes();
  }

  /**
   * Decodes every message of a frame.
   *
   * @param withDocument whether messages start with the document name (Hocuspocus)
   */
  public static List<Message> parse(byte[] frame, boolean withDocument) {
    List<Message> out = new ArrayList<>(1);
    if (withDocument && frame.length == 1 && (frame[0] == PING || frame[0] == PONG)) {
      out.add(new Message(null, frame[0], null, null, null)); // Hocuspocus v4 keepalive: one bare byte
      return out;
    }
    Lib0.Reader r = new Lib0.Reader(frame);
    while (r.hasMore()) {
      String document = withDocument ? r.varString() : null;
      int type = (int) r.varUint();
      switch (type) {
        case SYNC, SYNC_REPLY -> {
          int step = (int) r.varUint();
          r.varBytes();
          out.add(new Message(document, type, step, null, null));
        }
        case AWARENESS -> out.add(new Message(document, type, null, null, Awareness.parse(r.varBytes())));
        case AUTH -> {
          int sub = (int) r.varUint();
          String text = sub == AUTH_TOKEN || !r.hasMore() ? null : r.varString();
          out.add(new Message(document, type, sub, text, null));
        }
        case SYNC_STATUS -> {
          int status = (int) r.varUint();
          out.add(new Message(document, type, status, null, null));
        }
        default -> {
          // types wsprobe does not act on: the rest of the frame belongs to this message
          r.rest();
          out.add(new Message(document, type, null, null, null));
        }
      }
      if (withDocument) {
        break; // Hocuspocus sends one message per frame
      }
    }
    return out;
  }
}
