package io.wsprobe.web;

import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wsprobe.Version;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import io.wsprobe.config.WebConfig;
import io.wsprobe.metrics.ExpositionFormatWriter;
import io.wsprobe.metrics.ExpositionFormats;
import io.wsprobe.metrics.TextOut;
import io.wsprobe.prober.Hop;
import io.wsprobe.results.StatusBoard;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's HTTP endpoint: {@code /metrics}, {@code /-/healthy}, {@code /-/ready},
 * {@code POST /-/reload}, a status page at {@code /} and {@code /probe} (one probe now: a
 * configured target's trace, or an allowed URL's series; {@link ProbeEndpoint}).
 *
 * <p>Built to face hostile clients: strict request framing ({@link StrictRequestDecoder}), a
 * request timeout, an idle timeout and a cap on connections ({@link ConnectionGuard}), quiet
 * 4xx for requests the router cannot route and the headers every answer carries
 * ({@link RequestHygiene}), reloads refused to other sites' pages, and on-demand probes held to
 * {@code max_concurrent_probes}.
 *
 * <p>With a web config ({@code --web.config.file}): TLS ({@link WebTls}), basic auth and extra
 * headers on every endpoint ({@link Access}, {@link BasicAuth}), certificates re-read on reload.
 * {@code /metrics} is gzipped when the scraper accepts it ({@link Gzip}).
 *
 * <p>It knows the agent only through {@link Endpoints}: a scrape, a reload, a probe now, the status.
 */
public final class WebServer {

  /** A connection must deliver a complete request this soon after opening or its last answer. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** No byte either way for this long, outside the work on a request, closes a connection. */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** Open web connections at most; past it the oldest one waiting for a request is closed. */
  public static final int MAX_CONNECTIONS = 256;

  /** The web port's limits; tests shorten them. */
  record Limits(Duration requestTimeout, Duration idleTimeout, int maxConnections) {
    static final Limits DEFAULT = new Limits(REQUEST_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS);
  }

  private final Vertx vertx;
  private final Endpoints endpoints;
  private final Limits limits;
  private final List<HttpServer> servers = new ArrayList<>();
  private final Access access;
  private final BasicAuth.Cache authCache = new BasicAuth.Cache();
  private WorkerExecutor bcrypt;
  private boolean tls;
  private final AtomicReference<TextOut> spare = new AtomicReference<>();
  private final AtomicReference<TextOut> spareGzip = new AtomicReference<>();

  public WebServer(Vertx vertx, Endpoints endpoints) {
    this(vertx, endpoints, Limits.DEFAULT);
  }

  WebServer(Vertx vertx, Endpoints endpoints, Limits limits) {
    this.vertx = vertx;
    this.endpoints = endpoints;
    this.limits = limits;
    this.access = new Access(router());
  }

  /** Listens on {@code host:port} ({@code :9747} = every interface); completes with the port. */
  public Future<Integer> listen(String address) {
    return listen(List.of(address), WebConfig.NONE).map(ports -> ports.get(0));
  }

