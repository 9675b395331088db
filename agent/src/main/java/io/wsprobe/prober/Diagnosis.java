package io.wsprobe.prober;

/**
 * Plain words for a failed probe: the likely cause and the fix. One place, so the trace of
 * {@code wsprobe probe}, the log and the runbook say the same thing.
 */
public final class Diagnosis {

  static final String NGINX_FIX = """
      In nginx, the location that proxies this path needs:
          proxy_http_version 1.1;
          proxy_set_header Upgrade $http_upgrade;
          proxy_set_header Connection "upgrade";
          proxy_read_timeout 3600s;   # idle sessions outlive the 60s default
      HAProxy forwards upgrades by itself (set `timeout tunnel 1h`); Apache needs
      mod_proxy_wstunnel or `ProxyPass ... upgrade=websocket`; Caddy and Traefik forward them
      unless a middleware strips the headers.""";

  private Diagnosis() {}

  /**
   * @param status      HTTP status of the answer, 0 if none
   * @param contentType Content-Type of a non-101 answer, or null
   */
  public static String of(Result result, int status, String contentType, String detail) {
    return of(result, status, contentType, detail, HopRecogniser.Seen.UNKNOWN);
  }

  /**
   * As {@link #of(Result, int, String, String)}; when the answer named its {@code hop}, an
   * upgrade that did not pass and an idle session cut lead with that proxy's fix.
   */
  public static String of(Result result, int status, String contentType, String detail,
                          HopRecogniser.Seen hop) {
    String generic = generic(result, status, contentType, detail);
    if (hop.hop() == Hop.UNKNOWN) {
      return generic;
    }
    String through = "Answered through " + hop.hop().shown()
        + (hop.evidence().isEmpty() ? "" : " (" + hop.evidence() + ")");
    return switch (result) {
      case UPGRADE_IGNORED -> through + ", which did not pass the upgrade on.\n" + hop.hop().upgradeFix()
          + "\n" + generic.substring(0, generic.indexOf('\n'));
      case UPGRADE_REJECTED -> switch (status) {
        case 400, 404, 405, 426 -> through + ", which did not pass the upgrade on.\n"
            + hop.hop().upgradeFix() + "\n" + generic.substring(0, generic.indexOf('\n'));
        default -> through + ". " + generic;
      };
      case IDLE_CUT -> through + ": " + hop.hop().idleHint() + ".\n" + generic;
      default -> generic;
    };
  }

