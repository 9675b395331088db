package io.wsprobe.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real Varnish (the Debian package varnish) run by a test on loopback in the foreground, with
 * its own working directory and a VCL the test chooses. Fails, never skips, when Varnish is
 * missing: {@code scripts/test} installs it.
 */
public final class Varnish implements AutoCloseable {

  private final ServerProcess process;

  private Varnish(ServerProcess process) {
    this.process = process;
  }

  public static String binary() {
    return Binaries.find("varnish", "varnishd");
  }

  /** Just the backend: Varnish's built-in VCL then serves an upgrade request as a plain GET. */
  public static String defaultVcl(int backendPort) {
    return backend(backendPort);
  }

  /** Upgrades piped to the backend, with the hop-by-hop Upgrade and Connection copied back on. */
  public static String pipeVcl(int backendPort) {
    return backend(backendPort) + """
        sub vcl_recv {
            if (req.http.Upgrade ~ "(?i)websocket") {
                return (pipe);
            }
        }
        sub vcl_pipe {
            if (req.http.Upgrade) {
                set bereq.http.Upgrade = req.http.Upgrade;
                set bereq.http.Connection = req.http.Connection;
            }
        }
        """;
  }

  private static String backend(int port) {
    return "vcl 4.1;\nbackend default { .host = \"127.0.0.1\"; .port = \"" + port + "\"; }\n";
  }

  /**
   * {@code varnishd -F} on a free loopback port; no management port ({@code -T none}), no jail
   * ({@code -j none}: run as root, Varnish would otherwise compile the VCL as an unprivileged user
   * that cannot read the test's private temporary directory).
   */
  public static Varnish start(Path dir, String vcl) throws Exception {
    int port = Nginx.freePort();
    Path file = dir.resolve("wsprobe.vcl").toAbsolutePath();
    Files.writeString(file, vcl);
    return new Varnish(ServerProcess.listening("varnishd", List.of(binary(), "-F", "-a", "127.0.0.1:" + port,
        "-T", "none", "-j", "none", "-f", file.toString(), "-n", dir.resolve("varnish").toAbsolutePath().toString(),
        "-s", "malloc,16m"), Map.of(), dir, port));
  }

  public int port() {
    return process.port;
  }

  @Override
  public void close() throws Exception {
    process.close();
  }
}
