package io.wsprobe.web;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What every request meets before the router: the headers every answer carries, and a quiet
 * 4xx for requests the router would meet as errors (logged as "Unhandled exception in router"):
 * {@code CONNECT}, no {@code Host}, a target that is neither a path nor an http URL. Also the
 * check that keeps a browser on another site from reaching the agent's one state-changing
 * endpoint.
 */
final class RequestHygiene implements Handler<HttpServerRequest> {

  static final String ALLOW = "GET, POST";

  private final Consumer<HttpServerResponse> extraHeaders;
  private final Handler<HttpServerRequest> next;

  /** @param extraHeaders adds the web config's headers to an answer, refusals included */
  RequestHygiene(Consumer<HttpServerResponse> extraHeaders, Handler<HttpServerRequest> next) {
    this.extraHeaders = extraHeaders;
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest req) {
    HttpServerResponse response = req.response();
    headers(response);
    extraHeaders.accept(response);
    if (req.method() == HttpMethod.CONNECT || req.uri().equals("*")) {
      // a CONNECT client's next bytes would be its tunnel's, not a request
      response.putHeader("Allow", ALLOW).putHeader("Connection", "close");
      text(response, 405, req.method() + " " + req.uri() + ": this is not a proxy; use GET or POST with a path.\n")
          .onComplete(v -> req.connection().close());
      return;
    }
    String refusal = requestError(req);
    if (refusal != null) {
      text(response, 400, "Bad request: " + refusal + ".\n");
      return;
    }
    next.handle(req);
  }

  /** On every answer: the body is what its Content-Type says, and never worth caching. */
  static void headers(HttpServerResponse response) {
    response.putHeader("X-Content-Type-Options", "nosniff").putHeader("Cache-Control", "no-store");
  }

  /** For Vert.x's invalid-request handler: the decoder's refusal and its reason, then close. */
  static void invalid(HttpServerRequest req) {
    DecoderResult result = req.decoderResult();
    Throwable cause = result.cause();
    int status = cause instanceof TooLongHttpLineException ? 414
        : cause instanceof TooLongHttpHeaderException ? 431 : 400;
    HttpServerResponse response = req.response();
    headers(response);
    response.putHeader("Connection", "close");
    text(response, status, "Bad request: " + (cause == null ? "malformed" : cause.getMessage()) + ".\n");
  }

  /** Why the request cannot be routed (RFC 9112 §3.2, §3.2.2), or null. */
  private static String requestError(HttpServerRequest req) {
    List<String> hosts = req.headers().getAll("Host");
    if (hosts.size() > 1) {
      return "more than one Host header";
    }
    if (hosts.isEmpty() && req.version() != HttpVersion.HTTP_1_0) {
      return "no Host header";
    }
    String uri = req.uri();
    if (!percentEncodingValid(uri)) {
      return "a % in the request target not followed by two hex digits";
    }
    if (uri.startsWith("/")) {
      return null;
    }
    String lower = uri.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      try {
        if (new URI(uri).getHost() != null) {
          return null;
        }
      } catch (URISyntaxException e) {
        // refused below
      }
      return "the request target is not a URL";
    }
    return "the request target must be a path";
  }

  /** The router's path and query decoding throws (and logs an error) on a malformed escape. */
  private static boolean percentEncodingValid(String uri) {
    for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
      if (i + 2 >= uri.length() || Character.digit(uri.charAt(i + 1), 16) < 0
          || Character.digit(uri.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Why a browser on another site is refused, or null: {@code Sec-Fetch-Site} other than
   * {@code same-origin} or {@code none}, or an {@code Origin} that is not this server's
   * host and port. A request without either (curl, Prometheus, scripts) is not a browser's.
   */
  static String crossSite(HttpServerRequest req) {
    String site = req.getHeader("Sec-Fetch-Site");
    if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
      return "Sec-Fetch-Site: " + site;
    }
    String origin = req.getHeader("Origin");
    if (origin == null) {
      return null;
    }
    HostAndPort host = req.authority();
    return host != null && sameServer(origin, host) ? null
        : "Origin " + origin + " is not this server (" + (host == null ? "no Host" : host) + ")";
  }

  private static boolean sameServer(String origin, HostAndPort host) {
    URI o;
    try {
      o = new URI(origin);
    } catch (URISyntaxException e) {
      return false;
    }
    if (o.getHost() == null || o.getScheme() == null) {
      return false; // "null", an opaque origin: a sandboxed frame or a local file
    }
    // behind a proxy Host may carry no port: then it is the Origin scheme's default
    int defaultPort = o.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    int originPort = o.getPort() < 0 ? defaultPort : o.getPort();
    int hostPort = host.port() < 0 ? defaultPort : host.port();
    return stripBrackets(o.getHost()).equalsIgnoreCase(stripBrackets(host.host())) && originPort == hostPort;
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  static Future<Void> text(HttpServerResponse response, int status, String body) {
    return response.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(body);
  }
}
