package io.wsprobe.cli;

import io.vertx.core.Vertx;
import io.wsprobe.config.CommandLineModule;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigException;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Durations;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.log.Logging;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Warmup;
import io.wsprobe.prober.WebSocketProber;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wsprobe probe URL}: one probe now, printed step by step for a human, ending with
 * {@code result: <value>}; exit 0 on success, 1 on failure, 2 on bad arguments.
 */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Probe one ws:// or wss:// URL now and print every step: timings, the upgrade"
        + " request (secrets redacted), the answer, and a diagnosis with the fix.%n"
        + "Exit 0 on success, 1 on failure, 2 on bad arguments.")
final class ProbeCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "URL", description = "ws:// or wss:// URL")
  String url;

  @Option(names = "--origin-url", paramLabel = "URL",
      description = "the app behind the proxies (ws:// or wss://): also upgrade there directly, to tell"
          + " whether a proxy in between or the app itself drops the upgrade")
  String originUrl;

  @Option(names = "--config.file", paramLabel = "FILE", description = "take the module from this config")
  Path configFile;

  @Option(names = "--module", paramLabel = "NAME", description = "module of --config.file to use")
  String moduleName;

  @Option(names = "--header", paramLabel = "NAME:VALUE", description = "extra upgrade header (repeatable)")
  List<String> headers = new ArrayList<>();

  @Option(names = "--subprotocol", paramLabel = "P", description = "offer this subprotocol (repeatable)")
  List<String> subprotocols = new ArrayList<>();

  @Option(names = "--origin", paramLabel = "URL", description = "Origin header")
  String origin;

  @Option(names = "--send", paramLabel = "TEXT", description = "send a text message after the upgrade (repeatable)")
  List<String> send = new ArrayList<>();

  @Option(names = "--expect", paramLabel = "TEXT",
      description = "each answer must contain TEXT (default with --send: any answer)")
  String expect;

  @Option(names = "--ca-file", paramLabel = "PEM", description = "trust the CAs in this PEM file")
  String caFile;

  @Option(names = "--server-name", paramLabel = "NAME", description = "TLS server name (SNI and verification)")
  String serverName;

  @Option(names = "--insecure", description = "do not verify the server's certificate")
  boolean insecure;

  @Option(names = "--timeout", paramLabel = "DURATION", description = "whole probe (default: 5s, or hold + 10s)")
  String timeout;

  @Option(names = "--hold", paramLabel = "DURATION", description = "keep the session open and idle this long")
  String hold;

  @Option(names = "--ping-interval", paramLabel = "DURATION", description = "ping this often while holding")
  String pingInterval;

  @Option(names = "--proxy-url", paramLabel = "URL", description = "tunnel through this HTTP proxy (CONNECT): http://host:port")
  private String proxyUrl;

  @Option(names = "--proxy-user", paramLabel = "USER", description = "user name for the proxy (with --proxy-password-file)")
  private String proxyUser;

  @Option(names = "--proxy-password-file", paramLabel = "FILE", description = "the proxy password, read from this file")
  private String proxyPasswordFile;

  @Option(names = "--http-version", paramLabel = "1.1|2",
      description = "2: WebSocket over HTTP/2 (RFC 8441 extended CONNECT; h2c for ws://, ALPN h2 for wss://)")
  private String httpVersion;

  @Option(names = "--compression", paramLabel = "off|offer|require",
      description = "permessage-deflate: offer it, or require that the server agrees to it")
  private String compression;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    URI uri;
    URI origin;
    Module module;
    Duration limit;
    try {
      uri = parseUrl(url);
      try {
        origin = originUrl == null ? null : parseUrl(originUrl);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--origin-url: " + e.getMessage(), e);
      }
      module = module();
      limit = CommandLineModule.timeout(timeout, module);
    } catch (IllegalArgumentException | ConfigException e) {
      System.err.println("wsprobe probe: " + e.getMessage());
      return 2;
    }
    Target target = new Target("probe", uri, module.name(), Map.of(), limit.plusSeconds(1), limit, origin);
    out.println("probing " + module.shownUrl(uri) + (origin == null ? "" : " and its origin "
        + module.shownUrl(origin)) + " (module " + module.name() + ", timeout " + Durations.format(limit) + ")");
    Logging.configure("warn", Logging.Format.LOGFMT);
    Vertx vertx = io.wsprobe.EventLoops.create();
    try {
      WebSocketProber prober = new WebSocketProber(vertx);
      Warmup.forProbe(vertx, prober, target, module).await(); // first-probe accuracy: see Warmup
      ProbeResult r = prober.probe(target, module).await();
      out.print(r.trace().render());
      if (!r.success()) {
        out.println();
        out.println("diagnosis:");
        for (String line : r.diagnosis().split("\n")) {
          out.println("  " + line);
        }
      }
      out.println();
      out.println("result: " + r.result().label());
      return r.success() ? 0 : 1;
    } finally {
      vertx.close().await();
    }
  }

  /** Errors name the problem and its position, never the URL: its query may hold a token. */
  static URI parseUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getReason()
          + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      String hint = scheme.equals("http") ? " (use ws://)" : scheme.equals("https") ? " (use wss://)" : "";
      throw new IllegalArgumentException("URL scheme must be ws or wss, got '" + scheme + "'" + hint);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("URL has no host");
    }
    return uri;
  }

  /** The configured module (or the default), with the command-line options laid over it. */
  private Module module() throws ConfigException {
    Module base = Module.defaults();
    if (moduleName != null || configFile != null) {
      if (moduleName == null || configFile == null) {
        throw new IllegalArgumentException("--config.file and --module go together");
      }
      Config config = ConfigLoader.load(configFile);
      base = config.modules().get(moduleName);
      if (base == null) {
        throw new IllegalArgumentException("no module '" + moduleName + "' in " + configFile
            + " (modules: " + String.join(", ", config.modules().keySet()) + ")");
      }
    }
    List<Map.Entry<String, String>> given = new ArrayList<>();
    for (String h : headers) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("--header must be NAME:VALUE, got a value without ':'");
      }
      String name = h.substring(0, colon).trim();
      String value = h.substring(colon + 1).trim();
      checkHeader(name, value);
      given.add(Map.entry(name, value));
    }
    if (send.isEmpty() && expect != null) {
      throw new IllegalArgumentException("--expect needs --send");
    }
    if (proxyUrl == null && (proxyUser != null || proxyPasswordFile != null)) {
      throw new IllegalArgumentException("--proxy-user and --proxy-password-file need --proxy-url");
    }
    if (hold == null && pingInterval != null) {
      throw new IllegalArgumentException("--ping-interval needs --hold");
    }
    // the same readers and rules as a module in a file; an error names the option
    return CommandLineModule.overlay(base, new CommandLineModule.Options(given, subprotocols,
        origin, caFile, serverName, insecure, send, expect, hold, pingInterval, proxyUrl, proxyUser,
        proxyPasswordFile, httpVersion, compression));
  }

  /**
   * A header name must be an RFC 9110 token and a value must hold no control character (a line
   * break would start another header). The value is never echoed: it may be a secret.
   */
  static void checkHeader(String name, String value) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
        throw new IllegalArgumentException("--header name must be a token (letters, digits and"
            + " !#$%&'*+-.^_`|~), got " + describe(c) + " at position " + (i + 1) + " of the name");
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        throw new IllegalArgumentException("--header " + name + ": the value has "
            + describe(c) + " at position " + (i + 1) + "; header values cannot hold control characters");
      }
    }
  }

  private static String describe(char c) {
    return switch (c) {
      case '\r' -> "a carriage return";
      case '\n' -> "a line break";
      case ' ' -> "a space";
      default -> c < 0x20 || c == 0x7f ? String.format(java.util.Locale.ROOT, "control character U+%04X", (int) c)
          : "'" + c + "'";
    };
  }
}
