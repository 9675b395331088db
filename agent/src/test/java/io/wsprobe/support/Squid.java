package io.wsprobe.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Squid (the Debian package) run by a test on loopback as a forward proxy: CONNECT allowed
 * to the ports the test names and denied to one, no cache, its pid file and logs in the test's
 * directory, in the foreground. Fails, never skips, when Squid is missing: {@code scripts/test}
 * installs it.
 */
public final class Squid implements AutoCloseable {

  private final Path dir;
  private final int port;
  private Process process;

  private Squid(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  public static String binary() {
    return Binaries.find("squid", "squid");
  }

  /**
   * Starts Squid allowing CONNECT and plain HTTP requests to {@code allowed} and denying CONNECT
   * to {@code denied} (403 by its ACL); with a {@code user} and {@code password}, every CONNECT needs them (basic_ncsa_auth),
   * else it answers 407.
   */
  public static Squid start(Path dir, List<Integer> allowed, int denied, String user, String password)
      throws Exception {
    Squid squid = new Squid(dir, Nginx.freePort());
    squid.launch(allowed, denied, user, password);
    return squid;
  }

  public int port() {
    return port;
  }

  /** The proxy's access log: which CONNECTs it saw and what it answered. */
  public String accessLog() throws IOException {
    Path log = dir.resolve("access.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private void launch(List<Integer> allowed, int denied, String user, String password) throws Exception {
    // Squid drops root for the proxy user: the directory must be open to it for the logs
    dir.toFile().setWritable(true, false);
    dir.toFile().setExecutable(true, false);
    dir.toFile().setReadable(true, false);
    String auth = "";
    String authed = "";
    if (user != null) {
      Process p = new ProcessBuilder("openssl", "passwd", "-apr1", password).redirectErrorStream(true).start();
      String hash = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("openssl passwd failed: " + hash);
      }
      Path passwd = dir.resolve("passwd");
      Files.writeString(passwd, user + ":" + hash + "\n");
      passwd.toFile().setReadable(true, false);
      auth = """
          auth_param basic program %s %s
          auth_param basic children 1 startup=1 idle=1
          auth_param basic realm wsprobe-test
          acl authed proxy_auth REQUIRED
          """.formatted(helper(), passwd);
      authed = " authed";
    }
    String ports = allowed.stream().map(String::valueOf).collect(Collectors.joining(" "));
    String conf = """
        http_port 127.0.0.1:%1$d
        pid_filename %2$s/squid.pid
        cache_log %2$s/cache.log
        access_log stdio:%2$s/access.log
        cache_store_log none
        netdb_filename none
        coredump_dir %2$s
        cache deny all
        cache_mem 8 MB
        shutdown_lifetime 0 seconds
        %3$s
        acl CONNECT method CONNECT
        acl allowed_ports port %4$s
        acl denied_port port %5$d
        http_access deny CONNECT denied_port
        http_access allow CONNECT allowed_ports%6$s
        http_access allow !CONNECT allowed_ports%6$s
        http_access deny all
        """.formatted(port, dir, auth, ports, denied, authed);
    Files.writeString(dir.resolve("squid.conf"), conf);
    process = new ProcessBuilder(binary(), "-N", "-f", dir.resolve("squid.conf").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("squid exited: " + Files.readString(dir.resolve("stdout.log"))
            + (Files.exists(dir.resolve("cache.log")) ? Files.readString(dir.resolve("cache.log")) : ""));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("squid did not start listening on " + port);
  }

  private static String helper() {
    for (String d : List.of("/usr/lib/squid", "/usr/lib64/squid", "/usr/libexec/squid")) {
      Path p = Path.of(d, "basic_ncsa_auth");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException("basic_ncsa_auth is not installed (Debian package squid): run scripts/test");
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
