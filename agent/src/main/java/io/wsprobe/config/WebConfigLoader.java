package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.NodeReader.Entry;
import io.wsprobe.config.WebConfig.ClientAuth;
import io.wsprobe.config.WebConfig.Tls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a {@code --web.config.file}: exporter-toolkit's keys, unknown ones refused, every
 * mistake reported as {@code file:line: key: message} like the main configuration's. Relative
 * files resolve against the web config file's directory, as in exporter-toolkit. Hashes are
 * checked for bcrypt's form here; the web port verifies passwords against them.
 */
public final class WebConfigLoader {

  static final List<String> TOP_KEYS = List.of("tls_server_config", "http_server_config", "basic_auth_users");
  static final List<String> TLS_KEYS = List.of("cert_file", "key_file", "client_auth_type", "client_ca_file",
      "min_version", "max_version", "cipher_suites", "prefer_server_cipher_suites");
  static final List<String> HTTP_KEYS = List.of("http2", "headers");
  /** exporter-toolkit's keys that wsprobe does not read: refused with a reason, not as typos. */
  static final Map<String, String> UNSUPPORTED = Map.of(
      "cert", "inline certificates are not supported; use cert_file",
      "key", "inline keys are not supported; use key_file",
      "client_ca", "inline CAs are not supported; use client_ca_file",
      "client_allowed_sans", "not supported by wsprobe",
      "curve_preferences", "not supported by wsprobe: the JDK's curves apply",
      "rate_limit", "not supported by wsprobe");
  /** The extra headers exporter-toolkit allows, with the values allowed (empty = any). */
  static final Map<String, List<String>> HEADERS = Map.of(
      "Strict-Transport-Security", List.of(),
      "X-Content-Type-Options", List.of("nosniff"),
      "X-Frame-Options", List.of("deny", "sameorigin"),
      "X-XSS-Protection", List.of(),
      "Content-Security-Policy", List.of());
  static final List<String> VERSIONS = List.of("TLS12", "TLS13");
  /**
   * Go's {@code tls.CipherSuites()} for TLS 1.2, whose names are the JDK's (IANA's); Go's
   * constants without {@code _SHA256} for ChaCha20 are accepted too. TLS 1.3's suites are not
   * configurable in Go and always on here.
   */
  static final List<String> CIPHER_SUITES = List.of(
      "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
      "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
  static final List<String> TLS13_SUITES =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
  /** {@code $2a$}, {@code $2b$}, {@code $2y$} (and {@code $2$}, {@code $2x$}), a cost, 53 characters. */
  private static final Pattern BCRYPT = Pattern.compile("\\$2[abxy]?\\$([0-9]{2})\\$[./A-Za-z0-9]{53}");

  private final String source;
  private final Path dir;
  private final NodeReader reader;

  private WebConfigLoader(String source, Path dir) {
    this.source = source;
    this.dir = dir;
    this.reader = new NodeReader(source);
  }

  /** Reads and checks the file; its size and encoding limits are the main configuration's. */
  public static WebConfig load(Path file) throws ConfigException {
    Path parent = file.toAbsolutePath().getParent();
    return parse(ConfigLoader.read(file), file.toString(), parent);
  }

  /** @param dir what relative files resolve against */
  public static WebConfig parse(String yaml, String source, Path dir) throws ConfigException {
    return new WebConfigLoader(source, dir == null ? Path.of("") : dir).run(yaml);
  }

  private WebConfig run(String yaml) throws ConfigException {
    Node root = YamlText.compose(yaml, source);
    Tls tls = null;
    Map<String, String> headers = Map.of();
    Map<String, String> users = Map.of();
    try {
      Map<String, Entry> top = keys(root, "", TOP_KEYS);
      if (top != null) {
        Entry t = top.get("tls_server_config");
        tls = t == null || NodeReader.isNull(t.value()) ? null : tls(t.value(), t.key());
        Entry h = top.get("http_server_config");
        headers = h == null ? Map.of() : http(h.value(), h.key());
        Entry u = top.get("basic_auth_users");
        users = u == null ? Map.of() : users(u.value(), u.key());
      }
    } catch (NodeReader.Stopped e) {
      // reported
    }
    if (!reader.errors().isEmpty()) {
      List<ConfigError> errors = new ArrayList<>(reader.errors());
      errors.sort(Comparator.comparingInt(ConfigError::line));
      throw new ConfigException(errors);
    }
    return new WebConfig(source, tls, headers, users);
  }

  /** The mapping's entries; unknown keys reported, exporter-toolkit's unsupported ones with why. */
  private Map<String, Entry> keys(Node node, String path, List<String> known) {
    Map<String, Entry> entries = reader.mapping(node, path, null);
    if (entries != null) {
      for (Entry e : entries.values()) {
        if (!known.contains(e.key())) {
          String why = UNSUPPORTED.get(e.key());
          reader.error(e.keyNode(), child(path, e.key()),
              why != null ? why : "unknown key (known: " + String.join(", ", known) + ")");
        }
      }
    }
    return entries;
  }

  private Tls tls(Node node, String path) {
    Map<String, Entry> keys = keys(node, path, TLS_KEYS);
    if (keys == null) {
      return null;
    }
    for (String required : List.of("cert_file", "key_file")) {
      if (!keys.containsKey(required)) {
        reader.error(node, child(path, required), "required when tls_server_config is set");
      }
    }
    String cert = file(keys.get("cert_file"), path);
    String key = file(keys.get("key_file"), path);
    ClientAuth auth = ClientAuth.NoClientCert;
    Entry a = keys.get("client_auth_type");
    if (a != null) {
      String name = reader.string(a.value(), child(path, a.key()));
      auth = Arrays.stream(ClientAuth.values()).filter(c -> c.name().equals(name)).findFirst().orElse(null);
      if (auth == null && name != null) {
        reader.error(a.value(), child(path, a.key()), "unknown client_auth_type \"" + name + "\" (known: "
            + String.join(", ", Arrays.stream(ClientAuth.values()).map(Enum::name).toList()) + ")");
      }
    }
    String ca = file(keys.get("client_ca_file"), path);
    if (auth != null && auth.verifies() && ca == null && keys.get("client_ca_file") == null) {
      reader.error(a.value(), child(path, "client_ca_file"), "required with client_auth_type " + auth);
    } else if (auth != null && !auth.verifies() && keys.get("client_ca_file") != null) {
      reader.error(keys.get("client_ca_file").keyNode(), child(path, "client_ca_file"),
          "only used with client_auth_type VerifyClientCertIfGiven or RequireAndVerifyClientCert");
    }
    int min = version(keys.get("min_version"), path, 0);
    int max = version(keys.get("max_version"), path, VERSIONS.size() - 1);
    if (min > max) {
      reader.error(keys.get("max_version").value(), child(path, "max_version"), "is below min_version");
    }
    Set<String> protocols = new LinkedHashSet<>();
    for (int v = min; v <= max; v++) {
      protocols.add(v == 0 ? "TLSv1.2" : "TLSv1.3");
    }
    List<String> suites = suites(keys.get("cipher_suites"), path);
    Entry prefer = keys.get("prefer_server_cipher_suites");
    if (prefer != null) {
      reader.bool(prefer.value(), child(path, prefer.key())); // the JDK's server order always applies
    }
    return cert == null || key == null || auth == null ? null
        : new Tls(cert, key, auth, ca, protocols, suites);
  }

  private int version(Entry entry, String path, int otherwise) {
    if (entry == null) {
      return otherwise;
    }
    String name = reader.string(entry.value(), child(path, entry.key()));
    if (name == null) {
      return otherwise;
    }
    int v = VERSIONS.indexOf(name);
    if (v < 0) {
      reader.error(entry.value(), child(path, entry.key()), (name.equals("TLS10") || name.equals("TLS11")
          ? name + " is not supported: the JDK disables TLS 1.0 and 1.1" : "unknown TLS version \"" + name + "\"")
          + " (known: " + String.join(", ", VERSIONS) + ")");
      return otherwise;
    }
    return v;
  }

  private List<String> suites(Entry entry, String path) {
    if (entry == null) {
      return List.of();
    }
    String at = child(path, entry.key());
    List<Node> items = reader.list(entry.value(), at);
    List<String> suites = new ArrayList<>();
    for (int i = 0; items != null && i < items.size(); i++) {
      String name = reader.string(items.get(i), NodeReader.item(at, i));
      String jdk = name != null && name.endsWith("_CHACHA20_POLY1305") ? name + "_SHA256" : name;
      if (CIPHER_SUITES.contains(jdk)) {
        suites.add(jdk);
      } else if (name != null && !TLS13_SUITES.contains(name)) {
        reader.error(items.get(i), NodeReader.item(at, i), "unknown or insecure cipher suite \"" + name
            + "\" (known: Go's tls.CipherSuites() for TLS 1.2, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
      }
    }
    return suites;
  }

  private Map<String, String> http(Node node, String path) {
    Map<String, Entry> keys = keys(node, path, HTTP_KEYS);
    if (keys == null) {
      return Map.of();
    }
    Entry http2 = keys.get("http2");
    if (http2 != null) {
      // accepted for files shared with other exporters; the web port serves HTTP/1.1 either way
      reader.bool(http2.value(), child(path, http2.key()));
    }
    Entry h = keys.get("headers");
    Map<String, String> headers = new LinkedHashMap<>();
    if (h == null) {
      return headers;
    }
    String at = child(path, h.key());
    Map<String, Entry> given = reader.mapping(h.value(), at, null);
    for (Entry e : given == null ? List.<Entry>of() : given.values()) {
      List<String> allowed = HEADERS.get(e.key());
      String value = reader.string(e.value(), child(at, e.key()));
      if (allowed == null) {
        reader.error(e.keyNode(), child(at, e.key()), "this header cannot be configured (known: "
            + String.join(", ", HEADERS.keySet().stream().sorted().toList()) + ")");
      } else if (value != null && !allowed.isEmpty() && !allowed.contains(value)) {
        reader.error(e.value(), child(at, e.key()), "expected one of " + String.join(", ", allowed)
            + ", got \"" + value + "\"");
      } else if (value != null && value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
        reader.error(e.value(), child(at, e.key()), "contains a control character");
      } else if (value != null && !value.isEmpty()) {
        headers.put(e.key(), value); // blank: unset, as in exporter-toolkit
      }
    }
    return headers;
  }

  private Map<String, String> users(Node node, String path) {
    Map<String, Entry> given = reader.mapping(node, path, null);
    Map<String, String> users = new LinkedHashMap<>();
    for (Entry e : given == null ? List.<Entry>of() : given.values()) {
      String at = child(path, e.key());
      String hash = reader.string(e.value(), at);
      if (e.key().contains(":")) {
        reader.error(e.keyNode(), at, "a user name cannot contain ':' (basic auth splits there)");
      } else if (hash != null) {
        // never the value in a message: a hash can be attacked offline
        var m = BCRYPT.matcher(hash);
        if (!m.matches()) {
          reader.error(e.value(), at, "not a bcrypt hash (expected $2y$<cost>$ and 53 characters, as htpasswd -nBC 10 makes)");
        } else if (Integer.parseInt(m.group(1)) < 4 || Integer.parseInt(m.group(1)) > 31) {
          reader.error(e.value(), at, "bcrypt cost must be 4-31, got " + m.group(1));
        } else {
          users.put(e.key(), hash);
        }
      }
    }
    return users;
  }

  private String file(Entry entry, String path) {
    return TlsReader.file(reader, dir, entry, path);
  }
}
