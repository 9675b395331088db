package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;
import static io.wsprobe.config.NodeReader.item;

import io.wsprobe.config.Module.App;
import io.wsprobe.config.Module.Hold;
import io.wsprobe.config.Module.IpProtocol;
import io.wsprobe.config.Module.Message;
import io.wsprobe.config.Module.Tls;
import io.wsprobe.config.NodeReader.Entry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The {@code modules:} section: each module's own keys here, its parts through the readers of
 * the upgrade request, TLS, messages and the application protocol.
 */
final class ModuleReader {

  static final List<String> KEYS = List.of("headers", "bearer_token", "bearer_token_file",
      "origin", "subprotocols", "tls", "preferred_ip_protocol", "ip_protocol_fallback",
      "max_message_size", "messages", "hold", "protocol", "broadcast", "socketio", "hocuspocus",
      "auth", "public_query_params", "proxy_url", "proxy_user", "proxy_password",
      "proxy_password_file", "http_version", "compression");
  static final List<String> HOLD_KEYS = List.of("duration", "ping_interval");
  static final long MAX_MESSAGE_BYTES = 256L * 1024 * 1024;

  private static final Pattern MODULE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");

  private final NodeReader reader;
  private final RequestReader request;
  private final TlsReader tls;
  private final MessageReader messages;
  private final AppReader app;
  private final ProxyReader proxy;
  private final ConfigValidator validator;

  ModuleReader(NodeReader reader, RequestReader request, TlsReader tls, MessageReader messages,
               AppReader app, ProxyReader proxy, ConfigValidator validator) {
    this.proxy = proxy;
    this.reader = reader;
    this.request = request;
    this.tls = tls;
    this.messages = messages;
    this.app = app;
    this.validator = validator;
  }

  /**
   * Adds the user's modules to {@code modules} (a user "default" replaces the built-in one).
   *
   * @return every module name defined, including those with mistakes, so that targets using them
   *         are not also reported as referencing an unknown module
   */
  Set<String> read(Entry section, Map<String, Module> modules) {
    Set<String> names = new LinkedHashSet<>(modules.keySet());
    if (section == null) {
      return names;
    }
    Map<String, Entry> keys = reader.mapping(section.value(), "modules", null);
    if (keys == null) {
      return names;
    }
    for (Entry entry : keys.values()) {
      String name = entry.key();
      String path = child("modules", name);
      if (!MODULE_NAME.matcher(name).matches()) {
        reader.error(entry.keyNode(), path, "invalid module name; it must match "
            + MODULE_NAME.pattern());
        continue;
      }
      names.add(name);
      // A module with mistakes is kept too, for the checks against its targets; the
      // configuration is rejected anyway.
      Module module = module(name, entry.value(), path);
      if (module != null) {
        modules.put(name, module);
      } else {
        modules.remove(name);
      }
    }
    return names;
  }

  /** One module, {@code name} at {@code path}; null when it is not a mapping (reported). */
  Module module(String name, Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, KEYS);
    if (keys == null) {
      return null;
    }
    Module defaults = Module.defaults();

    Map<String, Secret> headers = request.headers(keys.get("headers"), child(path, "headers"));
    request.bearerToken(keys, path, headers);

    String origin = null;
    Entry originKey = keys.get("origin");
    if (originKey != null) {
      origin = request.origin(originKey.value(), child(path, "origin"));
    }

    List<String> subprotocols = request.subprotocols(keys.get("subprotocols"),
        child(path, "subprotocols"));

    Tls tlsSettings = defaults.tls();
    Entry tlsKey = keys.get("tls");
    if (tlsKey != null) {
      tlsSettings = tls.read(tlsKey.value(), child(path, "tls"));
    }

    IpProtocol ipProtocol = defaults.ipProtocol();
    Entry ipKey = keys.get("preferred_ip_protocol");
    if (ipKey != null) {
      String ipPath = child(path, "preferred_ip_protocol");
      String value = reader.string(ipKey.value(), ipPath);
      if ("ip4".equals(value)) {
        ipProtocol = IpProtocol.IP4;
      } else if ("ip6".equals(value)) {
        ipProtocol = IpProtocol.IP6;
      } else if (value != null) {
        reader.error(ipKey.value(), ipPath, "must be ip4 or ip6, got \"" + value + "\"");
      }
    }

    boolean fallback = defaults.ipProtocolFallback();
    Entry fallbackKey = keys.get("ip_protocol_fallback");
    if (fallbackKey != null) {
      Boolean value = reader.bool(fallbackKey.value(), child(path, "ip_protocol_fallback"));
      fallback = value == null ? fallback : value;
    }

