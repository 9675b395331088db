package io.wsprobe.protocol;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.wsprobe.config.Module;
import io.wsprobe.config.Redactor;
import io.wsprobe.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Docmost's login flow: {@code POST /api/auth/login} with the probe account's email and password
 * sets the {@code authToken} cookie (used on the Socket.IO upgrade), then
 * {@code POST /api/auth/collab-token} with that cookie returns the token for Hocuspocus's Auth
 * message. Tokens are cached per account until shortly before they expire, and dropped after the
 * app refuses them, so a probe logs in only when it must.
 */
public final class DocmostAuth implements LoginFlow {

  /** What the flow yields. {@code expiresAtMillis} is the earlier of the two tokens' expiries. */
  public record Tokens(String authToken, String collabToken, long expiresAtMillis) {}

  /** The flow failed; {@code status} is the HTTP status that said so, 0 when none came. */
  public static final class AuthException extends LoginFlow.LoginException {
    public AuthException(int status, String message) {
      super(status, message);
    }
  }

  /** Refresh this long before a token expires. */
  private static final long REFRESH_MARGIN_MILLIS = 10 * 60_000;
  /** Assumed lifetime of a token whose expiry cannot be read. */
  private static final long DEFAULT_LIFETIME_MILLIS = 60 * 60_000;

  private final WebClient client;
  private final Map<String, Tokens> cache = new ConcurrentHashMap<>();

