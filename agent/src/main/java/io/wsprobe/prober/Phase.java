package io.wsprobe.prober;

/** A timed step of a probe: the {@code phase} label of wsprobe_phase_duration_seconds. */
public enum Phase {
  DNS, CONNECT,
  /** The forward proxy's answer to CONNECT (modules with proxy_url). */
  PROXY_CONNECT,
  TLS, UPGRADE,
  /** The application protocol's handshake after the upgrade (Socket.IO connect, Hocuspocus auth, Yjs sync). */
  APP_HANDSHAKE;

  private final String label = name().toLowerCase(java.util.Locale.ROOT);

  public String label() {
    return label;
  }
}
