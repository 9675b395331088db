package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;
import static io.wsprobe.config.NodeReader.item;

import io.wsprobe.config.NodeReader.Entry;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * What a module adds to the upgrade request: {@code headers}, {@code bearer_token(_file)},
 * {@code origin} and {@code subprotocols}. The rules on a name or a value are plain functions
 * that give the message, so {@code wsprobe probe} applies them to its options too.
 */
final class RequestReader {

  /** RFC 9110 token: header names and subprotocol names. */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Headers the WebSocket handshake owns, with what to use instead. */
  private static final Map<String, String> HANDSHAKE_HEADERS = Map.of(
      "host", "it comes from the target url",
      "origin", "use origin",
      "sec-websocket-protocol", "use subprotocols",
      "connection", "the WebSocket handshake sets it",
      "upgrade", "the WebSocket handshake sets it",
      "sec-websocket-key", "the WebSocket handshake sets it",
      "sec-websocket-version", "the WebSocket handshake sets it",
      "sec-websocket-extensions", "the WebSocket handshake sets it",
      "content-length", "the WebSocket handshake sets it",
      "transfer-encoding", "the WebSocket handshake sets it");

  private final NodeReader reader;
  private final SecretResolver secrets;
  private final ConfigValidator validator;

  RequestReader(NodeReader reader, SecretResolver secrets, ConfigValidator validator) {
    this.reader = reader;
    this.secrets = secrets;
    this.validator = validator;
  }

  /** What is wrong with a header name, or null: not a token, or one the handshake owns. */
  static String headerNameProblem(String name) {
    if (!TOKEN.matcher(name).matches()) {
      return "invalid header name";
    }
    String owner = HANDSHAKE_HEADERS.get(name.toLowerCase(Locale.ROOT));
    return owner == null ? null : "cannot be set as a header: " + owner;
  }

  /** A header value must not break the request: no CR, LF or other control characters. */
  static String headerValueProblem(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        return "the value contains a control character (such as a line break), not allowed in a header";
      }
    }
    return null;
  }

  /** {@code scheme://host[:port]}, as a browser sends it, or {@code null}; else what is wrong. */
  static String originProblem(String origin) {
    if (origin.equals("null")) {
      return null;
    }
    try {
      URI uri = new URI(origin);
      if (uri.getScheme() != null && uri.getHost() != null && uri.getRawPath().isEmpty()
          && uri.getRawQuery() == null && uri.getRawFragment() == null
          && uri.getRawUserInfo() == null) {
        return null;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    return "must be scheme://host[:port], such as https://app.example.com";
  }

  /** What is wrong with one more subprotocol after {@code earlier}, or null. */
  static String subprotocolProblem(String name, List<String> earlier) {
    if (!TOKEN.matcher(name).matches()) {
      return "invalid subprotocol name \"" + name + "\"";
    }
    return earlier.contains(name) ? "duplicate subprotocol \"" + name + "\"" : null;
  }

  Map<String, Secret> headers(Entry entry, String path) {
    Map<String, Secret> headers = new LinkedHashMap<>();
    if (entry == null) {
      return headers;
    }
    Map<String, Entry> keys = reader.mapping(entry.value(), path, null);
    if (keys == null) {
      return headers;
    }
    Map<String, String> seen = new HashMap<>();
    for (Entry header : keys.values()) {
      String name = header.key();
      String headerPath = child(path, name);
      String problem = headerNameProblem(name);
      if (problem != null) {
        reader.error(header.keyNode(), headerPath, problem);
        continue;
      }
      String first = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
      if (first != null) {
        reader.error(header.keyNode(), headerPath,
            "duplicate header (header names ignore case; also set as " + first + ")");
        continue;
      }
      Secret value = secrets.value(header.value(), headerPath, Secret.sensitiveHeader(name));
      if (value != null && checkHeaderValue(value.value(), header.value(), headerPath)) {
        headers.put(name, value);
      }
    }
    return headers;
  }

  private boolean checkHeaderValue(String value, Node node, String path) {
    String problem = headerValueProblem(value);
    if (problem != null) {
      reader.error(node, path, problem);
    }
    return problem == null;
  }

  /** {@code bearer_token} or {@code bearer_token_file}: an {@code Authorization: Bearer} header. */
  void bearerToken(Map<String, Entry> keys, String path, Map<String, Secret> headers) {
    Entry token = keys.get("bearer_token");
    Entry tokenFile = keys.get("bearer_token_file");
    if (token == null && tokenFile == null) {
      return;
    }
    if (token != null && tokenFile != null) {
      reader.error(tokenFile.keyNode(), child(path, "bearer_token_file"),
          "bearer_token and bearer_token_file are mutually exclusive");
      return;
    }
    Entry used = token != null ? token : tokenFile;
    String usedPath = child(path, used.key());
    String value;
    if (token != null) {
      Secret secret = secrets.value(token.value(), usedPath, true);
      value = secret == null ? null : secret.value();
    } else {
      value = secrets.file(tokenFile, usedPath);
    }
    if (!validator.bearerTokenFits(headers, used, usedPath)) {
      return;
    }
    if (value != null && checkHeaderValue(value, used.value(), usedPath)) {
      headers.put("Authorization", new Secret("Bearer " + value, true));
    }
  }

  String origin(Node node, String path) {
    String origin = reader.nonEmptyString(node, path);
    String problem = origin == null ? null : originProblem(origin);
    if (problem != null) {
      reader.error(node, path, problem);
      return null;
    }
    return origin;
  }

  List<String> subprotocols(Entry entry, String path) {
    List<String> subprotocols = new ArrayList<>();
    if (entry == null) {
      return subprotocols;
    }
    List<Node> items = reader.list(entry.value(), path);
    for (int i = 0; items != null && i < items.size(); i++) {
      Node node = items.get(i);
      String name = reader.string(node, item(path, i));
      if (name == null) {
        continue;
      }
      String problem = subprotocolProblem(name, subprotocols);
      if (problem != null) {
        reader.error(node, item(path, i), problem);
      } else {
        subprotocols.add(name);
      }
    }
    return subprotocols;
  }
}
