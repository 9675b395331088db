package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;
import static io.wsprobe.config.NodeReader.item;

import io.wsprobe.config.Module.App;
import io.wsprobe.config.Module.Auth;
import io.wsprobe.config.Module.Broadcast;
import io.wsprobe.config.Module.Expect;
import io.wsprobe.config.Module.Hocuspocus;
import io.wsprobe.config.Module.Hold;
import io.wsprobe.config.Module.IpProtocol;
import io.wsprobe.config.Module.Message;
import io.wsprobe.config.Module.Protocol;
import io.wsprobe.config.Module.SocketIo;
import io.wsprobe.config.Module.Tls;
import io.wsprobe.config.NodeReader.Entry;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads and validates a wsprobe YAML configuration (see CONFIGURATION.md).
 *
 * <p>Validation happens while parsing: defaults first, then every key is read with its type,
 * unknown keys are rejected, and cross-field rules (timeout below interval, hold and broadcast
 * timeout below timeout, known modules, settings that fit the module's protocol) are checked. Every mistake is collected with its line and YAML path; the result
 * is either a complete {@link Config} or a {@link ConfigException} listing all of them. No error
 * message ever contains a secret value.
 */
public final class ConfigLoader {

  static final List<String> TOP_KEYS = List.of("global", "modules", "targets");
  static final List<String> GLOBAL_KEYS =
      List.of("interval", "timeout", "labels", "max_concurrent_probes", "buckets");
  static final List<String> BUCKET_KEYS =
      List.of("probe_duration", "phase_duration", "message_rtt", "scheduler_lag", "broadcast_delay");
  static final List<String> MODULE_KEYS = List.of("headers", "bearer_token", "bearer_token_file",
      "origin", "subprotocols", "tls", "preferred_ip_protocol", "ip_protocol_fallback",
      "max_message_size", "messages", "hold", "protocol", "broadcast", "socketio", "hocuspocus",
      "auth", "public_query_params");
  static final List<String> TLS_KEYS =
      List.of("ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify");
  static final List<String> MESSAGE_KEYS = List.of("send", "send_base64", "expect", "count");
  static final List<String> EXPECT_KEYS = List.of("echo", "contains", "regex", "json");
  static final List<String> JSON_KEYS = List.of("path", "equals");
  static final List<String> HOLD_KEYS = List.of("duration", "ping_interval");
  static final List<String> BROADCAST_KEYS = List.of("receivers", "timeout", "settle");
  static final List<String> SOCKETIO_KEYS = List.of("namespace", "join", "marker", "auth");
  static final List<String> JOIN_KEYS = List.of("event", "args", "ack");
  static final List<String> MARKER_KEYS = List.of("event", "data");
  static final List<String> HOCUSPOCUS_KEYS = List.of("document", "token", "token_file");
  static final List<String> AUTH_KEYS =
      List.of("type", "base_url", "email", "password", "password_file", "insecure_http");
  static final List<String> TARGET_KEYS =
      List.of("name", "url", "module", "labels", "interval", "timeout");

  /** Label names wsprobe or Prometheus set themselves. */
  static final List<String> RESERVED_LABELS = List.of("target", "module", "result", "phase", "url",
      "le", "version", "revision", "instance", "job");

  static final long MAX_MESSAGE_BYTES = 256L * 1024 * 1024;
  static final int MAX_MESSAGE_COUNT = 1000;
  static final int MAX_BROADCAST_RECEIVERS = 50;
  static final String DEFAULT_MARKER_EVENT = "wsprobe-marker";
  /** The login flows {@code auth.type} knows. */
  static final List<String> AUTH_TYPES = List.of("docmost");

  private static final Pattern MODULE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  /** RFC 9110 token: header names and subprotocol names. */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

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

  private final String source;
  private final Path baseDir;
  private final NodeReader reader;
  private final SecretResolver secrets;
  private final JsonValues json;

  private ConfigLoader(String source, Path baseDir, Function<String, String> env) {
    this.source = source;
    this.baseDir = baseDir == null ? Path.of("") : baseDir;
    this.reader = new NodeReader(source);
    this.secrets = new SecretResolver(reader, this.baseDir, env);
    this.json = new JsonValues(reader);
  }

  /**
   * Loads a configuration file. Relative paths in it resolve against the file's directory and
   * {@code ${env:NAME}} reads the process environment.
   */
  public static Config load(Path file) throws ConfigException {
    String text = read(file);
    Path baseDir = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), baseDir, System::getenv);
  }

  /**
   * The file as UTF-8 text, at most {@link YamlText#MAX_BYTES}: the size is checked first, and
   * no more than one byte over the limit is read, so a growing file or a device cannot get around
   * it.
   */
  private static String read(Path file) throws ConfigException {
    String source = file.toString();
    byte[] bytes;
    try {
      long size = Files.isRegularFile(file) ? Files.size(file) : 0;
      if (size > YamlText.MAX_BYTES) {
        throw tooLarge(source, size);
      }
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(YamlText.MAX_BYTES + 1);
      }
    } catch (IOException e) {
      throw new ConfigException(List.of(
          new ConfigError(source, 0, "", "cannot read file: " + SecretResolver.reason(file, e))));
    }
    if (bytes.length > YamlText.MAX_BYTES) {
      throw tooLarge(source, -1);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(in, out, true);
    if (result.isError()) {
      int at = in.position();
      int line = 1;
      for (int i = 0; i < at; i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new ConfigException(List.of(new ConfigError(source, line, "",
          String.format(Locale.ROOT, "not valid UTF-8 text (byte 0x%02X)", bytes[at] & 0xff))));
    }
    return out.flip().toString();
  }

  private static ConfigException tooLarge(String source, long size) {
    String limit = Sizes.format(YamlText.MAX_BYTES);
    String shown = String.format(Locale.ROOT, "%.1fMiB", size / (1024.0 * 1024));
    if (shown.equals(String.format(Locale.ROOT, "%.1fMiB", YamlText.MAX_BYTES / (1024.0 * 1024)))) {
      shown = size + " bytes"; // just over the limit: "4.0MiB" would read as within it
    }
    return new ConfigException(List.of(new ConfigError(source, 0, "", size < 0
        ? "file is more than the " + limit + " limit"
        : "file is " + shown + ", more than the " + limit + " limit")));
  }

  /**
   * Parses and validates configuration text.
   *
   * @param yaml       the YAML text; empty text is a valid configuration without targets
   * @param sourceName how errors and {@link Config#source()} name it, usually the file name
   * @param baseDir    directory that relative file paths resolve against; null = working dir
   * @param env        environment lookup for {@code ${env:NAME}}; returns null when unset
   */
  public static Config parse(String yaml, String sourceName, Path baseDir,
                             Function<String, String> env) throws ConfigException {
    return new ConfigLoader(sourceName, baseDir, env).run(yaml);
  }

  private Config run(String yaml) throws ConfigException {
    if (yaml.length() > YamlText.MAX_BYTES) {
      throw tooLarge(source, yaml.length());
    }
    Node root = YamlText.compose(yaml, source);

    Global global;
    Map<String, Module> modules = new LinkedHashMap<>();
    List<Target> targets;
    try {
      Map<String, Entry> top = reader.mapping(root, "", TOP_KEYS);
      if (top == null) {
        throw failure();
      }
      global = global(top.get("global"));
      modules.put(Module.DEFAULT_NAME, Module.defaults());
      Set<String> moduleNames = modules(top.get("modules"), modules);
      targets = targets(top.get("targets"), global, modules, moduleNames);
    } catch (NodeReader.Stopped e) {
      throw failure();
    }

    if (!reader.errors().isEmpty()) {
      throw failure();
    }
    return new Config(source, global, Collections.unmodifiableMap(modules), List.copyOf(targets));
  }

  private ConfigException failure() {
    List<ConfigError> errors = new ArrayList<>(reader.errors());
    errors.sort(Comparator.comparingInt(ConfigError::line)); // stable: same-line order kept
    return new ConfigException(errors);
  }

  // ---------------------------------------------------------------------------------- global

  /** The global section; invalid durations come back null so later checks skip them. */
  private Global global(Entry section) {
    Global defaults = Global.defaults();
    if (section == null) {
      return defaults;
    }
    String path = "global";
    Map<String, Entry> keys = reader.mapping(section.value(), path, GLOBAL_KEYS);
    if (keys == null) {
      return defaults;
    }
    Entry intervalKey = keys.get("interval");
    Entry timeoutKey = keys.get("timeout");
    Duration interval = intervalKey == null ? defaults.interval()
        : reader.duration(intervalKey.value(), child(path, "interval"));
    Duration timeout = timeoutKey == null ? defaults.timeout()
        : reader.duration(timeoutKey.value(), child(path, "timeout"));
    if (interval != null && timeout != null && timeout.compareTo(interval) >= 0) {
      Node at = timeoutKey != null ? timeoutKey.value() : intervalKey.value();
      reader.error(at, child(path, "timeout"), Durations.format(timeout)
          + (timeoutKey == null ? " (the default)" : "") + " must be below the interval "
          + Durations.format(interval));
    }

    Map<String, String> labels = Map.of();
    if (keys.containsKey("labels")) {
      labels = labels(keys.get("labels").value(), child(path, "labels"));
    }

    int maxConcurrent = defaults.maxConcurrentProbes();
    Entry maxKey = keys.get("max_concurrent_probes");
    if (maxKey != null) {
      String maxPath = child(path, "max_concurrent_probes");
      Long value = reader.integer(maxKey.value(), maxPath);
      if (value != null && value < 1) {
        reader.error(maxKey.value(), maxPath, "must be at least 1, got " + value);
      } else if (value != null && value > Integer.MAX_VALUE) {
        reader.error(maxKey.value(), maxPath, "must be at most " + Integer.MAX_VALUE);
      } else if (value != null) {
        maxConcurrent = value.intValue();
      }
    }

    Buckets buckets = defaults.buckets();
    if (keys.containsKey("buckets")) {
      buckets = buckets(keys.get("buckets").value(), child(path, "buckets"), buckets);
    }
    return new Global(interval, timeout, labels, maxConcurrent, buckets);
  }

  private Buckets buckets(Node node, String path, Buckets defaults) {
    Map<String, Entry> keys = reader.mapping(node, path, BUCKET_KEYS);
    if (keys == null) {
      return defaults;
    }
    return new Buckets(
        bounds(keys.get("probe_duration"), child(path, "probe_duration"), defaults.probeDuration()),
        bounds(keys.get("phase_duration"), child(path, "phase_duration"), defaults.phaseDuration()),
        bounds(keys.get("message_rtt"), child(path, "message_rtt"), defaults.messageRtt()),
        bounds(keys.get("scheduler_lag"), child(path, "scheduler_lag"), defaults.schedulerLag()),
        bounds(keys.get("broadcast_delay"), child(path, "broadcast_delay"), defaults.broadcastDelay()));
  }

  private List<Double> bounds(Entry entry, String path, List<Double> defaults) {
    if (entry == null) {
      return defaults;
    }
    List<Node> items = reader.list(entry.value(), path);
    if (items == null) {
      return defaults;
    }
    if (items.isEmpty() || items.size() > Buckets.MAX_BUCKETS) {
      reader.error(entry.value(), path, "must list 1 to " + Buckets.MAX_BUCKETS
          + " bucket bounds, got " + items.size());
      return defaults;
    }
    List<Double> bounds = new ArrayList<>();
    Double previous = null;
    for (int i = 0; i < items.size(); i++) {
      Node node = items.get(i);
      Double bound = reader.number(node, item(path, i));
      if (bound == null) {
        continue;
      }
      if (bound <= 0) {
        reader.error(node, item(path, i), "must be greater than 0, got " + number(bound));
      } else if (previous != null && bound <= previous) {
        reader.error(node, item(path, i), "bounds must be strictly increasing, but "
            + number(bound) + " follows " + number(previous));
      }
      bounds.add(bound);
      previous = bound;
    }
    return List.copyOf(bounds);
  }

  private static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  /** Label names checked, values as written; insertion-ordered and unmodifiable. */
  private Map<String, String> labels(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, null);
    if (keys == null) {
      return Map.of();
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (Entry entry : keys.values()) {
      String name = entry.key();
      String labelPath = child(path, name);
      if (!LABEL_NAME.matcher(name).matches()) {
        reader.error(entry.keyNode(), labelPath, "invalid label name; it must match "
            + LABEL_NAME.pattern());
      } else if (name.startsWith("__")) {
        reader.error(entry.keyNode(), labelPath,
            "label names starting with __ are reserved for Prometheus");
      } else if (RESERVED_LABELS.contains(name)) {
        reader.error(entry.keyNode(), labelPath, "reserved label name (reserved: "
            + String.join(", ", RESERVED_LABELS) + ")");
      }
      String value = reader.string(entry.value(), labelPath);
      String unsafe = value == null ? null : unsafeCharacter(value);
      if (unsafe != null) {
        reader.error(entry.value(), labelPath, "contains " + unsafe);
      } else if (value != null) {
        labels.put(name, value);
      }
    }
    return Collections.unmodifiableMap(labels);
  }

  // --------------------------------------------------------------------------------- modules

  /**
   * Adds the user's modules to {@code modules} (a user "default" replaces the built-in one).
   *
   * @return every module name defined, including those with mistakes, so that targets using them
   *         are not also reported as referencing an unknown module
   */
  private Set<String> modules(Entry section, Map<String, Module> modules) {
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

  private Module module(String name, Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, MODULE_KEYS);
    if (keys == null) {
      return null;
    }
    Module defaults = Module.defaults();

    Map<String, Secret> headers = headers(keys.get("headers"), child(path, "headers"));
    bearerToken(keys, path, headers);

    String origin = null;
    Entry originKey = keys.get("origin");
    if (originKey != null) {
      origin = origin(originKey.value(), child(path, "origin"));
    }

    List<String> subprotocols = subprotocols(keys.get("subprotocols"), child(path, "subprotocols"));

    Tls tls = defaults.tls();
    Entry tlsKey = keys.get("tls");
    if (tlsKey != null) {
      tls = tls(tlsKey.value(), child(path, "tls"));
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

    List<Message> messages = new ArrayList<>();
    Entry messagesKey = keys.get("messages");
    if (messagesKey != null) {
      String messagesPath = child(path, "messages");
      List<Node> items = reader.list(messagesKey.value(), messagesPath);
      for (int i = 0; items != null && i < items.size(); i++) {
        Message message = message(items.get(i), item(messagesPath, i));
        if (message != null) {
          messages.add(message);
        }
      }
    }

    Hold hold = null;
    Entry holdKey = keys.get("hold");
    if (holdKey != null) {
      hold = hold(holdKey.value(), child(path, "hold"));
    }

    App app = app(keys, path, headers);

    return new Module(name, Collections.unmodifiableMap(headers), origin,
        List.copyOf(subprotocols), tls, ipProtocol, fallback, maxBytes, List.copyOf(messages), hold,
        app, publicQueryParams(keys.get("public_query_params"), child(path, "public_query_params")));
  }

  /** Query parameters whose values may be shown; one named like a credential never is. */
  private Set<String> publicQueryParams(Entry entry, String path) {
    Set<String> names = new java.util.LinkedHashSet<>();
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

  private Map<String, Secret> headers(Entry entry, String path) {
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
      String lower = name.toLowerCase(Locale.ROOT);
      if (!TOKEN.matcher(name).matches()) {
        reader.error(header.keyNode(), headerPath, "invalid header name");
        continue;
      }
      if (HANDSHAKE_HEADERS.containsKey(lower)) {
        reader.error(header.keyNode(), headerPath,
            "cannot be set as a header: " + HANDSHAKE_HEADERS.get(lower));
        continue;
      }
      String first = seen.putIfAbsent(lower, name);
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

  /** A header value must not break the request: no CR, LF or other control characters. */
  private boolean checkHeaderValue(String value, Node node, String path) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        reader.error(node, path,
            "the value contains a control character (such as a line break), not allowed in a header");
        return false;
      }
    }
    return true;
  }

  /** {@code bearer_token} or {@code bearer_token_file}: an {@code Authorization: Bearer} header. */
  private void bearerToken(Map<String, Entry> keys, String path, Map<String, Secret> headers) {
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
    boolean hasAuthorization = headers.keySet().stream()
        .anyMatch(name -> name.equalsIgnoreCase("Authorization"));
    if (hasAuthorization) {
      reader.error(used.keyNode(), usedPath,
          "conflicts with the Authorization header set in headers; keep one of them");
      return;
    }
    if (value != null && checkHeaderValue(value, used.value(), usedPath)) {
      headers.put("Authorization", new Secret("Bearer " + value, true));
    }
  }

  /** {@code scheme://host[:port]}, as a browser sends it; or {@code null}, also valid there. */
  private String origin(Node node, String path) {
    String origin = reader.nonEmptyString(node, path);
    if (origin == null || origin.equals("null")) {
      return origin;
    }
    try {
      URI uri = new URI(origin);
      if (uri.getScheme() != null && uri.getHost() != null && uri.getRawPath().isEmpty()
          && uri.getRawQuery() == null && uri.getRawFragment() == null
          && uri.getRawUserInfo() == null) {
        return origin;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    reader.error(node, path, "must be scheme://host[:port], such as https://app.example.com");
    return null;
  }

  private List<String> subprotocols(Entry entry, String path) {
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
      if (!TOKEN.matcher(name).matches()) {
        reader.error(node, item(path, i), "invalid subprotocol name \"" + name + "\"");
      } else if (subprotocols.contains(name)) {
        reader.error(node, item(path, i), "duplicate subprotocol \"" + name + "\"");
      } else {
        subprotocols.add(name);
      }
    }
    return subprotocols;
  }

  private Tls tls(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, TLS_KEYS);
    if (keys == null) {
      return Tls.defaults();
    }
    String caFile = tlsFile(keys.get("ca_file"), path);
    String certFile = tlsFile(keys.get("cert_file"), path);
    String keyFile = tlsFile(keys.get("key_file"), path);
    Entry cert = keys.get("cert_file");
    Entry key = keys.get("key_file");
    if (cert != null && key == null) {
      reader.error(cert.keyNode(), child(path, "key_file"), "required when cert_file is set");
    } else if (key != null && cert == null) {
      reader.error(key.keyNode(), child(path, "cert_file"), "required when key_file is set");
    }
    String serverName = null;
    Entry serverNameKey = keys.get("server_name");
    if (serverNameKey != null) {
      serverName = reader.nonEmptyString(serverNameKey.value(), child(path, "server_name"));
    }
    boolean insecure = false;
    Entry insecureKey = keys.get("insecure_skip_verify");
    if (insecureKey != null) {
      Boolean value = reader.bool(insecureKey.value(), child(path, "insecure_skip_verify"));
      insecure = value != null && value;
    }
    return new Tls(caFile, certFile, keyFile, serverName, insecure);
  }

  /** A TLS file that exists and is readable; its path resolved against the base directory. */
  private String tlsFile(Entry entry, String tlsPath) {
    if (entry == null) {
      return null;
    }
    String path = child(tlsPath, entry.key());
    String file = reader.nonEmptyString(entry.value(), path);
    if (file == null) {
      return null;
    }
    Path resolved = baseDir.resolve(file);
    String problem = !Files.exists(resolved) ? "no such file"
        : Files.isDirectory(resolved) ? "is a directory"
        : !Files.isReadable(resolved) ? "permission denied" : null;
    if (problem != null) {
      reader.error(entry.value(), path, "cannot read file " + file + ": " + problem);
      return null;
    }
    return resolved.toString();
  }

  private Message message(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, MESSAGE_KEYS);
    if (keys == null) {
      return null;
    }
    Entry text = keys.get("send");
    Entry binary = keys.get("send_base64");
    String payload = null;
    if (text != null && binary != null) {
      reader.error(binary.keyNode(), path, "set exactly one of send and send_base64, not both");
    } else if (text != null) {
      payload = reader.string(text.value(), child(path, "send"));
    } else if (binary != null) {
      String binaryPath = child(path, "send_base64");
      payload = reader.string(binary.value(), binaryPath);
      if (payload != null) {
        try {
          Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
          reader.error(binary.value(), binaryPath, "not valid base64");
          payload = null;
        }
      }
    } else if (!NodeReader.hasUnknown(keys, MESSAGE_KEYS)) {
      reader.error(node, path, "set exactly one of send and send_base64");
    }

    Expect expect = new Expect(Expect.Kind.ANY, null, null);
    Entry expectKey = keys.get("expect");
    if (expectKey != null) {
      expect = expect(expectKey.value(), child(path, "expect"));
    }

    int count = 1;
    Entry countKey = keys.get("count");
    if (countKey != null) {
      String countPath = child(path, "count");
      Long value = reader.integer(countKey.value(), countPath);
      if (value != null && (value < 1 || value > MAX_MESSAGE_COUNT)) {
        reader.error(countKey.value(), countPath,
            "must be between 1 and " + MAX_MESSAGE_COUNT + ", got " + value);
      } else if (value != null) {
        count = value.intValue();
      }
    }
    return payload == null || expect == null ? null
        : new Message(payload, binary != null, expect, count);
  }

  private Expect expect(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, EXPECT_KEYS);
    if (keys == null) {
      return null;
    }
    List<Entry> kinds = keys.values().stream().filter(e -> EXPECT_KEYS.contains(e.key())).toList();
    if (kinds.size() != 1) {
      if (kinds.size() > 1) {
        reader.error(kinds.get(1).keyNode(), path,
            "set exactly one of echo, contains, regex and json, not several");
      } else if (!NodeReader.hasUnknown(keys, EXPECT_KEYS)) {
        reader.error(node, path, "set exactly one of echo, contains, regex and json "
            + "(leave expect out to accept any answer)");
      }
      return null;
    }
    Entry kind = kinds.get(0);
    String kindPath = child(path, kind.key());
    switch (kind.key()) {
      case "echo" -> {
        Boolean echo = reader.bool(kind.value(), kindPath);
        if (Boolean.FALSE.equals(echo)) {
          reader.error(kind.value(), kindPath,
              "only echo: true is meaningful (leave expect out to accept any answer)");
        }
        return Boolean.TRUE.equals(echo) ? Expect.echo() : null;
      }
      case "contains" -> {
        String text = reader.nonEmptyString(kind.value(), kindPath);
        return text == null ? null : new Expect(Expect.Kind.CONTAINS, text, null);
      }
      case "regex" -> {
        String regex = reader.nonEmptyString(kind.value(), kindPath);
        if (regex == null) {
          return null;
        }
        try {
          Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
          reader.error(kind.value(), kindPath, "invalid regex: " + e.getDescription()
              + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
          return null;
        }
        return new Expect(Expect.Kind.REGEX, regex, null);
      }
      default -> {
        return jsonExpect(kind.value(), kindPath);
      }
    }
  }

  private Expect jsonExpect(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, JSON_KEYS);
    if (keys == null) {
      return null;
    }
    String jsonPath = null;
    String equals = null;
    Entry pathKey = keys.get("path");
    Entry equalsKey = keys.get("equals");
    if (pathKey == null) {
      reader.error(node, child(path, "path"), "missing required key");
    } else {
      jsonPath = reader.nonEmptyString(pathKey.value(), child(path, "path"));
      if (jsonPath != null && List.of(jsonPath.split("\\.", -1)).contains("")) {
        reader.error(pathKey.value(), child(path, "path"),
            "must be field names separated by dots, such as data.status");
        jsonPath = null;
      }
    }
    if (equalsKey == null) {
      reader.error(node, child(path, "equals"), "missing required key");
    } else {
      equals = reader.string(equalsKey.value(), child(path, "equals"));
    }
    return jsonPath == null || equals == null ? null
        : new Expect(Expect.Kind.JSON, equals, jsonPath);
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
      if (pingInterval != null && duration != null && pingInterval.compareTo(duration) >= 0) {
        reader.error(pingKey.value(), child(path, "ping_interval"), Durations.format(pingInterval)
            + " must be below the hold duration " + Durations.format(duration));
      }
    }
    return new Hold(duration, pingInterval);
  }

  // ------------------------------------------------------------------- application protocol

  /**
   * The application layer of a module: {@code protocol} and the blocks that go with it. A block
   * that does not fit the protocol is reported and still read, so that the mistakes inside it are
   * found in the same pass.
   */
  private App app(Map<String, Entry> keys, String path, Map<String, Secret> headers) {
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

    Auth auth = null;
    Entry authKey = keys.get("auth");
    if (authKey != null) {
      String authPath = child(path, "auth");
      if (protocol != null && protocol != Protocol.SOCKETIO && protocol != Protocol.HOCUSPOCUS) {
        reader.error(authKey.keyNode(), authPath, "needs protocol: socketio (for the cookie) or "
            + "hocuspocus (for the collab token); this module's protocol is " + protocolShown);
      }
      boolean hasCookie = headers.keySet().stream().anyMatch(name -> name.equalsIgnoreCase("Cookie"));
      if (protocol == Protocol.SOCKETIO && hasCookie) {
        reader.error(authKey.keyNode(), authPath,
            "conflicts with the Cookie header set in headers (auth sets the cookie); keep one of them");
      }
      auth = auth(authKey.value(), authPath);
    }

    SocketIo socketio = null;
    Entry socketioKey = keys.get("socketio");
    if (socketioKey != null) {
      String socketioPath = child(path, "socketio");
      if (protocol != null && protocol != Protocol.SOCKETIO) {
        reader.error(socketioKey.keyNode(), socketioPath,
            "needs protocol: socketio; this module's protocol is " + protocolShown);
      }
      socketio = socketio(socketioKey.value(), socketioPath);
    } else if (protocol == Protocol.SOCKETIO) {
      socketio = new SocketIo("/", null, defaultMarker(), null);
    }

    Hocuspocus hocuspocus = null;
    Entry hocuspocusKey = keys.get("hocuspocus");
    boolean required = protocol == Protocol.HOCUSPOCUS;
    if (hocuspocusKey != null) {
      String hocuspocusPath = child(path, "hocuspocus");
      if (protocol != null && !required) {
        reader.error(hocuspocusKey.keyNode(), hocuspocusPath,
            "needs protocol: hocuspocus; this module's protocol is " + protocolShown);
      }
      hocuspocus = hocuspocus(hocuspocusKey.value(), hocuspocusPath, required, authKey != null);
    } else if (required) {
      reader.error(protocolKey.value(), child(path, "hocuspocus"),
          "missing required key: protocol hocuspocus needs hocuspocus.document"
              + (authKey == null ? " and a token (hocuspocus.token, hocuspocus.token_file or auth)"
                  : ""));
    }

    Protocol used = protocol == null ? Protocol.RAW : protocol;
    return new App(used, broadcast, used == Protocol.SOCKETIO ? socketio : null,
        used == Protocol.HOCUSPOCUS ? hocuspocus : null, auth);
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

  private static SocketIo.Event defaultMarker() {
    return new SocketIo.Event(DEFAULT_MARKER_EVENT, "{}");
  }

  private SocketIo socketio(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, SOCKETIO_KEYS);
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
    if (hasAuth) {
      for (Entry entry : new Entry[] {token, tokenFile}) {
        if (entry != null) {
          reader.error(entry.keyNode(), child(path, entry.key()),
              "not allowed with auth: the token comes from auth");
        }
      }
    } else if (token != null && tokenFile != null) {
      reader.error(tokenFile.keyNode(), child(path, "token_file"),
          "token and token_file are mutually exclusive");
    } else if (token != null || tokenFile != null) {
      secret = secrets.valueOrFile(token, tokenFile, path);
    } else if (required) {
      reader.error(node, child(path, "token"),
          "missing required key: set token or token_file, or log in with the module's auth");
    }
    return new Hocuspocus(document, secret);
  }

  /** {@code auth:} a login flow run before the sessions open. */
  private Auth auth(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, AUTH_KEYS);
    if (keys == null) {
      return null;
    }
    String type = null;
    Entry typeKey = keys.get("type");
    if (typeKey == null) {
      reader.error(node, child(path, "type"),
          "missing required key (known: " + String.join(", ", AUTH_TYPES) + ")");
    } else {
      String typePath = child(path, "type");
      type = reader.nonEmptyString(typeKey.value(), typePath);
      if (type != null && !AUTH_TYPES.contains(type)) {
        reader.error(typeKey.value(), typePath, "unknown login flow \"" + type + "\" (known: "
            + String.join(", ", AUTH_TYPES) + ")");
        type = null;
      }
    }

    URI baseUrl = null;
    Entry baseUrlKey = keys.get("base_url");
    if (baseUrlKey == null) {
      reader.error(node, child(path, "base_url"), "missing required key");
    } else {
      baseUrl = httpUrl(baseUrlKey.value(), child(path, "base_url"));
    }

    boolean insecureHttp = false;
    Entry insecureKey = keys.get("insecure_http");
    if (insecureKey != null) {
      Boolean value = reader.bool(insecureKey.value(), child(path, "insecure_http"));
      insecureHttp = value != null && value;
    }
    if (baseUrl != null && !insecureHttp && baseUrl.getScheme().equalsIgnoreCase("http")
        && !isLoopback(baseUrl.getHost())) {
      reader.error(baseUrlKey.value(), child(path, "base_url"), "sends the password over plain "
          + "http to a non-loopback host; use https, or set insecure_http: true");
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
    } else if (!NodeReader.hasUnknown(keys, AUTH_KEYS)) {
      reader.error(node, path, "set exactly one of password and password_file");
    }

    return type == null || baseUrl == null || email == null || password == null ? null
        : new Auth(type, baseUrl, email, password, insecureHttp);
  }

  /**
   * Whether a URL's host is this machine by its text alone: {@code localhost}, 127.0.0.0/8 or
   * ::1. No name is looked up, so a name that resolves to 127.0.0.1 does not count.
   */
  static boolean isLoopback(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.equals("localhost") || name.equals("localhost.")) {
      return true;
    }
    boolean literal = name.startsWith("[") && name.endsWith("]")
        || IPV4.matcher(name).matches();
    if (!literal) {
      return false;
    }
    try {
      // a literal address: parsed, never resolved
      return InetAddress.getByName(name.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The first character of a name or label value that a terminal, a dashboard or a log would
   * show wrongly or not at all: C0 and C1 controls, DEL, and the bidirectional formatting
   * characters (which can make {@code prod} read as {@code dorp}). Null when there is none.
   */
  static String unsafeCharacter(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
        return YamlText.codePoint(c) + " (a control character)";
      }
      if (c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 || c == 0x200e || c == 0x200f
          || c == 0x061c) {
        return YamlText.codePoint(c) + " (a bidirectional control character)";
      }
      i += Character.charCount(c);
    }
    return null;
  }

  /** The HTTP(S) base URL of an application: scheme, host, optional port and path. */
  private URI httpUrl(Node node, String path) {
    URI url = absoluteUrl(node, path, "http", "https", "use email and password");
    if (url != null && (url.getRawQuery() != null || url.getRawFragment() != null)) {
      reader.error(node, path, "must be a base URL, without a query (?...) or fragment (#...)");
      return null;
    }
    return url;
  }

  /**
   * An absolute URL with one of two schemes, a host and no credentials; null after reporting
   * what is wrong. Messages name the scheme at most: a query string may hold a token.
   */
  private URI absoluteUrl(Node node, String path, String scheme1, String scheme2, String credentialsHint) {
    String text = reader.nonEmptyString(node, path);
    if (text == null) {
      return null;
    }
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      reader.error(node, path, "not a valid URL: " + e.getReason()
          + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
      return null;
    }
    String scheme = url.getScheme();
    if (scheme == null) {
      reader.error(node, path, "must be an absolute URL starting with " + scheme1 + ":// or " + scheme2 + "://");
    } else if (!scheme.equalsIgnoreCase(scheme1) && !scheme.equalsIgnoreCase(scheme2)) {
      reader.error(node, path, "scheme must be " + scheme1 + " or " + scheme2 + ", got " + scheme);
    } else if (url.getHost() == null) {
      reader.error(node, path, "must have a host");
    } else if (url.getRawUserInfo() != null) {
      reader.error(node, path, "must not contain credentials (user:password@); " + credentialsHint);
    } else if (url.getPort() == 0 || url.getPort() > 65535) {
      reader.error(node, path, "port must be between 1 and 65535, got " + url.getPort());
    } else {
      return url;
    }
    return null;
  }

  // --------------------------------------------------------------------------------- targets

  private List<Target> targets(Entry section, Global global, Map<String, Module> modules,
                               Set<String> moduleNames) {
    List<Target> targets = new ArrayList<>();
    if (section == null) {
      return targets;
    }
    List<Node> items = reader.list(section.value(), "targets");
    if (items == null) {
      return targets;
    }
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Target target = target(items.get(i), item("targets", i), global, modules, moduleNames, names);
      if (target != null) {
        targets.add(target);
      }
    }
    return targets;
  }

  private Target target(Node node, String path, Global global, Map<String, Module> modules,
                        Set<String> moduleNames, Map<String, String> names) {
    Map<String, Entry> keys = reader.mapping(node, path, TARGET_KEYS);
    if (keys == null) {
      return null;
    }

    String name = null;
    Entry nameKey = keys.get("name");
    if (nameKey == null) {
      reader.error(node, child(path, "name"), "missing required key");
    } else {
      name = reader.nonEmptyString(nameKey.value(), child(path, "name"));
      String unsafe = name == null ? null : unsafeCharacter(name);
      if (unsafe != null) {
        reader.error(nameKey.value(), child(path, "name"), "contains " + unsafe);
        name = null;
      }
      String first = name == null ? null : names.putIfAbsent(name, path);
      if (first != null) {
        reader.error(nameKey.value(), child(path, "name"),
            "duplicate target name \"" + name + "\" (first at " + first + ")");
      }
    }

    URI url = null;
    Entry urlKey = keys.get("url");
    if (urlKey == null) {
      reader.error(node, child(path, "url"), "missing required key");
    } else {
      url = url(urlKey.value(), child(path, "url"));
    }

    String moduleName = Module.DEFAULT_NAME;
    Entry moduleKey = keys.get("module");
    if (moduleKey != null) {
      String modulePath = child(path, "module");
      moduleName = reader.nonEmptyString(moduleKey.value(), modulePath);
      String unsafe = moduleName == null ? null : unsafeCharacter(moduleName);
      if (unsafe != null) {
        reader.error(moduleKey.value(), modulePath, "contains " + unsafe);
        moduleName = null;
      } else if (moduleName != null && !moduleNames.contains(moduleName)) {
        reader.error(moduleKey.value(), modulePath, "unknown module \"" + moduleName
            + "\" (known: " + String.join(", ", moduleNames) + ")");
        moduleName = null;
      }
    }

    Map<String, String> labels = new LinkedHashMap<>(global.labels());
    Entry labelsKey = keys.get("labels");
    if (labelsKey != null) {
      labels.putAll(labels(labelsKey.value(), child(path, "labels")));
    }

    Entry intervalKey = keys.get("interval");
    Entry timeoutKey = keys.get("timeout");
    Duration interval = intervalKey == null ? global.interval()
        : reader.duration(intervalKey.value(), child(path, "interval"));
    Duration timeout = timeoutKey == null ? global.timeout()
        : reader.duration(timeoutKey.value(), child(path, "timeout"));
    String timeoutShown = timeout == null ? null
        : Durations.format(timeout) + (timeoutKey == null ? " (inherited)" : "");
    // With both inherited, the global check has already covered it.
    if ((intervalKey != null || timeoutKey != null) && interval != null && timeout != null
        && timeout.compareTo(interval) >= 0) {
      Node at = timeoutKey != null ? timeoutKey.value() : intervalKey.value();
      reader.error(at, child(path, "timeout"),
          timeoutShown + " must be below the interval " + Durations.format(interval));
    }
    Module module = moduleName == null ? null : modules.get(moduleName);
    Hold hold = module == null ? null : module.hold();
    if (hold != null && hold.duration() != null && timeout != null
        && hold.duration().compareTo(timeout) >= 0) {
      Node at = timeoutKey != null ? timeoutKey.value()
          : moduleKey != null ? moduleKey.value() : node;
      reader.error(at, child(path, "timeout"), timeoutShown + " must be above the hold duration "
          + Durations.format(hold.duration()) + " of module " + moduleName);
    }

    Broadcast broadcast = module == null ? null : module.app().broadcast();
    if (broadcast != null && broadcast.timeout() != null && timeout != null
        && broadcast.timeout().compareTo(timeout) >= 0) {
      Node at = timeoutKey != null ? timeoutKey.value()
          : moduleKey != null ? moduleKey.value() : node;
      reader.error(at, child(path, "timeout"), timeoutShown + " must be above the broadcast "
          + "timeout " + Durations.format(broadcast.timeout()) + " of module " + moduleName);
    } else if (broadcast != null && !broadcast.settle().isZero() && timeout != null) {
      Duration needed = broadcast.timeout() == null ? broadcast.settle()
          : broadcast.settle().plus(broadcast.timeout());
      if (needed.compareTo(timeout) >= 0) {
        Node at = timeoutKey != null ? timeoutKey.value()
            : moduleKey != null ? moduleKey.value() : node;
        reader.error(at, child(path, "timeout"), timeoutShown + " must be above the broadcast "
            + "settle" + (broadcast.timeout() == null ? " " : " + timeout ")
            + Durations.format(needed) + " of module " + moduleName);
      }
    }

    return new Target(name, url, moduleName, Collections.unmodifiableMap(labels), interval, timeout);
  }

  /** A ws or wss URL. */
  private URI url(Node node, String path) {
    URI url = absoluteUrl(node, path, "ws", "wss", "use headers or bearer_token");
    if (url != null && url.getRawFragment() != null) {
      reader.error(node, path, "must not have a fragment (#...)");
      return null;
    }
    return url;
  }
}