  private static String generic(Result result, int status, String contentType, String detail) {
    String ct = contentType == null || contentType.isEmpty() ? "" : " " + contentType;
    return switch (result) {
      case SUCCESS -> "";
      case DNS_ERROR -> "The host name does not resolve through the system resolver (/etc/hosts,"
          + " then DNS): check the name, the DNS records and this machine's resolv.conf.";
      case CONNECT_REFUSED -> "Nothing accepts connections on that address and port: the app or"
          + " proxy is down, listens elsewhere, or a firewall rejects the connection.";
      case CONNECT_TIMEOUT -> "The TCP connection was not accepted in time: a firewall drops the"
          + " packets, the host is down, or the route is broken.";
      case PROXY_ERROR -> proxy(detail);
      case TLS_CERT_EXPIRED -> "The server's certificate chain has expired (" + detail + "): renew"
          + " it, and check that the proxy was reloaded to serve the new one"
          + (detail.contains("also untrusted") ? "; the renewed chain must also lead to a CA the"
              + " agent trusts (tls.ca_file for a private CA, the full chain with its intermediate)."
              : ".");
      case TLS_UNTRUSTED -> "The server's certificate chain does not lead to a CA the agent trusts ("
          + detail + "): for a private or self-signed CA, point tls.ca_file at its PEM; for a public"
          + " one, have the server send its full chain (the intermediate certificate: nginx"
          + " ssl_certificate takes the fullchain file). `openssl s_client -showcerts` shows what it"
          + " sends.";
      case TLS_HOSTNAME_MISMATCH -> "The certificate is valid, but for other names (" + detail + "):"
          + " probe the name the certificate is for, set tls.server_name when the URL uses an IP"
          + " address or an internal name, or have the server present the certificate for this name"
          + " (its SNI configuration).";
      case TLS_HANDSHAKE_FAILED -> "The TLS handshake itself failed (" + detail + "): the port may"
          + " not speak TLS (wss:// on a plain port, or a port behind TLS offloading), the server"
          + " may accept only protocol versions or cipher suites the agent does not (TLS 1.2 and 1.3"
          + " only), or it refused the client certificate (tls.cert_file, tls.key_file).";
      case UPGRADE_TIMEOUT -> "The server accepted the connection but did not answer the upgrade"
          + " request in time: the app is hung, overloaded, or a proxy buffers the request.";
      case UPGRADE_IGNORED -> "Got HTTP " + status + ct + " instead of 101: the upgrade request was"
          + " served as plain HTTP, so a proxy in front of the app is not forwarding the Upgrade"
          + " and Connection headers.\n" + NGINX_FIX;
      case UPGRADE_REJECTED -> rejected(status, ct);
      case BAD_ACCEPT -> "The answer is not a valid WebSocket handshake (" + detail + "): a proxy"
          + " or middlebox rewrites the answer, or the port does not speak HTTP (wss:// on a TLS"
          + " port?).";
      case SUBPROTOCOL_MISMATCH -> "The server chose no subprotocol or one that was not offered ("
          + detail + "): check the module's subprotocols against what the app expects.";
      case H2_NOT_NEGOTIATED -> "The TLS front end did not select h2 in ALPN (" + detail + "), so no"
          + " browser opens this WebSocket over HTTP/2 here. If HTTP/2 is meant to be on, enable it on"
          + " the front end (HAProxy: alpn h2,http/1.1 on the bind line; nginx: http2 on; Apache:"
          + " Protocols h2 http/1.1); if not, probe with http_version \"1.1\".";
      case H2_CONNECT_UNSUPPORTED -> "The server does not offer WebSocket over HTTP/2 (" + detail
          + "): its SETTINGS lack SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441). Browsers then"
          + " need a separate HTTP/1.1 connection for the WebSocket. nginx has no RFC 8441 support;"
          + " HAProxy 2.4 and later advertises it on h2 frontends; Envoy needs allow_connect and"
          + " upgrade_configs; Go's net/http since 1.24 only with GODEBUG=http2xconnect=1.";
      case H2_STREAM_RESET -> "The server reset the WebSocket's HTTP/2 stream (" + detail + "): the"
          + " front end took the extended CONNECT but could not carry it to the app (the backend"
          + " refused the upgrade, a proxy between cannot tunnel it, or a proxy bug: HAProxy #3355)."
          + " Probe the backend with http_version \"1.1\" (origin_url) to see which side fails.";
      case H2_GOAWAY -> "The server ended the HTTP/2 connection with GOAWAY (" + detail + "): it is"
          + " shutting down or reloading (NO_ERROR), or it refused what the probe sent"
          + " (PROTOCOL_ERROR: a front end that advertises extended CONNECT it cannot serve).";
      case EXTENSION_REJECTED -> "The module requires permessage-deflate, but the answer did not"
          + " agree to it (" + detail + "): a proxy strips or rewrites Sec-WebSocket-Extensions"
          + " (a headers rule such as HAProxy's http-request del-header, Traefik's headers"
          + " middleware, a CDN), or the app's compression is off (ws: perMessageDeflate).";
      case CLOSED_DURING_UPGRADE -> "The connection was closed or reset before any answer: the"
          + " app refuses this path (Hocuspocus resets any path but its own), or a proxy or"
          + " load balancer drops upgrade requests.";
      case MESSAGE_TIMEOUT -> "The session opened, but no answer came to the probe's message in"
          + " time (or, for a step that waits for the server, no message from it): the app's handler"
          + " is stuck or does not answer this message.";
      case MESSAGE_MISMATCH -> "The session opened, but the answers did not match what the module"
          + " expects (" + detail + ").";
      case MESSAGE_TOO_LARGE -> "The peer sent a frame or message larger than max_message_size ("
          + detail + ").";
      case CLOSED_BY_PEER -> "The peer closed the session before the probe finished (" + detail
          + ").";
      case IDLE_CUT -> "The idle session was cut before the hold ended (" + detail + "): a proxy's"
          + " read timeout (nginx proxy_read_timeout defaults to 60s, HAProxy timeout tunnel) or"
          + " the app's own idle limit; pings (hold.ping_interval) show whether keepalives help.";
      case APP_HANDSHAKE_FAILED -> "The WebSocket opened, but the application protocol's handshake did"
          + " not complete (" + detail + "): check the module's protocol and path (Socket.IO needs"
          + " /socket.io/?EIO=4&transport=websocket, Docmost's Hocuspocus exactly /collab), and that"
          + " the app behind the proxy is the one expected.";
      case AUTH_FAILED -> "The app refused the probe's credentials (" + detail + "): check the probe"
          + " account, its password or token file, and that it may read the document or space.";
      case BROADCAST_TIMEOUT -> "Sessions joined the same room or document, but the marker sent on"
          + " one did not reach the others in time (" + detail + "): a stuck pub/sub adapter,"
          + " an overloaded node, or a load balancer spreading one room over several instances"
          + " without sticky sessions or a shared adapter.";
      case PROTOCOL_ERROR -> "The session opened, but the server sent frames that break the"
          + " WebSocket protocol (" + detail + "): browsers drop such a connection. Look for a proxy"
          + " or middlebox that rewrites frames (one relaying compressed frames the client never"
          + " agreed to, or re-encoding text), or a server library bug.";
      case RESOURCE_EXHAUSTED -> "The agent could not probe: " + detail + ". This says nothing"
          + " about the target. Raise the agent's file descriptor limit (LimitNOFILE= in the systemd"
          + " unit, ulimit -n, the container's nofile ulimit) or lower max_concurrent_probes; probes"
          + " resume by themselves once descriptors are free.";
      case INTERNAL_ERROR -> "wsprobe itself failed (" + detail + "); please report it.";
    };
  }

