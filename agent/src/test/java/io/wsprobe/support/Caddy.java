package io.wsprobe.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real Caddy 2 (the Debian package caddy) run by a test on loopback from a Caddyfile, without
 * its admin endpoint and with its data and config directories in the test's own. Fails, never
 * skips, when Caddy is missing: {@code scripts/test} installs it.
 */
public final class Caddy implements AutoCloseable {

  private final ServerProcess process;

  private Caddy(ServerProcess process) {
    this.process = process;
  }

  public static String binary() {
    return Binaries.find("caddy", "caddy");
  }

  /** {@code reverse_proxy} to the backend: Caddy forwards upgrades by itself. */
  public static Caddy reverseProxy(Path dir, int backendPort) throws Exception {
    int port = Nginx.freePort();
    Path file = dir.resolve("Caddyfile");
    Files.writeString(file, """
        {
            admin off
        }
        http://127.0.0.1:%d {
            reverse_proxy 127.0.0.1:%d
        }
        """.formatted(port, backendPort));
    String home = dir.toAbsolutePath().toString();
    return new Caddy(ServerProcess.listening("caddy", List.of(binary(), "run", "--config", file.toString(),
        "--adapter", "caddyfile"), Map.of("HOME", home, "XDG_DATA_HOME", home, "XDG_CONFIG_HOME", home), dir, port));
  }

  public int port() {
    return process.port;
  }

  @Override
  public void close() throws Exception {
    process.close();
  }
}
