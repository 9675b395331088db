package io.wsprobe.prober;

/**
 * How a probe ended: the {@code result} label. The label values are a contract (alerts match
 * them); see docs/metrics.md.
 */
public enum Result {
  SUCCESS,
  DNS_ERROR,
  CONNECT_REFUSED,
  CONNECT_TIMEOUT,
  /**
   * The forward proxy (proxy_url) did not open the tunnel: it refused CONNECT (403, 407, 5xx),
   * closed the connection, or did not answer in time.
   */
  PROXY_ERROR,
  /** A certificate of the chain has expired (checked before the other TLS causes). */
  TLS_CERT_EXPIRED,
  /** No path to a trusted CA (unknown issuer, self-signed, incomplete chain), or a refused chain. */
  TLS_UNTRUSTED,
  /** A trusted certificate, but not for the name the probe asked for. */
  TLS_HOSTNAME_MISMATCH,
  /** No protocol version or cipher in common, an alert from the server, not TLS, or not in time. */
  TLS_HANDSHAKE_FAILED,
  UPGRADE_TIMEOUT,
  /** 1xx-3xx answer without an upgrade: the request was served as plain HTTP. */
  UPGRADE_IGNORED,
  /** 4xx/5xx answer. */
  UPGRADE_REJECTED,
  /** A 101 that is not a valid WebSocket handshake, or an answer that is not HTTP at all. */
  BAD_ACCEPT,
  SUBPROTOCOL_MISMATCH,
  /** http_version 2 over TLS: ALPN did not select h2 (the server chose http/1.1, or nothing). */
  H2_NOT_NEGOTIATED,
  /**
   * http_version 2: the server's SETTINGS do not carry SETTINGS_ENABLE_CONNECT_PROTOCOL = 1
   * (RFC 8441), so no WebSocket can be opened over its HTTP/2, or it spoke no HTTP/2 at all.
   */
  H2_CONNECT_UNSUPPORTED,
  /** http_version 2: the server reset the WebSocket's stream (RST_STREAM), with its error code. */
  H2_STREAM_RESET,
  /** http_version 2: the server ended the connection with GOAWAY, with its error code. */
  H2_GOAWAY,
  /** compression require: the answer carries no permessage-deflate, or another extension. */
  EXTENSION_REJECTED,
  CLOSED_DURING_UPGRADE,
  MESSAGE_TIMEOUT,
  MESSAGE_MISMATCH,
  MESSAGE_TOO_LARGE,
  CLOSED_BY_PEER,
  IDLE_CUT,
  /** The application protocol's own handshake failed (no open packet, no sync, a refused namespace). */
  APP_HANDSHAKE_FAILED,
  /** The app refused the probe's credentials (login, token, PermissionDenied, 4401). */
  AUTH_FAILED,
  /** A broadcast receiver did not get the marker in time. */
  BROADCAST_TIMEOUT,
  /**
   * The peer broke RFC 6455 after the upgrade: a text frame that is not UTF-8, a control frame
   * over 125 bytes, reserved bits or opcodes, a masked frame from the server.
   */
  PROTOCOL_ERROR,
  /**
   * The agent could not start or finish the probe for want of its own resources (file
   * descriptors): says nothing about the target.
   */
  RESOURCE_EXHAUSTED,
  INTERNAL_ERROR;

  private final String label = name().toLowerCase(java.util.Locale.ROOT);

  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
