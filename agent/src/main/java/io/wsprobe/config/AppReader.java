package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.Module.App;
import io.wsprobe.config.Module.Auth;
import io.wsprobe.config.Module.Broadcast;
import io.wsprobe.config.Module.Hocuspocus;
import io.wsprobe.config.Module.Protocol;
import io.wsprobe.config.Module.SocketIo;
import io.wsprobe.config.NodeReader.Entry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The application layer of a module: {@code protocol} and the blocks that go with it
 * ({@code broadcast}, {@code socketio}, {@code hocuspocus}, {@code auth}). A block that does not
 * fit the protocol is reported (by {@link ConfigValidator}) and still read, so that the mistakes
 * inside it are found in the same pass.
 */
final class AppReader {

  static final List<String> BROADCAST_KEYS = List.of("receivers", "timeout", "settle");
  static final List<String> HOCUSPOCUS_KEYS = List.of("document", "token", "token_file");
  static final int MAX_BROADCAST_RECEIVERS = 50;

  private final NodeReader reader;
  private final SecretResolver secrets;
  private final SocketIoReader socketIo;
  private final AuthReader auth;
  private final ConfigValidator validator;

  AppReader(NodeReader reader, SecretResolver secrets, SocketIoReader socketIo, AuthReader auth,
            ConfigValidator validator) {
    this.reader = reader;
    this.secrets = secrets;
    this.socketIo = socketIo;
    this.auth = auth;
    this.validator = validator;
  }

  /** The app of the module whose keys these are; {@code headers} as already read. */
  App read(Map<String, Entry> keys, String path, Map<String, Secret> headers) {
    Protocol protocol = Protocol.RAW;
    Entry protocolKey = keys.get("protocol");
    if (protocolKey != null) {
      protocol = protocol(protocolKey.value(), child(path, "protocol"));
    }
    // With an invalid protocol (reported, null here) the checks that depend on it are skipped.
    String protocolShown = protocolKey == null ? "raw (the default)"
        : protocol == null ? null : protocol.label();

    Broadcast broadcast = null;
    Entry broadcastKey = keys.get("broadcast");
    if (broadcastKey != null) {
      broadcast = broadcast(broadcastKey.value(), child(path, "broadcast"));
    }

    Auth login = null;
    Entry authKey = keys.get("auth");
    if (authKey != null) {
      String authPath = child(path, "auth");
      validator.authFitsProtocol(authKey, authPath, protocol, protocolShown, headers);
      login = auth.read(authKey.value(), authPath);
    }

    SocketIo socketio = null;
    Entry socketioKey = keys.get("socketio");
    if (socketioKey != null) {
      String socketioPath = child(path, "socketio");
      validator.blockFitsProtocol(socketioKey, socketioPath, Protocol.SOCKETIO, protocol, protocolShown);
      socketio = socketIo.read(socketioKey.value(), socketioPath);
    } else if (protocol == Protocol.SOCKETIO) {
      socketio = SocketIoReader.defaults();
    }

    Hocuspocus hocuspocus = null;
    Entry hocuspocusKey = keys.get("hocuspocus");
    boolean required = protocol == Protocol.HOCUSPOCUS;
    if (hocuspocusKey != null) {
      String hocuspocusPath = child(path, "hocuspocus");
      validator.blockFitsProtocol(hocuspocusKey, hocuspocusPath, Protocol.HOCUSPOCUS, protocol,
          protocolShown);
      hocuspocus = hocuspocus(hocuspocusKey.value(), hocuspocusPath, required, authKey != null);
    } else if (required) {
      validator.hocuspocusBlockPresent(protocolKey, path, authKey != null);
    }

    Protocol used = protocol == null ? Protocol.RAW : protocol;
    return new App(used, broadcast, used == Protocol.SOCKETIO ? socketio : null,
        used == Protocol.HOCUSPOCUS ? hocuspocus : null, login);
  }

  /** One of the {@link Protocol} labels; null when it is none (reported). */
  private Protocol protocol(Node node, String path) {
    String value = reader.string(node, path);
    if (value == null) {
      return null;
    }
    for (Protocol protocol : Protocol.values()) {
      if (protocol.label().equals(value)) {
        return protocol;
      }
    }
    reader.error(node, path,
        "must be raw, socketio, hocuspocus or ywebsocket, got \"" + value + "\"");
    return null;
  }

  private Broadcast broadcast(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, BROADCAST_KEYS);
    if (keys == null) {
      return null;
    }
    int receivers = 1;
    Entry receiversKey = keys.get("receivers");
    if (receiversKey != null) {
      String receiversPath = child(path, "receivers");
      Long value = reader.integer(receiversKey.value(), receiversPath);
      if (value != null && (value < 1 || value > MAX_BROADCAST_RECEIVERS)) {
        reader.error(receiversKey.value(), receiversPath,
            "must be between 1 and " + MAX_BROADCAST_RECEIVERS + ", got " + value);
      } else if (value != null) {
        receivers = value.intValue();
      }
    }
    Duration timeout = null;
    Entry timeoutKey = keys.get("timeout");
    if (timeoutKey != null) {
      timeout = reader.duration(timeoutKey.value(), child(path, "timeout"));
    }
    Duration settle = Duration.ZERO;
    Entry settleKey = keys.get("settle");
    if (settleKey != null) {
      Duration value = reader.durationOrZero(settleKey.value(), child(path, "settle"));
      if (value != null) {
        settle = value;
      }
    }
    return new Broadcast(receivers, timeout, settle);
  }

  private Hocuspocus hocuspocus(Node node, String path, boolean required, boolean hasAuth) {
    Map<String, Entry> keys = reader.mapping(node, path, HOCUSPOCUS_KEYS);
    if (keys == null) {
      return null;
    }
    String document = null;
    Entry documentKey = keys.get("document");
    if (documentKey != null) {
      document = reader.nonEmptyString(documentKey.value(), child(path, "document"));
    } else if (required) {
      reader.error(node, child(path, "document"), "missing required key");
    }

    Entry token = keys.get("token");
    Entry tokenFile = keys.get("token_file");
    Secret secret = null;
    if (validator.hocuspocusTokenToRead(token, tokenFile, node, path, required, hasAuth)) {
      secret = secrets.valueOrFile(token, tokenFile, path);
    }
    return new Hocuspocus(document, secret);
  }
}