  private static String rejected(int status, String ct) {
    String base = "Got HTTP " + status + ct + " instead of 101: the upgrade was refused.";
    return switch (status) {
      case 400, 404, 405, 426 -> base + " When the app itself serves WebSocket on this path, this"
          + " usually means a proxy is not forwarding the Upgrade and Connection headers (the app"
          + " then sees a plain GET: Socket.IO answers 400, many servers 426).\n" + NGINX_FIX;
      case 401, 403 -> base + " The app refused the credentials or Origin: check the module's"
          + " headers, bearer token and origin.";
      case 502, 503, 504 -> base + " The proxy could not reach the app behind it: the backend is"
          + " down or the proxy points at the wrong upstream.";
      default -> base;
    };
  }

  /**
   * Which side drops the upgrade, from the direct upgrade of the target's origin_url: put before
   * the public URL's diagnosis when the origin upgrades, in its place when the origin fails too.
   */
  static String origin(String originUrl, boolean originUpgraded, Result originResult, String originDetail) {
    if (originUpgraded) {
      return "The app upgrades when asked directly (origin_url " + originUrl + "), but not through"
          + " the public URL: a proxy between the public URL and the origin drops the upgrade. Probe"
          + " each proxy's own address (wsprobe probe) to find the first one that fails, and fix it:";
    }
    return "The app itself refuses the upgrade: asked directly, without the proxies in between,"
        + " origin_url " + originUrl + " fails too (" + originResult.label() + ": " + originDetail
        + "). Fix the app first: is it running and listening there, does it serve WebSocket on"
        + " this path, and does it accept the module's headers, Origin and subprotocols?";
  }

  /** The forward proxy did not open the tunnel: by its status when it answered. */
  private static String proxy(String detail) {
    if (detail.contains("with 407")) {
      return "The forward proxy (proxy_url) wants credentials (" + detail + "): set proxy_user and"
          + " proxy_password (or proxy_password_file), or check them: the proxy rejected the ones"
          + " sent.";
    } else if (detail.contains("with 403")) {
      return "The forward proxy (proxy_url) refused the tunnel by its rules (" + detail + "): its"
          + " access list must allow CONNECT to this host and port (Squid: `http_access` and the"
          + " SSL_ports/Safe_ports ACLs; ports other than 443 are denied by default).";
    } else if (detail.contains("answered CONNECT")) {
      return "The forward proxy (proxy_url) refused the tunnel (" + detail + "): a 5xx means it"
          + " could not reach the target (DNS or connection from the proxy's side) or is"
          + " overloaded; check the proxy's log for this host and port.";
    }
    return "The forward proxy (proxy_url) accepted the connection but did not open the tunnel ("
        + detail + "): check that proxy_url names an HTTP proxy (not a SOCKS or TLS port) and"
        + " that the proxy is healthy.";
  }
}