  /**
   * Listens on each address with the web config's TLS, headers and users; completes with the
   * ports in the same order, or fails naming the address that could not be bound (and closes
   * the others).
   */
  public Future<List<Integer>> listen(List<String> addresses, WebConfig web) {
    List<ListenAddress> parsed;
    try {
      parsed = addresses.stream().map(ListenAddress::parse).toList();
      check(web);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    bcrypt = vertx.createSharedWorkerExecutor("wsprobe-bcrypt", 1);
    access.rules(rules(web));
    tls = web.tls() != null;
    // HTTP/1.1 only: no scraper needs HTTP/2, and it would bypass the guard's pipeline
    HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false)
        .setIdleTimeout((int) limits.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (tls) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions());
      WebTls.configure(options.getSslOptions(), web.tls());
    }
    ConnectionGuard.Connections connections = new ConnectionGuard.Connections(limits.maxConnections());
    List<Future<Integer>> bound = new ArrayList<>();
    for (int i = 0; i < parsed.size(); i++) {
      ListenAddress a = parsed.get(i);
      String address = addresses.get(i);
      HttpServer server = vertx.createHttpServer(options)
          .connectionHandler(c -> ConnectionGuard.install(c, options, limits.requestTimeout(), connections))
          .invalidRequestHandler(RequestHygiene::invalid)
          .requestHandler(new RequestHygiene(access::headers, access));
      servers.add(server);
      bound.add(server.listen(a.port(), a.host()).map(HttpServer::actualPort)
          .recover(e -> Future.failedFuture(new IllegalStateException(
              "cannot listen on " + address + ": " + e.getMessage(), e))));
    }
    return Future.join(bound).transform(all -> {
      if (all.succeeded()) {
        return Future.succeededFuture(bound.stream().map(Future::result).toList());
      }
      Throwable first = bound.stream().filter(Future::failed).findFirst().map(Future::cause).orElse(all.cause());
      return close().transform(closed -> Future.failedFuture(first));
    });
  }

  /**
   * Loads what {@code web} names (certificate, key, client CA) as the server will; blocking
   * file reads, for a worker thread or the start.
   *
   * @throws IllegalArgumentException naming the web config's key and the problem
   */
  public void check(WebConfig web) {
    if (web.tls() != null) {
      try {
        WebTls.check(vertx, web.tls());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(web.source() + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Switches to a reloaded web config: certificates read again, then headers and users. TLS
   * cannot be switched on or off without a restart; then, as on any failure, the running web
   * config stays.
   */
  public Future<Void> apply(WebConfig web) {
    if ((web.tls() != null) != tls) {
      return Future.failedFuture(new IllegalArgumentException(web.source()
          + ": tls_server_config: switching TLS on or off takes a restart"));
    }
    Future<?> ssl = Future.succeededFuture();
    if (tls) {
      ServerSSLOptions next = WebTls.configure(new ServerSSLOptions(), web.tls());
      ssl = Future.all(servers.stream().map(s -> s.updateSSLOptions(next, true)).toList());
    }
    return ssl.map(v -> {
      access.rules(rules(web));
      return null;
    });
  }

  private Access.Rules rules(WebConfig web) {
    return new Access.Rules(web.headers(), web.basicAuth() ? new BasicAuth(web.users(), authCache, bcrypt) : null);
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(this::metrics);
    router.get("/-/healthy").handler(rc -> text(rc, 200, "Healthy.\n"));
    router.get("/-/ready").handler(rc -> text(rc, 200, "Ready.\n"));
    router.post("/-/reload").handler(this::reload);
    router.route("/-/reload").handler(rc -> {
      rc.response().putHeader("Allow", "POST");
      text(rc, 405, "Use POST to reload the configuration.\n");
    });
    router.get("/probe").handler(new ProbeEndpoint(endpoints));
    router.get("/").handler(this::index);
    return router;
  }

  /** The first address's port. */
  public int port() {
    return servers.get(0).actualPort();
  }

  /** Each address's port, in the order given. */
  public List<Integer> ports() {
    return servers.stream().map(HttpServer::actualPort).toList();
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>(servers.stream().map(HttpServer::close).toList());
    if (bcrypt != null) {
      closing.add(bcrypt.close());
    }
    return Future.join(closing).mapEmpty();
  }

  private void metrics(RoutingContext rc) {
    // the writer's own content type, never the raw Accept header
    ExpositionFormatWriter format = ExpositionFormats.find(rc.request().getHeader("Accept"));
    boolean gzip = Gzip.accepted(rc.request().getHeader("Accept-Encoding"));
    vertx.executeBlocking(() -> {
      // the last answer's arrays once it was sent: a scrape of thousands of targets is tens of
      // MiB, which would otherwise land in the old generation anew at every scrape
      TextOut out = take(spare);
      out.reset();
      endpoints.scrape().scrape(out, format);
      if (!gzip) {
        return out;
      }
      TextOut zipped = Gzip.compress(out, take(spareGzip));
      spare.set(out);
      return zipped;
    }, false).onSuccess(out -> {
      rc.response().putHeader("Content-Type", format.contentType()).putHeader("Vary", "Accept-Encoding");
      if (gzip) {
        rc.response().putHeader("Content-Encoding", "gzip");
      }
      rc.response().end(BufferInternal.buffer(Unpooled.wrappedBuffer(out.array(), 0, out.size())))
          .onComplete(sent -> (gzip ? spareGzip : spare).set(out));
    }).onFailure(rc::fail);
  }

  private static TextOut take(AtomicReference<TextOut> spare) {
    TextOut out = spare.getAndSet(null);
    return out == null ? new TextOut(1 << 16) : out;
  }

  private void reload(RoutingContext rc) {
    String crossSite = RequestHygiene.crossSite(rc.request());
    if (crossSite != null) {
      // a form on any page the operator visits could otherwise reload the agent
      text(rc, 403, "Refused: a browser request from another site (" + crossSite + "). Reload with"
          + " curl -X POST, SIGHUP, or from this server's own pages.\n");
      return;
    }
    endpoints.reload().reload()
        .onSuccess(c -> text(rc, 200, "Reloaded: " + c.targets().size() + " targets.\n"))
        .onFailure(e -> text(rc, 500, "Reload failed; the running configuration stays.\n" + e.getMessage() + "\n"));
  }

  private void index(RoutingContext rc) {
    StringBuilder html = new StringBuilder("""
        <!doctype html><html><head><meta charset="utf-8"><title>wsprobe</title>
        <style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}
        .ok{color:#070}.bad{color:#b00}</style></head><body>
        <h1>wsprobe</h1><p>""");
    html.append("version ").append(esc(Version.VERSION))
        .append(" &middot; <a href=\"metrics\">metrics</a> &middot; <a href=\"-/healthy\">healthy</a>"
            + " &middot; <a href=\"-/ready\">ready</a></p><table><tr><th>target</th><th>module</th>"
            + "<th>url</th><th>last result</th><th>detail</th><th>duration</th><th></th></tr>");
    for (StatusBoard.TargetStatus s : endpoints.status().status()) {
      StatusBoard.LastResult r = s.last();
      String name = s.target().name();
      html.append("<tr><td>").append(esc(name)).append("</td><td>").append(esc(s.module()))
          .append("</td><td>").append(esc(shownUrl(s.target()))).append("</td><td class=\"")
          .append(r == null ? "" : r.success() ? "ok" : "bad").append("\">")
          .append(r == null ? "pending" : r.result().label()).append("</td><td>")
          .append(r == null ? "" : esc(r.detail()))
          .append(r == null || r.success() || r.hop() == Hop.UNKNOWN ? "" : " (through " + esc(r.hop().shown()) + ")")
          .append("</td><td>")
          .append(r == null ? "" : String.format(java.util.Locale.ROOT, "%.1f ms", r.durationNanos() / 1e6))
          .append("</td><td><a href=\"probe?target=")
          .append(java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8))
          .append("\">probe now</a></td></tr>");
    }
    html.append("</table><p>").append(Instant.now()).append("</p></body></html>");
    rc.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html.toString());
  }

  /** With the module's public query parameters; every value hidden when the module is gone (a reload). */
  private String shownUrl(Target target) {
    Module module = endpoints.config().get().moduleOf(target);
    return module == null ? Secret.redactUrl(target.url()) : module.shownUrl(target.url());
  }

  private static void text(RoutingContext rc, int status, String body) {
    RequestHygiene.text(rc.response(), status, body);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
