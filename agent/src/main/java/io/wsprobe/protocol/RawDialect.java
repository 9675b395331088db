package io.wsprobe.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Plain WebSocket frames, no application handshake. A broadcast marker is a small JSON text frame
 * that a room server fans out to the other sessions on the same URL; it is recognised in any
 * text frame that contains its id, so servers that wrap messages in an envelope still work.
 */
public final class RawDialect implements Dialect {

  @Override
  public Event open(Wire wire) {
    return new Ready(null);
  }

  @Override
  public Event onFrame(boolean text, byte[] data, Wire wire) {
    if (text) {
      String id = Markers.find(new String(data, StandardCharsets.UTF_8));
      if (id != null) {
        return new Marker(id);
      }
    }
    return DATA;
  }

  @Override
  public void sendMarker(Wire wire, String id) {
    wire.text("{\"type\":\"wsprobe.marker\",\"id\":\"" + id + "\"}");
  }
}
