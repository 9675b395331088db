package io.wsprobe.prober;

/**
 * The WebSocket extension an upgrade agreed to, as {@code wsprobe_websocket_extension_info}
 * exports it (docs/metrics.md): only an agreed {@code permessage-deflate} has a name other than
 * {@code none}, and its parameters are the few RFC 7692 defines, so a target has a handful of
 * values at most.
 *
 * @param name   {@code permessage-deflate}, or {@code none}
 * @param params the agreed parameters, sorted, written as in the header
 *               ({@code client_max_window_bits=15; server_no_context_takeover}); "" for none
 */
public record Extension(String name, String params) {

  /** Nothing agreed: the session runs uncompressed. */
  public static final Extension NONE = new Extension("none", "");

  /** As the header writes it: {@code permessage-deflate; server_no_context_takeover}. */
  public String shown() {
    return params.isEmpty() ? name : name + "; " + params;
  }
}
