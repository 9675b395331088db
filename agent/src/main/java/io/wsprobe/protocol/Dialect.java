package io.wsprobe.protocol;

import java.time.Duration;

/**
 * One session's application protocol, spoken after the WebSocket upgrade: its own handshake
 * (phase {@code app_handshake}), keepalives, broadcast markers and a clean goodbye. One instance
 * per session; called on that session's event loop only.
 */
public interface Dialect {

  /** Sends frames on the session. */
  interface Wire {
    void text(String text);

    void binary(byte[] bytes);
  }

  /** What a received data frame meant. */
  sealed interface Event permits Ignored, Data, Ready, Failed, Marker {}

  /** Protocol housekeeping (a keepalive, a sync message): not an answer to anything. */
  record Ignored() implements Event {}

  /** An application message: a candidate answer for the module's message exchanges. */
  record Data() implements Event {}

  /** The protocol's handshake is done; {@code note} says how, for the trace. */
  record Ready(String note) implements Event {}

  /**
   * The handshake failed.
   *
   * @param auth true when the server refused the credentials ({@code auth_failed}), false for any
   *             other failure ({@code app_handshake_failed})
   */
  record Failed(boolean auth, String detail) implements Event {}

  /** A broadcast marker with this id arrived. */
  record Marker(String id) implements Event {}

  Event IGNORED = new Ignored();
  Event DATA = new Data();

  /** The session is open: send what the protocol sends first. Returns Ready at once when there is no handshake. */
  Event open(Wire wire);

  Event onFrame(boolean text, byte[] data, Wire wire);

  /** Sends a broadcast marker carrying {@code id}. */
  void sendMarker(Wire wire, String id);

  /** How often {@link #keepalive} must run while a session is held idle; null = never. */
  default Duration keepaliveInterval() {
    return null;
  }

  default void keepalive(Wire wire) {}

  /** What the handshake is still waiting for, to name it when the probe times out; "" = nothing in particular. */
  default String pending() {
    return "";
  }

  /** Frames that leave the room or document cleanly, sent before the close frame. */
  default void goodbye(Wire wire) {}
}
