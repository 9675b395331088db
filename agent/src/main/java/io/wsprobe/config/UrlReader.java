package io.wsprobe.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * URLs in the file: a target's ws/wss URL and an application's http(s) base URL. Messages name
 * the scheme at most: a query string may hold a token.
 */
final class UrlReader {

  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  private final NodeReader reader;

  UrlReader(NodeReader reader) {
    this.reader = reader;
  }

  /** A ws or wss URL. */
  URI ws(Node node, String path) {
    String text = reader.nonEmptyString(node, path);
    if (text == null) {
      return null;
    }
    try {
      return ws(text);
    } catch (IllegalArgumentException e) {
      reader.error(node, path, e.getMessage());
      return null;
    }
  }

  /**
   * A ws or wss URL from any text (a target's url, a URL given to {@code /probe}): the same rules
   * and messages.
   *
   * @throws IllegalArgumentException saying what is wrong, without the URL
   */
  static URI ws(String text) {
    URI url = absolute(text, "ws", "wss", "use headers or bearer_token");
    if (url.getRawFragment() != null) {
      throw new IllegalArgumentException("must not have a fragment (#...)");
    }
    return url;
  }

  /** The HTTP(S) base URL of an application: scheme, host, optional port and path. */
  URI http(Node node, String path) {
    String text = reader.nonEmptyString(node, path);
    if (text == null) {
      return null;
    }
    try {
      URI url = absolute(text, "http", "https", "use email and password");
      if (url.getRawQuery() != null || url.getRawFragment() != null) {
        throw new IllegalArgumentException("must be a base URL, without a query (?...) or fragment (#...)");
      }
      return url;
    } catch (IllegalArgumentException e) {
      reader.error(node, path, e.getMessage());
      return null;
    }
  }

  /** An absolute URL with one of two schemes, a host and no credentials. */
  private static URI absolute(String text, String scheme1, String scheme2, String credentialsHint) {
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid URL: " + e.getReason()
          + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""), e);
    }
    String scheme = url.getScheme();
    if (scheme == null) {
      throw new IllegalArgumentException("must be an absolute URL starting with " + scheme1 + ":// or "
          + scheme2 + "://");
    } else if (!scheme.equalsIgnoreCase(scheme1) && !scheme.equalsIgnoreCase(scheme2)) {
      throw new IllegalArgumentException("scheme must be " + scheme1 + " or " + scheme2 + ", got " + scheme);
    } else if (url.getHost() == null) {
      throw new IllegalArgumentException("must have a host");
    } else if (url.getRawUserInfo() != null) {
      throw new IllegalArgumentException("must not contain credentials (user:password@); " + credentialsHint);
    } else if (url.getPort() == 0 || url.getPort() > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + url.getPort());
    }
    return url;
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
}
