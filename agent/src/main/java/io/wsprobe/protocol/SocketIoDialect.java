package io.wsprobe.protocol;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsprobe.config.Module;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Socket.IO v4 over a direct websocket transport (Engine.IO v4): wait for the open packet
 * {@code 0{...}}, connect the namespace ({@code 40}), wait for {@code 40{"sid":...}}, emit the join
 * event if any; answer every server ping {@code 2} with {@code 3}. The marker is an event
 * {@code 42["<event>", {...data, "probe": "<id>"}]}.
 */
public final class SocketIoDialect implements Dialect {

  private static final Pattern AUTH_WORDS =
      Pattern.compile("(?i)unauthori[sz]ed|forbidden|auth|token|jwt|credential|permission");

  /** The ack id of the join event: the only event this client asks to be acknowledged. */
  static final String JOIN_ACK_ID = "1";

  private final Module.SocketIo config;
  private final String prefix;
  private boolean connected;
  /** The namespace connect note, kept while the join's acknowledgement is awaited. */
  private String connectNote;
  private boolean joinAcked;

  public SocketIoDialect(Module.SocketIo config) {
    this.config = config;
    String ns = config.namespace() == null ? "/" : config.namespace();
    this.prefix = ns.equals("/") ? "" : ns + ",";
  }

  @Override
  public Event open(Wire wire) {
    return IGNORED; // the server speaks first
  }

  @Override
  public Event onFrame(boolean text, byte[] data, Wire wire) {
    if (!text || data.length == 0) {
      return DATA;
    }
    String s = new String(data, StandardCharsets.UTF_8);
    switch (s.charAt(0)) {
      case '0' -> {
        wire.text("40" + prefix + (config.auth() == null ? "" : config.auth().value()));
        return IGNORED;
      }
      case '2' -> {
        wire.text("3" + s.substring(1));
        return IGNORED;
      }
      case '3', '6' -> {
        return IGNORED;
      }
      case '1' -> {
        return connected ? DATA : new Failed(false, "server closed the Engine.IO session before the namespace connected");
      }
      case '4' -> {
        return packet(s.substring(1), wire);
      }
      default -> {
        return DATA;
      }
    }
  }

  private Event packet(String p, Wire wire) {
    if (p.isEmpty()) {
      return DATA;
    }
    char type = p.charAt(0);
    String rest = p.substring(1);
    if (!prefix.isEmpty()) {
      if (!rest.startsWith(prefix)) {
        return IGNORED; // another namespace
      }
      rest = rest.substring(prefix.length());
    }
    switch (type) {
      case '0' -> {
        if (connected) {
          return IGNORED;
        }
        connected = true;
        String sid = "";
        try {
          sid = rest.isEmpty() ? "" : new JsonObject(rest).getString("sid", "");
        } catch (DecodeException | ClassCastException e) {
          // the sid is only for the trace
        }
        String note = "namespace " + (prefix.isEmpty() ? "/" : prefix.substring(0, prefix.length() - 1))
            + " connected" + (sid.isEmpty() ? "" : " (sid " + sid + ")");
        Module.SocketIo.Event join = config.join();
        if (join == null) {
          return new Ready(note);
        }
        String ackId = join.ack() ? JOIN_ACK_ID : "";
        wire.text("42" + prefix + ackId + eventArray(join.name(), join.json()));
        if (join.ack()) {
          connectNote = note;
          return IGNORED; // ready once the server acknowledges the join
        }
        return new Ready(note + ", emitted " + join.name());
      }
      case '3' -> {
        // an acknowledgement: <id>[args]
        int bracket = rest.indexOf('[');
        String id = bracket < 0 ? rest : rest.substring(0, bracket);
        if (connectNote != null && !joinAcked && id.equals(JOIN_ACK_ID)) {
          joinAcked = true;
          return new Ready(connectNote + ", " + config.join().name() + " acknowledged");
        }
        return IGNORED;
      }
      case '4' -> {
        String message = rest;
        try {
          message = new JsonObject(rest).getString("message", rest);
        } catch (DecodeException | ClassCastException e) {
          // keep the raw text
        }
        return new Failed(AUTH_WORDS.matcher(message).find(), "connect refused: " + message);
      }
      case '1' -> {
        if (connectNote != null && !joinAcked) {
          return new Failed(false, "namespace disconnected by the server before it acknowledged "
              + config.join().name());
        }
        return connected ? DATA : new Failed(false, "namespace disconnected by the server");
      }
      case '2' -> {
        return event(rest);
      }
      default -> {
        return DATA;
      }
    }
  }

  private Event event(String json) {
    int bracket = json.indexOf('[');
    if (bracket < 0) {
      return DATA;
    }
    JsonArray args;
    try {
      args = new JsonArray(json.substring(bracket)); // skips an ack id before the array
    } catch (DecodeException e) {
      return DATA;
    }
    if (args.isEmpty() || !(args.getValue(0) instanceof String name)) {
      return DATA;
    }
    if (name.equals("Unauthorized")) {
      return new Failed(true, "server emitted Unauthorized");
    }
    if (config.marker() != null && name.equals(config.marker().name()) && args.size() > 1) {
      String id = Markers.find(String.valueOf(args.getValue(1)));
      if (id != null) {
        return new Marker(id);
      }
    }
    return DATA;
  }

  @Override
  public void sendMarker(Wire wire, String id) {
    Module.SocketIo.Event m = config.marker();
    JsonObject data;
    try {
      Object parsed = m.json() == null || m.json().isBlank() ? new JsonObject() : Json.decodeValue(m.json());
      data = parsed instanceof JsonObject o ? o.copy() : new JsonObject().put("data", parsed);
    } catch (DecodeException e) {
      data = new JsonObject();
    }
    data.put("probe", id);
    wire.text("42" + prefix + new JsonArray().add(m.name()).add(data).encode());
  }

  private static String eventArray(String name, String argsJson) {
    JsonArray out = new JsonArray().add(name);
    if (argsJson != null && !argsJson.isBlank()) {
      Object parsed = Json.decodeValue(argsJson);
      if (parsed instanceof JsonArray a) {
        a.forEach(out::add);
      } else {
        out.add(parsed);
      }
    }
    return out.encode();
  }

  @Override
  public String pending() {
    if (connectNote != null && !joinAcked) {
      return "the server did not acknowledge the " + config.join().name()
          + " event (join.ack is true: its handler must call the acknowledgement callback)";
    }
    return connected ? "" : "the namespace connect was not answered";
  }

  @Override
  public void goodbye(Wire wire) {
    if (connected) {
      wire.text("41" + prefix);
    }
  }
}
