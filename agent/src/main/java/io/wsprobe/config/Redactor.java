package io.wsprobe.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place that hides, in text about to be shown, every secret a probe sent and every
 * credential the app handed back: a server may echo them in an answer, a frame, a close reason
 * or an error message.
 *
 * <p>What is looked for, each replaced by {@link Secret#REDACTED}:
 * <ul>
 *   <li>at any length: the values of secret or sensitively named headers (bearer tokens, the
 *       cookie), the Socket.IO auth payload, the Hocuspocus token, the login password, the
 *       credentials a login returned, the URL's user-info password, and the values of query
 *       parameters named like credentials;</li>
 *   <li>parts of those values that a server may echo alone, from {@link #MIN_PART} characters:
 *       each cookie's value (at any length when the cookie is named like a credential), the
 *       credential after an {@code Authorization} scheme, a Basic credential's password, the
 *       string values of the Socket.IO auth payload;</li>
 *   <li>every other query value not marked public: as {@code name=value} at any length (the name
 *       kept), alone from {@link #MIN_PART} characters: shorter ones ({@code EIO=4},
 *       {@code v=2}) would hide ordinary text.</li>
 * </ul>
 * Each is looked for raw, percent-encoded ({@code +} or {@code %20} for a space, upper- or
 * lower-case hex), JSON- and HTML-escaped, and, from {@link #MIN_ENCODED} characters, in base64
 * (standard and URL-safe, with and without padding).
 *
 * <p>{@link #apply} hides them all, in what the peer sent (an answer, a frame, a close reason, an
 * app's error message). {@link #applyToReport} is for wsprobe's own words that may quote the peer
 * (a detail, a diagnosis, a trace step): there a secret shorter than {@link #MIN_REPORT}
 * characters is left alone, as it would hide ordinary words (a one-letter token in every "t").
 *
 * <p>Building one costs nothing: what to look for is worked out the first time text is redacted,
 * which only failures and shown traces do. Thread-safe.
 */
public final class Redactor {

  /** Parts of secrets, and query values secret by default only, shorter than this are not looked for alone. */
  public static final int MIN_PART = 10;
  /** Shorter values are not looked for in base64: their encoding is a few letters found anywhere. */
  public static final int MIN_ENCODED = 4;
  /** Secrets shorter than this are not looked for in wsprobe's own words, see {@link #applyToReport}. */
  public static final int MIN_REPORT = 4;

  public static final Redactor NONE = new Redactor(null, null, List.of());

  private final URI url;
  private final Module module;
  private final List<String> credentials;
  /** Needles grouped by first character, longest first; built on first use. */
  private volatile Map<Character, List<String[]>> needles;
  /** The same without the secrets shorter than {@link #MIN_REPORT}. */
  private volatile Map<Character, List<String[]>> reportNeedles;

  private Redactor(URI url, Module module, List<String> credentials) {
    this.url = url;
    this.module = module;
    this.credentials = credentials;
  }

  /** What a probe of {@code url} with {@code module} sends and must never show. */
  public static Redactor of(URI url, Module module) {
    return new Redactor(url, module, List.of());
  }

  /** These values, at any length. */
  public static Redactor of(String... credentials) {
    List<String> values = new ArrayList<>();
    for (String c : credentials) {
      if (c != null && !c.isEmpty()) {
        values.add(c);
      }
    }
    return new Redactor(null, null, List.copyOf(values));
  }

  /** What the peer sent, with every secret replaced; {@code null} stays null. */
  public String apply(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Map<Character, List<String[]>> byFirst = needles;
    if (byFirst == null) {
      byFirst = group(build(), 0);
      needles = byFirst;
    }
    return replace(text, byFirst);
  }

  /** wsprobe's own words, which may quote the peer: secrets from {@link #MIN_REPORT} characters replaced. */
  public String applyToReport(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Map<Character, List<String[]>> byFirst = reportNeedles;
    if (byFirst == null) {
      byFirst = group(build(), MIN_REPORT);
      reportNeedles = byFirst;
    }
    return replace(text, byFirst);
  }

  private static String replace(String text, Map<Character, List<String[]>> byFirst) {
    if (byFirst.isEmpty()) {
      return text;
    }
    StringBuilder out = null;
    int copied = 0;
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith(Secret.REDACTED, i)) {
        i += Secret.REDACTED.length(); // already hidden: a secret that is a word of it stays outside
        continue;
      }
      List<String[]> candidates = byFirst.get(text.charAt(i));
      String[] hit = null;
      if (candidates != null) {
        for (String[] n : candidates) {
          if (text.startsWith(n[0], i)) {
            hit = n;
            break;
          }
        }
      }
      if (hit == null) {
        i++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, copied, i).append(hit[1]);
      i += hit[0].length();
      copied = i;
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  // ---------------------------------------------------------------- what to look for

  /** What replaces a needle, and the length of the secret it came from. */
  private record Found(String replacement, int secretLength) {}

  private Map<String, Found> build() {
    Map<String, Found> found = new LinkedHashMap<>();
    credentials.forEach(c -> whole(found, c));
    if (module != null) {
      module.headers().forEach((name, value) -> header(found, name, value));
      Module.App app = module.app();
      if (app.socketio() != null && app.socketio().auth() != null) {
        String auth = app.socketio().auth().value();
        whole(found, auth);
        jsonStrings(auth).forEach(s -> part(found, s));
      }
      if (app.hocuspocus() != null && app.hocuspocus().token() != null) {
        whole(found, app.hocuspocus().token().value());
      }
      if (app.auth() != null && app.auth().password() != null) {
        whole(found, app.auth().password().value());
      }
      Module.Proxy proxy = module.proxy();
      if (proxy != null && proxy.password() != null) {
        // the password, and the Basic credentials that carry it to the proxy
        whole(found, proxy.password().value());
        whole(found, java.util.Base64.getEncoder().encodeToString((proxy.user() + ":" + proxy.password().value())
            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      }
    }
    if (url != null) {
      urlSecrets(found);
    }
    return found;
  }

  private static Map<Character, List<String[]>> group(Map<String, Found> found, int minLength) {
    Map<Character, List<String[]>> byFirst = new HashMap<>();
    for (Map.Entry<String, Found> e : found.entrySet()) {
      if (e.getValue().secretLength() >= minLength) {
        byFirst.computeIfAbsent(e.getKey().charAt(0), c -> new ArrayList<>())
            .add(new String[] {e.getKey(), e.getValue().replacement()});
      }
    }
    byFirst.values().forEach(l -> l.sort(Comparator.comparingInt((String[] n) -> n[0].length()).reversed()));
    return byFirst;
  }

  private static void header(Map<String, Found> found, String name, Secret value) {
    if (!value.secret() && !Secret.sensitiveHeader(name)) {
      return;
    }
    String v = value.value();
    whole(found, v);
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals("cookie")) {
      for (String cookie : v.split(";")) {
        int eq = cookie.indexOf('=');
        String cookieValue = eq < 0 ? cookie.trim() : cookie.substring(eq + 1).trim();
        String cookieName = eq < 0 ? "" : cookie.substring(0, eq).trim();
        if (Secret.sensitiveHeader(cookieName) || Secret.credentialParam(cookieName)) {
          whole(found, cookieValue);
        } else {
          part(found, cookieValue);
        }
      }
    } else if (n.equals("authorization") || n.equals("proxy-authorization")) {
      int space = v.indexOf(' ');
      if (space > 0) {
        String credential = v.substring(space + 1).trim();
        part(found, credential);
        if (v.substring(0, space).equalsIgnoreCase("basic")) {
          try {
            String userPass = new String(Base64.getDecoder().decode(credential), StandardCharsets.UTF_8);
            whole(found, userPass);
            int colon = userPass.indexOf(':');
            if (colon >= 0) {
              part(found, userPass.substring(colon + 1));
            }
          } catch (IllegalArgumentException e) {
            // not base64: the credential itself is looked for
          }
        }
      }
    }
  }

  private void urlSecrets(Map<String, Found> found) {
    String userInfo = url.getRawUserInfo();
    if (userInfo != null && userInfo.indexOf(':') >= 0) {
      String password = userInfo.substring(userInfo.indexOf(':') + 1);
      whole(found, password);
      whole(found, Secret.decode(password));
    }
    String query = url.getRawQuery();
    if (query == null) {
      return;
    }
    java.util.Set<String> publicParams = module == null ? java.util.Set.of() : module.publicQueryParams();
    for (String p : query.split("&")) {
      int eq = p.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String rawName = p.substring(0, eq);
      String rawValue = p.substring(eq + 1);
      String name = Secret.decode(rawName);
      String value = Secret.decode(rawValue);
      if (name != null && publicParams.contains(name) && !Secret.credentialParam(name)) {
        continue;
      }
      if (name == null || Secret.credentialParam(name)) {
        whole(found, rawValue);
        whole(found, value);
      } else if (!rawValue.isEmpty()) {
        // a name=value pair is no ordinary word, whatever the value's length
        found.putIfAbsent(p, new Found(rawName + "=" + Secret.REDACTED, p.length()));
        if (value != null) {
          String pair = name + "=" + value;
          found.putIfAbsent(pair, new Found(name + "=" + Secret.REDACTED, pair.length()));
        }
        part(found, rawValue);
        part(found, value);
      }
    }
  }

  private static void part(Map<String, Found> found, String value) {
    if (value != null && value.length() >= MIN_PART) {
      whole(found, value);
    }
  }

  private static void whole(Map<String, Found> found, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
    for (String v : List.of(value, form, form.replace("+", "%20"), lowerHex(form),
        lowerHex(form).replace("+", "%20"), json(value), json(value).replace("/", "\\/"), html(value))) {
      found.putIfAbsent(v, new Found(Secret.REDACTED, value.length()));
    }
    if (value.length() >= MIN_ENCODED) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      String std = Base64.getEncoder().encodeToString(bytes);
      String urlSafe = Base64.getUrlEncoder().encodeToString(bytes);
      for (String v : List.of(std, urlSafe, std.replace("=", ""), urlSafe.replace("=", ""))) {
        found.putIfAbsent(v, new Found(Secret.REDACTED, value.length()));
      }
    }
  }

  private static String lowerHex(String percentEncoded) {
    StringBuilder out = new StringBuilder(percentEncoded);
    for (int i = out.indexOf("%"); i >= 0 && i + 2 < out.length(); i = out.indexOf("%", i + 1)) {
      out.setCharAt(i + 1, Character.toLowerCase(out.charAt(i + 1)));
      out.setCharAt(i + 2, Character.toLowerCase(out.charAt(i + 2)));
    }
    return out.toString();
  }

  /** As a JSON string's content is written (quotes, backslashes and control characters escaped). */
  private static String json(String value) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(value));
  }

  private static String html(String value) {
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** The string values anywhere in a JSON text (not the keys); none when it is not JSON. */
  private static List<String> jsonStrings(String json) {
    List<String> out = new ArrayList<>();
    try (JsonParser parser = JSON.createParser(json)) {
      for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
        if (t == JsonToken.VALUE_STRING) {
          out.add(parser.getText());
        }
      }
    } catch (IOException e) {
      // not JSON (or not all of it): the whole text is still looked for
    }
    return out;
  }

  private static final JsonFactory JSON = new JsonFactory();
}