  public DocmostAuth(Vertx vertx) {
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setUserAgent("wsprobe").setFollowRedirects(false));
  }

  private static String key(Module.Auth auth) {
    return auth.baseUrl() + "|" + auth.email();
  }

  /** Tokens for the account, from the cache or a fresh login; every request bounded by {@code timeoutMillis}. */
  public Future<Tokens> tokens(Module.Auth auth, Module.Proxy proxy, long timeoutMillis) {
    Tokens cached = cache.get(key(auth));
    if (cached != null && cached.expiresAtMillis() - System.currentTimeMillis() > REFRESH_MARGIN_MILLIS) {
      return Future.succeededFuture(cached);
    }
    return login(auth, proxy, timeoutMillis).onSuccess(t -> cache.put(key(auth), t));
  }

  /**
   * The module's forward proxy for the login's requests, as the probe's own connection uses it:
   * an https base URL is tunnelled (CONNECT), an http one is sent to the proxy as an absolute-URI
   * request; its credentials go as Proxy-Authorization. Null: direct.
   */
  private static ProxyOptions proxyOptions(Module.Proxy proxy) {
    if (proxy == null) {
      return null;
    }
    ProxyOptions options = new ProxyOptions().setType(ProxyType.HTTP).setHost(proxy.host()).setPort(proxy.port());
    if (proxy.user() != null) {
      options.setUsername(proxy.user()).setPassword(proxy.password().value());
    }
    return options;
  }

  private static <T> HttpRequest<T> through(HttpRequest<T> request, ProxyOptions proxy) {
    return proxy == null ? request : request.proxy(proxy);
  }

  /** Forgets the account's tokens, after the app refused them. */
  @Override
  public void invalidate(Module.Auth auth) {
    cache.remove(key(auth));
  }

  private Future<Tokens> login(Module.Auth auth, Module.Proxy proxy, long timeoutMillis) {
    String base = auth.baseUrl().toString().replaceAll("/+$", "");
    JsonObject body = new JsonObject().put("email", auth.email()).put("password", auth.password().value());
    ProxyOptions via = proxyOptions(proxy);
    Redactor hidden = proxy != null && proxy.password() != null
        ? Redactor.of(auth.password().value(), proxy.password().value()) : Redactor.of(auth.password().value());
    return through(client.postAbs(base + "/api/auth/login"), via).timeout(timeoutMillis)
        .putHeader("Accept", "application/json")
        .sendJsonObject(body)
        .recover(e -> Future.failedFuture(new AuthException(0, "login request failed"
            + (via == null ? "" : " (through the proxy " + proxy.address() + ")") + ": " + hidden.apply(String.valueOf(e.getMessage())))))
        .compose(res -> {
          if (res.statusCode() / 100 != 2) {
            return Future.failedFuture(new AuthException(res.statusCode(),
                "login refused: HTTP " + res.statusCode() + message(res, hidden)));
          }
          String authToken = cookie(res, "authToken");
          if (authToken == null) {
            return Future.failedFuture(new AuthException(res.statusCode(),
                "login answered HTTP " + res.statusCode() + " without an authToken cookie"));
          }
          return through(client.postAbs(base + "/api/auth/collab-token"), via).timeout(timeoutMillis)
              .putHeader("Cookie", "authToken=" + authToken)
              .putHeader("Accept", "application/json")
              .send()
              .recover(e -> Future.failedFuture(new AuthException(0, "collab-token request failed: "
                  + hidden.apply(String.valueOf(e.getMessage())))))
              .compose(ct -> {
                if (ct.statusCode() / 100 != 2) {
                  return Future.failedFuture(new AuthException(ct.statusCode(),
                      "collab-token refused: HTTP " + ct.statusCode()
                          + message(ct, Redactor.of(auth.password().value(), authToken))));
                }
                String token = null;
                try {
                  JsonObject json = ct.bodyAsJsonObject();
                  JsonObject data = json == null ? null : json.getJsonObject("data");
                  token = data == null ? null : data.getString("token");
                } catch (RuntimeException e) {
                  // reported below
                }
                if (token == null || token.isEmpty()) {
                  return Future.failedFuture(new AuthException(ct.statusCode(),
                      "collab-token answer has no data.token"));
                }
                long expires = Math.min(expiry(authToken), expiry(token));
                return Future.succeededFuture(new Tokens(authToken, token, expires));
              });
        });
  }

  private static String cookie(HttpResponse<Buffer> res, String name) {
    for (String header : res.cookies()) {
      String first = header.split(";", 2)[0].trim();
      if (first.startsWith(name + "=")) {
        return first.substring(name.length() + 1);
      }
    }
    return null;
  }

  /**
   * The app's own message, if short and present, with the credentials of the flow hidden: an app
   * may echo the request (the password, the cookie) in it.
   */
  private static String message(HttpResponse<Buffer> res, Redactor redactor) {
    try {
      JsonObject json = res.bodyAsJsonObject();
      Object m = json == null ? null : json.getValue("message");
      String s = m == null ? "" : redactor.apply(String.valueOf(m));
      return s.isEmpty() ? "" : " (" + (s.length() > 120 ? s.substring(0, 120) + "..." : s) + ")";
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** A JWT's {@code exp} in epoch millis; a default lifetime when it has none or is not a JWT. */
  static long expiry(String jwt) {
    long fallback = System.currentTimeMillis() + DEFAULT_LIFETIME_MILLIS;
    String[] parts = jwt.split("\\.");
    if (parts.length < 2) {
      return fallback;
    }
    try {
      String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
      Long exp = new JsonObject(payload).getLong("exp");
      return exp == null ? fallback : exp * 1000;
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  @Override
  public String name() {
    return "docmost";
  }

  /**
   * Socket.IO gets the {@code authToken} cookie on its upgrade; Hocuspocus gets the collab token
   * in its Auth message. Both are secrets of the returned module, so the probe hides them.
   */
  @Override
  public Future<Login> login(Module module, long timeoutMillis) {
    return tokens(module.app().auth(), module.proxy(), timeoutMillis).map(tokens -> new Login(
        module.app().protocol() == Module.Protocol.SOCKETIO
            ? withCookie(module, "authToken=" + tokens.authToken())
            : withCollabToken(module, tokens.collabToken()),
        Dialects.of(module.app(), tokens.collabToken())));
  }

  private static Module withCookie(Module m, String cookie) {
    Map<String, Secret> headers = new LinkedHashMap<>(m.headers());
    String existing = null;
    for (String name : List.copyOf(headers.keySet())) {
      if (name.equalsIgnoreCase("Cookie")) {
        existing = headers.remove(name).value();
      }
    }
    headers.put("Cookie", new Secret(existing == null ? cookie : existing + "; " + cookie, true));
    return new Module(m.name(), headers, m.origin(), m.subprotocols(), m.tls(), m.ipProtocol(),
        m.ipProtocolFallback(), m.maxMessageBytes(), m.messages(), m.hold(), m.app(),
        m.publicQueryParams(), m.proxy());
  }

  /** The module with the token the login obtained as its Hocuspocus token. */
  private static Module withCollabToken(Module m, String token) {
    Module.App a = m.app();
    if (a.hocuspocus() == null || token == null) {
      return m;
    }
    Module.App app = new Module.App(a.protocol(), a.broadcast(), a.socketio(),
        new Module.Hocuspocus(a.hocuspocus().document(), new Secret(token, true)), a.auth());
    return new Module(m.name(), m.headers(), m.origin(), m.subprotocols(), m.tls(), m.ipProtocol(),
        m.ipProtocolFallback(), m.maxMessageBytes(), m.messages(), m.hold(), app,
        m.publicQueryParams(), m.proxy());
  }

  @Override
  public void close() {
    client.close();
  }
}
