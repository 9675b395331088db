package io.wsprobe.prober;

import java.util.Locale;

/**
 * The proxy or CDN that answered the upgrade, as far as its answer shows it (see
 * {@link HopRecogniser}), and the fix that proxy needs. The label values are a contract (the
 * {@code hop} label of {@code wsprobe_upgrade_hop_info}, docs/metrics.md): this list is all of them.
 */
public enum Hop {
  NGINX("nginx", """
      In nginx, the location that proxies this path needs:
          proxy_http_version 1.1;
          proxy_set_header Upgrade $http_upgrade;
          proxy_set_header Connection "upgrade";
          proxy_read_timeout 3600s;   # idle sessions outlive the 60s default""",
      "nginx's proxy_read_timeout (60s by default): raise it in the location proxying this path"),
  APACHE("Apache", """
      In Apache 2.4.47 or later, the ProxyPass of this path needs upgrade=websocket:
          ProxyPass "/path" "http://app:port/path" upgrade=websocket timeout=3600
      Older Apache: mod_proxy_wstunnel (LoadModule proxy_wstunnel_module) and
          ProxyPass "/path" "ws://app:port/path\"""",
      "Apache's Timeout or ProxyTimeout (60s by default): set timeout=3600 on the ProxyPass"),
  HAPROXY("HAProxy", """
      HAProxy forwards upgrades by itself: remove any `http-request del-header Upgrade` or
      `del-header Connection` (or set-header rewriting them) on this path, and set
          timeout tunnel 1h   # idle sessions outlive timeout client/server""",
      "HAProxy's timeout tunnel (without it, timeout client/server apply): set timeout tunnel 1h"),
  VARNISH("Varnish", """
      Varnish serves every request itself unless the VCL pipes upgrades to the backend:
          sub vcl_recv {
              if (req.http.Upgrade ~ "(?i)websocket") { return (pipe); }
          }
          sub vcl_pipe {
              if (req.http.Upgrade) {
                  set bereq.http.Upgrade = req.http.Upgrade;
                  set bereq.http.Connection = req.http.Connection;
              }
          }""",
      "Varnish's pipe_timeout (60s by default): raise it (varnishd -p pipe_timeout=3600)"),
  CADDY("Caddy", """
      Caddy's reverse_proxy forwards upgrades by itself: look for what stops them on this path,
      a `header_up -Upgrade` or `-Connection`, a request_header rewriting them, or another handler
      (respond, file_server, a try_files to the SPA) matching the path before reverse_proxy.""",
      "Caddy keeps streams open by default: look for a stream_timeout or stream_close_delay in reverse_proxy"),
  TRAEFIK("Traefik", """
      Traefik forwards upgrades by itself: look for a middleware on this router that strips
      them (a headers middleware setting customRequestHeaders Upgrade or Connection to ""), or a
      router sending the path elsewhere.""",
      "Traefik's entryPoint respondingTimeouts.readTimeout or idleTimeout: raise them for this entryPoint"),
  ENVOY("Envoy", """
      Envoy forwards upgrades only when the HTTP connection manager (or the route) allows them:
          upgrade_configs:
            - upgrade_type: websocket""",
      "Envoy's stream idle_timeout (5m by default) and the route's timeout: set the route's"
          + " timeout: 0s and a longer idle_timeout"),
  CLOUDFLARE("Cloudflare", """
      Cloudflare passes WebSockets only when the zone allows them: turn on WebSockets
      (Network > WebSockets) for this zone, and check the origin's own proxy too.""",
      "Cloudflare closes connections idle for 100s: keep pings (hold.ping_interval) under it"),
  CLOUDFRONT("CloudFront", """
      CloudFront passes WebSockets when the cache behavior for this path forwards the viewer's
      headers to the origin (an origin request policy such as AllViewer, with Upgrade,
      Connection and the Sec-WebSocket-* headers), and the origin's own proxy forwards Upgrade.""",
      "CloudFront's origin response and keep-alive timeouts: raise them for this origin, or keep"
          + " pings (hold.ping_interval) under them"),
  CDN("a CDN", """
      A CDN answered: turn on its WebSocket support for this host or path (Fastly: WebSockets
      enabled for the service and `return (upgrade);` in vcl_recv; Akamai, Azure Front Door and
      others: their WebSocket switch), and check the origin's own proxy too.""",
      "the CDN's idle timeout for WebSocket connections: keep pings (hold.ping_interval) under it"),
  /** Nothing in the answer names the hop; the generic words stay. */
  UNKNOWN("", "", "");

  private final String label = name().toLowerCase(Locale.ROOT);
  private final String shown;
  private final String upgradeFix;
  private final String idleHint;

  Hop(String shown, String upgradeFix, String idleHint) {
    this.shown = shown;
    this.upgradeFix = upgradeFix;
    this.idleHint = idleHint;
  }

  /** The {@code hop} label value. */
  public String label() {
    return label;
  }

  /** The hop's name in sentences ("Varnish", "a CDN"); "" for {@link #UNKNOWN}. */
  public String shown() {
    return shown;
  }

  /** What this proxy needs so that upgrades pass; "" for {@link #UNKNOWN}. */
  String upgradeFix() {
    return upgradeFix;
  }

  /** The timeout of this proxy that cuts idle sessions; "" for {@link #UNKNOWN}. */
  String idleHint() {
    return idleHint;
  }
}