    long maxBytes = defaults.maxMessageBytes();
    Entry sizeKey = keys.get("max_message_size");
    if (sizeKey != null) {
      String sizePath = child(path, "max_message_size");
      Long value = reader.size(sizeKey.value(), sizePath);
      if (value != null && (value < 1 || value > MAX_MESSAGE_BYTES)) {
        reader.error(sizeKey.value(), sizePath, "must be between 1B and "
            + Sizes.format(MAX_MESSAGE_BYTES) + ", got " + Sizes.format(value));
      } else if (value != null) {
        maxBytes = value;
      }
    }

    List<Message> exchanges = new ArrayList<>();
    Entry messagesKey = keys.get("messages");
    if (messagesKey != null) {
      String messagesPath = child(path, "messages");
      List<Node> items = reader.list(messagesKey.value(), messagesPath);
      if (items != null) {
        exchanges.addAll(messages.readAll(items, messagesPath));
      }
    }

    Hold hold = null;
    Entry holdKey = keys.get("hold");
    if (holdKey != null) {
      hold = hold(holdKey.value(), child(path, "hold"));
    }

    App application = app.read(keys, path, headers);

    return new Module(name, Collections.unmodifiableMap(headers), origin,
        List.copyOf(subprotocols), tlsSettings, ipProtocol, fallback, maxBytes,
        List.copyOf(exchanges), hold, application,
        publicQueryParams(keys.get("public_query_params"), child(path, "public_query_params")),
        proxy.read(node, keys, path), wire(keys, path));
  }

  /** {@code http_version} ("1.1" or "2") and {@code compression} (off, offer, require). */
  private Module.Wire wire(Map<String, Entry> keys, String path) {
    Module.Wire defaults = Module.Wire.DEFAULT;
    Module.HttpVersion version = defaults.httpVersion();
    Entry versionKey = keys.get("http_version");
    if (versionKey != null) {
      String versionPath = child(path, "http_version");
      // YAML reads an unquoted 2 or 1.1 as a number: both spellings mean the same here
      String value = reader.string(versionKey.value(), versionPath);
      if (value != null) {
        version = switch (value) {
          case "1.1" -> Module.HttpVersion.HTTP_1_1;
          case "2", "2.0" -> Module.HttpVersion.HTTP_2;
          default -> {
            reader.error(versionKey.value(), versionPath, "must be \"1.1\" or \"2\", got \"" + value + "\"");
            yield version;
          }
        };
      }
    }
    Module.Compression compression = defaults.compression();
    Entry compressionKey = keys.get("compression");
    if (compressionKey != null) {
      String compressionPath = child(path, "compression");
      String value = reader.string(compressionKey.value(), compressionPath);
      if (value != null) {
        compression = switch (value) {
          case "off" -> Module.Compression.OFF;
          case "offer" -> Module.Compression.OFFER;
          case "require" -> Module.Compression.REQUIRE;
          default -> {
            reader.error(compressionKey.value(), compressionPath,
                "must be off, offer or require, got \"" + value + "\"");
            yield compression;
          }
        };
      }
    }
    return new Module.Wire(version, compression);
  }

  /** Query parameters whose values may be shown; one named like a credential never is. */
  private Set<String> publicQueryParams(Entry entry, String path) {
    Set<String> names = new LinkedHashSet<>();
    List<Node> items = entry == null ? null : reader.list(entry.value(), path);
    for (int i = 0; items != null && i < items.size(); i++) {
      String name = reader.nonEmptyString(items.get(i), item(path, i));
      if (name != null && Secret.credentialParam(name)) {
        reader.error(items.get(i), item(path, i), "\"" + name + "\" is named like a credential; its value stays hidden");
      } else if (name != null) {
        names.add(name);
      }
    }
    return Collections.unmodifiableSet(names);
  }

  private Hold hold(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, HOLD_KEYS);
    if (keys == null) {
      return null;
    }
    Duration duration = null;
    Entry durationKey = keys.get("duration");
    if (durationKey == null) {
      reader.error(node, child(path, "duration"), "missing required key");
    } else {
      duration = reader.duration(durationKey.value(), child(path, "duration"));
    }
    Duration pingInterval = null;
    Entry pingKey = keys.get("ping_interval");
    if (pingKey != null) {
      pingInterval = reader.duration(pingKey.value(), child(path, "ping_interval"));
      validator.pingBelowHold(pingKey, pingInterval, duration, path);
    }
    return new Hold(duration, pingInterval);
  }
}
