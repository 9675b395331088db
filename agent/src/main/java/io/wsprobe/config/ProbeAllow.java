package io.wsprobe.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The URLs {@code /probe?target=<url>} may probe: {@code web.probe_allow}, a list of rules over
 * scheme, host, port and path. Empty (the default): no URL is probed on request, only configured
 * targets by name. A URL is matched by its text, parsed: names are not resolved.
 */
public record ProbeAllow(List<Rule> rules) {

  public static final ProbeAllow NONE = new ProbeAllow(List.of());

  public ProbeAllow {
    rules = List.copyOf(rules);
  }

  /**
   * One {@code probe_allow} entry; a glob's {@code *} matches any run of characters, dots and
   * slashes included.
   *
   * @param scheme {@code ws}, {@code wss}, or null for either
   * @param host   a glob over the host, lower case, without the brackets of an IPv6 address
   * @param port   the port (the scheme's default when the URL has none), 0 for any
   * @param path   a glob over the path ({@code /} when the URL has none), or null for any
   */
  public record Rule(String scheme, String host, int port, String path) {

    boolean matches(URI url) {
      if (scheme != null && !scheme.equalsIgnoreCase(url.getScheme())) {
        return false;
      }
      if (!glob(host).matcher(hostOf(url)).matches()) {
        return false;
      }
      if (port != 0 && port != portOf(url)) {
        return false;
      }
      return path == null || glob(path).matcher(pathOf(url)).matches();
    }

    @Override
    public String toString() {
      return (scheme == null ? "ws(s)" : scheme) + "://" + host + (port == 0 ? ":*" : ":" + port)
          + (path == null ? "/*" : path);
    }
  }

  /**
   * A URL given to {@code /probe}, checked as a target's {@code url} is (ws or wss, a host, a
   * port in range, no credentials, no fragment).
   *
   * @throws IllegalArgumentException saying what is wrong, without the URL's text
   */
  public static URI url(String text) {
    return UrlReader.ws(text);
  }

  /** Why {@code url} may not be probed on request, or null when a rule allows it. */
  public String refusal(URI url) {
    if (rules.isEmpty()) {
      return "web.probe_allow is empty, so no URL is probed on request (configured targets are,"
          + " by name: /probe?target=NAME)";
    }
    if (dotSegments(url)) {
      return "a path with . or .. segments is never probed on request";
    }
    for (Rule rule : rules) {
      if (rule.matches(url)) {
        return null;
      }
    }
    return "the URL matches none of the " + rules.size() + " rules of web.probe_allow";
  }

  static String hostOf(URI url) {
    String host = url.getHost().toLowerCase(Locale.ROOT);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  static int portOf(URI url) {
    return url.getPort() != -1 ? url.getPort() : "wss".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
  }

  static String pathOf(URI url) {
    String path = url.getRawPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  /**
   * {@code /a/../b} would pass a rule for {@code /a*} and reach {@code /b}; so would {@code %2e}
   * and, on servers that drop path parameters, {@code ..;x}.
   */
  private static boolean dotSegments(URI url) {
    String decoded = URLDecoder.decode(pathOf(url).replace("+", "%2B"), StandardCharsets.UTF_8);
    for (String segment : decoded.split("/", -1)) {
      int parameters = segment.indexOf(';');
      String name = parameters < 0 ? segment : segment.substring(0, parameters);
      if (name.equals(".") || name.equals("..")) {
        return true;
      }
    }
    return false;
  }

  static Pattern glob(String glob) {
    StringBuilder regex = new StringBuilder();
    String[] parts = glob.split("\\*", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        regex.append(".*");
      }
      if (!parts[i].isEmpty()) {
        regex.append(Pattern.quote(parts[i]));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
