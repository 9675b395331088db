package io.wsprobe.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real Apache httpd 2.4 (the Debian package apache2) run by a test on loopback as a reverse
 * proxy, with a minimal config of its own (no /etc/apache2). Fails, never skips, when Apache is
 * missing: {@code scripts/test} installs it. The modules are loaded from where the Debian package
 * puts them ({@code /usr/lib/apache2/modules}, which {@code apache2 -V} does not tell).
 */
public final class Apache implements AutoCloseable {

  private static final Path MODULES = Path.of("/usr/lib/apache2/modules");

  private final ServerProcess process;

  private Apache(ServerProcess process) {
    this.process = process;
  }

  public static String binary() {
    return Binaries.find("apache2", "apache2", "httpd");
  }

  /** {@code ProxyPass / http://127.0.0.1:<port>/ upgrade=websocket}: mod_proxy_http passes upgrades. */
  public static String proxyWithUpgrade(int port) {
    return "ProxyPass / http://127.0.0.1:" + port + "/ upgrade=websocket\n";
  }

  /** The same without {@code upgrade=websocket}, as in the broken deployments: upgrades become plain GETs. */
  public static String proxyWithoutUpgrade(int port) {
    return "ProxyPass / http://127.0.0.1:" + port + "/\n";
  }

  /** Starts {@code apache2 -DFOREGROUND} with {@code directives} after the modules and the listener. */
  public static Apache start(Path dir, String directives) throws Exception {
    int port = Nginx.freePort();
    // mod_unixd is built into Debian's apache2; loading it again is an error
    String conf = """
        ServerRoot %1$s
        ServerName 127.0.0.1
        LoadModule mpm_event_module %2$s/mod_mpm_event.so
        LoadModule authz_core_module %2$s/mod_authz_core.so
        LoadModule proxy_module %2$s/mod_proxy.so
        LoadModule proxy_http_module %2$s/mod_proxy_http.so
        PidFile %1$s/apache.pid
        ErrorLog %1$s/error.log
        DefaultRuntimeDir %1$s
        Listen 127.0.0.1:%3$d
        %4$s
        """.formatted(dir, MODULES, port, directives);
    Path file = dir.resolve("apache.conf");
    Files.writeString(file, conf);
    return new Apache(ServerProcess.listening("apache2", List.of(binary(), "-f", file.toString(), "-DFOREGROUND"),
        Map.of(), dir, port));
  }

  public int port() {
    return process.port;
  }

  @Override
  public void close() throws Exception {
    process.close();
  }
}
