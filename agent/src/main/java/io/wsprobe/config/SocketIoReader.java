package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.Module.SocketIo;
import io.wsprobe.config.NodeReader.Entry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** A module's {@code socketio:} block: namespace, join event, marker event and connect auth. */
final class SocketIoReader {

  static final List<String> KEYS = List.of("namespace", "join", "marker", "auth");
  static final List<String> JOIN_KEYS = List.of("event", "args", "ack");
  static final List<String> MARKER_KEYS = List.of("event", "data");
  static final String DEFAULT_MARKER_EVENT = "wsprobe-marker";

  private final NodeReader reader;
  private final SecretResolver secrets;
  private final JsonValues json;

  SocketIoReader(NodeReader reader, SecretResolver secrets, JsonValues json) {
    this.reader = reader;
    this.secrets = secrets;
    this.json = json;
  }

  /** The settings of a socketio module without a {@code socketio:} block. */
  static SocketIo defaults() {
    return new SocketIo("/", null, defaultMarker(), null);
  }

  private static SocketIo.Event defaultMarker() {
    return new SocketIo.Event(DEFAULT_MARKER_EVENT, "{}");
  }

  SocketIo read(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, KEYS);
    if (keys == null) {
      return null;
    }
    String namespace = "/";
    Entry namespaceKey = keys.get("namespace");
    if (namespaceKey != null) {
      String namespacePath = child(path, "namespace");
      String value = reader.nonEmptyString(namespaceKey.value(), namespacePath);
      if (value != null && !value.startsWith("/")) {
        reader.error(namespaceKey.value(), namespacePath,
            "must start with \"/\", such as /chat; got \"" + value + "\"");
      } else if (value != null && value.contains(",")) {
        reader.error(namespaceKey.value(), namespacePath,
            "must not contain a comma: it ends the namespace in a Socket.IO packet");
      } else if (value != null) {
        namespace = value;
      }
    }

    SocketIo.Event join = null;
    Entry joinKey = keys.get("join");
    if (joinKey != null) {
      join = join(joinKey.value(), child(path, "join"));
    }

    SocketIo.Event marker = defaultMarker();
    Entry markerKey = keys.get("marker");
    if (markerKey != null) {
      marker = marker(markerKey.value(), child(path, "marker"));
    }

    Secret auth = null;
    Entry authKey = keys.get("auth");
    if (authKey != null) {
      auth = connectAuth(authKey.value(), child(path, "auth"));
    }
    return new SocketIo(namespace, join, marker, auth);
  }

  /** {@code join: { event, args }}: the arguments as a JSON array text. */
  private SocketIo.Event join(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, JOIN_KEYS);
    if (keys == null) {
      return null;
    }
    String event = null;
    Entry eventKey = keys.get("event");
    if (eventKey == null) {
      reader.error(node, child(path, "event"), "missing required key");
    } else {
      event = reader.nonEmptyString(eventKey.value(), child(path, "event"));
    }
    Object args = List.of();
    Entry argsKey = keys.get("args");
    if (argsKey != null) {
      String argsPath = child(path, "args");
      int errorsBefore = reader.errors().size();
      if (reader.list(argsKey.value(), argsPath) != null && !NodeReader.isNull(argsKey.value())) {
        JsonValues.Json converted = json.convert(argsKey.value(), argsPath, JsonValues.newIdentitySet());
        if (json.fits(converted, argsKey.value(), argsPath)) {
          args = converted.value();
        }
      }
      if (reader.errors().size() > errorsBefore) {
        return null;
      }
    }
    boolean ack = false;
    Entry ackKey = keys.get("ack");
    if (ackKey != null) {
      Boolean value = reader.bool(ackKey.value(), child(path, "ack"));
      ack = value != null && value;
    }
    return event == null ? null : new SocketIo.Event(event, JsonValues.encode(args), ack);
  }

  /** {@code marker: { event, data }}: the data as a JSON object text, without {@code probe}. */
  private SocketIo.Event marker(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, MARKER_KEYS);
    if (keys == null) {
      return null;
    }
    String event = DEFAULT_MARKER_EVENT;
    Entry eventKey = keys.get("event");
    if (eventKey != null) {
      event = reader.nonEmptyString(eventKey.value(), child(path, "event"));
    }
    Map<String, Object> data = new LinkedHashMap<>();
    Entry dataKey = keys.get("data");
    if (dataKey != null) {
      String dataPath = child(path, "data");
      int errorsBefore = reader.errors().size();
      Map<String, Entry> fields = reader.mapping(dataKey.value(), dataPath, null);
      Set<Node> open = JsonValues.newIdentitySet();
      open.add(dataKey.value());
      long values = 1;
      long bytes = 2;
      for (Entry field : fields == null ? List.<Entry>of() : fields.values()) {
        if (field.key().equals("probe")) {
          reader.error(field.keyNode(), child(dataPath, "probe"),
              "reserved: the sender sets probe to the marker's unique id");
          continue;
        }
        JsonValues.Json value = json.convert(field.value(), child(dataPath, field.key()), open);
        data.put(field.key(), value.value());
        values = JsonValues.capped(values, value.values());
        bytes = JsonValues.capped(bytes, field.key().length() + 4 + value.bytes());
        if (JsonValues.pastLimits(values, bytes)) {
          break;
        }
      }
      json.fits(new JsonValues.Json(data, values, bytes), dataKey.value(), dataPath);
      if (reader.errors().size() > errorsBefore) {
        return null;
      }
    }
    return event == null ? null : new SocketIo.Event(event, JsonValues.encode(data));
  }

  /**
   * {@code socketio.auth}: a mapping of secrets, as the JSON object text of the connect packet.
   * Secret when any value has a reference or any key is named like a credential.
   */
  private Secret connectAuth(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, null);
    if (keys == null) {
      return null;
    }
    Map<String, Object> object = new LinkedHashMap<>();
    boolean secret = false;
    boolean complete = true;
    for (Entry entry : keys.values()) {
      Secret value = secrets.value(entry.value(), child(path, entry.key()),
          Secret.sensitiveHeader(entry.key()));
      if (value == null) {
        complete = false;
      } else {
        secret |= value.secret();
        object.put(entry.key(), value.value());
      }
    }
    return complete ? new Secret(JsonValues.encode(object), secret) : null;
  }
}
