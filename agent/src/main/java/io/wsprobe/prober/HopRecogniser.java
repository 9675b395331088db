package io.wsprobe.prober;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Names the {@link Hop} from the upgrade answer: its headers and the start of its body. Evidence
 * is taken strongest first: a proxy's own error page (it wrote the whole answer), then headers
 * only a CDN or proxy adds, then {@code Server}, then a bare {@code X-Cache}. Behind Apache or
 * Caddy the app's own {@code Server} header passes through and hides the proxy; without other
 * evidence (Apache's {@code ProxyVia Full}) the hop stays {@link Hop#UNKNOWN}.
 */
public final class HopRecogniser {

  /** What named the hop, for the trace and the diagnosis: "X-Varnish, Via: 1.1 varnish". */
  public record Seen(Hop hop, String evidence) {
    public static final Seen UNKNOWN = new Seen(Hop.UNKNOWN, "");
  }

  private static final int SHOWN_VALUE_CHARS = 80;
  /** HAProxy's built-in error pages: {@code <html><body><h1>503 Service Unavailable</h1>} and its sentence. */
  private static final Pattern HAPROXY_PAGE = Pattern.compile(
      "^\\s*<html><body><h1>\\d{3} [^<]*</h1>\\s*(No server is available to handle this request"
          + "|The server didn't respond in time|Your browser sent an invalid request"
          + "|Request forbidden by administrative rules|The server returned an invalid or incomplete response"
          + "|Your browser didn't send a complete request in time|An internal server error occurred"
          + "|You need a valid user and password|You have sent too many requests|The resource could not be found"
          + "|The requested URL|The server does not support)");

  private HopRecogniser() {}

  /**
   * @param headers the answer's headers, or null when no HTTP answer came
   * @param body    the start of the body as text ("" when none was kept)
   */
  public static Seen recognise(HttpHeaders headers, String body) {
    if (headers == null) {
      return Seen.UNKNOWN;
    }
    String page = body == null ? "" : body;
    if (page.contains("<center>nginx") || page.contains("<center>openresty")) {
      return new Seen(Hop.NGINX, "nginx's error page");
    }
    if (HAPROXY_PAGE.matcher(page).find()) {
      return new Seen(Hop.HAPROXY, "HAProxy's error page");
    }
    if (page.contains("Guru Meditation")) {
      return new Seen(Hop.VARNISH, "Varnish's Guru Meditation page");
    }
    if (page.contains("<address>Apache")) {
      return new Seen(Hop.APACHE, "Apache's error page");
    }
    String via = lower(headers.getAll("Via"));
    String server = lower(headers.getAll("Server"));
    // Fastly runs Varnish and says so in Via: its own headers come first
    Seen seen = first(headers, Hop.CDN, "X-Served-By", "Fastly-Debug-Digest", "X-Fastly-Request-ID", "X-Azure-Ref");
    if (seen != null) {
      return seen;
    }
    if (headers.contains("X-Amz-Cf-Id") || via.contains("cloudfront")) {
      return evidence(headers, Hop.CLOUDFRONT, "X-Amz-Cf-Id", via.contains("cloudfront") ? "Via" : null);
    }
    if (headers.contains("CF-Ray") || server.equals("cloudflare")) {
      return evidence(headers, Hop.CLOUDFLARE, "CF-Ray", server.equals("cloudflare") ? "Server" : null);
    }
    if (headers.contains("X-Varnish") || via.contains("varnish")) {
      return evidence(headers, Hop.VARNISH, "X-Varnish", via.contains("varnish") ? "Via" : null);
    }
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().toLowerCase(Locale.ROOT).startsWith("x-envoy-")) {
        return new Seen(Hop.ENVOY, h.getKey());
      }
    }
    if (server.contains("envoy")) {
      return evidence(headers, Hop.ENVOY, "Server", null);
    }
    if (via.contains("caddy")) {
      return evidence(headers, Hop.CADDY, "Via", null);
    }
    if (via.contains("traefik")) {
      return evidence(headers, Hop.TRAEFIK, "Via", null);
    }
    if (via.contains("(apache/")) {
      return evidence(headers, Hop.APACHE, "Via", null);
    }
    Hop byServer = byServer(server);
    if (byServer != null) {
      return evidence(headers, byServer, "Server", null);
    }
    // Squid sends X-Cache too: a proxy outside the list, not a CDN
    if (headers.contains("X-Cache") && !via.contains("squid") && !server.startsWith("squid")) {
      return evidence(headers, Hop.CDN, "X-Cache", null);
    }
    return Seen.UNKNOWN;
  }

  private static Hop byServer(String server) {
    if (server.isEmpty()) {
      return null;
    } else if (server.startsWith("nginx") || server.startsWith("openresty")) {
      return Hop.NGINX;
    } else if (server.startsWith("apache") && !server.startsWith("apache-coyote")) {
      // Apache-Coyote is Tomcat, an app server, not Apache httpd
      return Hop.APACHE;
    } else if (server.startsWith("haproxy")) {
      return Hop.HAPROXY;
    } else if (server.startsWith("caddy")) {
      return Hop.CADDY;
    } else if (server.startsWith("traefik")) {
      return Hop.TRAEFIK;
    } else if (server.startsWith("varnish")) {
      return Hop.VARNISH;
    } else if (server.startsWith("cloudfront") || server.startsWith("amazoncloudfront")) {
      return Hop.CLOUDFRONT;
    }
    return null;
  }

  private static Seen first(HttpHeaders headers, Hop hop, String... names) {
    for (String name : names) {
      if (headers.contains(name)) {
        return new Seen(hop, name);
      }
    }
    return null;
  }

  /** The hop with the headers that named it: a marker header by name, a value-matched one with its value. */
  private static Seen evidence(HttpHeaders headers, Hop hop, String marker, String withValue) {
    List<String> parts = new ArrayList<>(2);
    if (headers.contains(marker) && !marker.equals("Via") && !marker.equals("Server")) {
      parts.add(marker);
    }
    String valued = withValue != null ? withValue : marker.equals("Via") || marker.equals("Server") ? marker : null;
    if (valued != null) {
      parts.add(valued + ": " + shorten(String.join(", ", headers.getAll(valued))));
    }
    return new Seen(hop, String.join(", ", parts));
  }

  private static String lower(List<String> values) {
    return String.join(", ", values).toLowerCase(Locale.ROOT).strip();
  }

  private static String shorten(String value) {
    return value.length() <= SHOWN_VALUE_CHARS ? value : value.substring(0, SHOWN_VALUE_CHARS) + "...";
  }
}
