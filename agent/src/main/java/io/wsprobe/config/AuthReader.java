package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.Module.Auth;
import io.wsprobe.config.NodeReader.Entry;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/** A module's {@code auth:} block: a login flow run before the sessions open. */
final class AuthReader {

  static final List<String> KEYS =
      List.of("type", "base_url", "email", "password", "password_file", "insecure_http");
  /** The login flows {@code auth.type} knows. */
  static final List<String> TYPES = List.of("docmost");

  private final NodeReader reader;
  private final SecretResolver secrets;
  private final UrlReader urls;
  private final ConfigValidator validator;

  AuthReader(NodeReader reader, SecretResolver secrets, UrlReader urls, ConfigValidator validator) {
    this.reader = reader;
    this.secrets = secrets;
    this.urls = urls;
    this.validator = validator;
  }

  Auth read(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, KEYS);
    if (keys == null) {
      return null;
    }
    String type = null;
    Entry typeKey = keys.get("type");
    if (typeKey == null) {
      reader.error(node, child(path, "type"),
          "missing required key (known: " + String.join(", ", TYPES) + ")");
    } else {
      String typePath = child(path, "type");
      type = reader.nonEmptyString(typeKey.value(), typePath);
      if (type != null && !TYPES.contains(type)) {
        reader.error(typeKey.value(), typePath, "unknown login flow \"" + type + "\" (known: "
            + String.join(", ", TYPES) + ")");
        type = null;
      }
    }

    URI baseUrl = null;
    Entry baseUrlKey = keys.get("base_url");
    if (baseUrlKey == null) {
      reader.error(node, child(path, "base_url"), "missing required key");
    } else {
      baseUrl = urls.http(baseUrlKey.value(), child(path, "base_url"));
    }

    boolean insecureHttp = false;
    Entry insecureKey = keys.get("insecure_http");
    if (insecureKey != null) {
      Boolean value = reader.bool(insecureKey.value(), child(path, "insecure_http"));
      insecureHttp = value != null && value;
    }
    if (baseUrl != null && !validator.passwordStaysPrivate(baseUrl, insecureHttp, baseUrlKey, path)) {
      baseUrl = null;
    }

    String email = null;
    Entry emailKey = keys.get("email");
    if (emailKey == null) {
      reader.error(node, child(path, "email"), "missing required key");
    } else {
      email = reader.nonEmptyString(emailKey.value(), child(path, "email"));
    }

    Secret password = null;
    Entry passwordKey = keys.get("password");
    Entry passwordFile = keys.get("password_file");
    if (passwordKey != null && passwordFile != null) {
      reader.error(passwordFile.keyNode(), path,
          "set exactly one of password and password_file, not both");
    } else if (passwordKey != null || passwordFile != null) {
      password = secrets.valueOrFile(passwordKey, passwordFile, path);
    } else if (!NodeReader.hasUnknown(keys, KEYS)) {
      reader.error(node, path, "set exactly one of password and password_file");
    }

    return type == null || baseUrl == null || email == null || password == null ? null
        : new Auth(type, baseUrl, email, password, insecureHttp);
  }
}
