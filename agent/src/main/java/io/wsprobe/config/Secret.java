package io.wsprobe.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A configured value that may be secret. It never prints itself: {@link #toString()} gives
 * {@code <secret>} for a secret so a log, trace or error cannot leak it by accident.
 *
 * @param value  the resolved value, to put on the wire only
 * @param secret whether it came from {@code ${env:..}}/{@code ${file:..}} or a sensitive header
 */
public record Secret(String value, boolean secret) {

  public static final String REDACTED = "<secret>";

  public static Secret plain(String value) {
    return new Secret(value, false);
  }

  /** What a human may see: the value when not secret. */
  public String shown() {
    return secret ? REDACTED : value;
  }

  /**
   * Header names whose values are always treated as secret, wherever they come from:
   * credentials, cookies, and anything named like a token or key. The one rule for the config
   * (literal header values, {@code socketio.auth} keys), the CLI, traces and the redactor.
   * {@code Sec-WebSocket-Key} is the handshake's nonce, not a credential: it stays visible so an
   * Accept mismatch can be checked.
   */
  public static boolean sensitiveHeader(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    return n.equals("authorization") || n.equals("proxy-authorization") || n.equals("cookie")
        || n.equals("set-cookie") || n.contains("token") || n.contains("key") && !n.equals("sec-websocket-key")
        || n.contains("secret") || n.contains("password") || n.contains("auth");
  }

  /** The URL as it may be shown or exported, every query value redacted: see {@link #redactUrl(URI, Set)}. */
  public static String redactUrl(URI url) {
    return redactUrl(url, Set.of());
  }

  /**
   * The URL as it may be shown or exported: the password in the user info and the value of every
   * query parameter are replaced by {@link #REDACTED}, names kept. Only a parameter listed in
   * {@code publicParams} keeps its value, never one named like a credential; names are compared
   * percent-decoded, so {@code %74oken} is {@code token}.
   */
  public static String redactUrl(URI url, Set<String> publicParams) {
    String userInfo = url.getRawUserInfo();
    String query = url.getRawQuery();
    if (userInfo == null && query == null) {
      return url.toString();
    }
    StringBuilder out = new StringBuilder().append(url.getScheme()).append("://");
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      out.append(colon < 0 ? userInfo : userInfo.substring(0, colon + 1) + REDACTED).append('@');
    }
    out.append(url.getRawAuthority().substring(userInfo == null ? 0 : userInfo.length() + 1));
    out.append(url.getRawPath() == null ? "" : url.getRawPath());
    if (query != null) {
      out.append('?');
      String[] params = query.split("&", -1);
      for (int i = 0; i < params.length; i++) {
        String p = params[i];
        int eq = p.indexOf('=');
        if (eq >= 0 && !isPublic(p.substring(0, eq), publicParams)) {
          p = p.substring(0, eq + 1) + REDACTED;
        }
        out.append(i == 0 ? "" : "&").append(p);
      }
    }
    return out.toString();
  }

  private static boolean isPublic(String rawName, Set<String> publicParams) {
    if (publicParams.isEmpty()) {
      return false;
    }
    String name = decode(rawName);
    return name != null && publicParams.contains(name) && !credentialParam(name);
  }

  /** A query parameter's name or value percent-decoded ('+' is a space), or null when malformed. */
  static String decode(String raw) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Query parameter names that say the value is a credential: never public. */
  public static boolean credentialParam(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    return n.contains("token") || n.contains("key") || n.contains("secret") || n.contains("pass")
        || n.contains("auth") || n.contains("sig") || n.contains("session") || n.equals("code")
        || n.equals("jwt") || n.contains("credential");
  }

  @Override
  public String toString() {
    return shown();
  }
}
