package io.wsprobe.web;

/**
 * A {@code --web.listen-address} value: {@code :9747} (every interface), {@code 127.0.0.1:9747}
 * or {@code [::1]:9747}.
 */
public record ListenAddress(String host, int port) {

  public static ListenAddress parse(String address) {
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("listen address must be [host]:port, got '" + address + "'");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("listen address port must be a number, got '" + address + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listen address port must be 0-65535, got " + port);
    }
    return new ListenAddress(host.isEmpty() ? "0.0.0.0" : host, port);
  }
}
