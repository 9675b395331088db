package io.wsprobe.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A real nginx (the Debian package) run by a test on loopback, with a config the test writes.
 * Fails, never skips, when nginx is missing: {@code scripts/test} installs it.
 */
public final class Nginx implements AutoCloseable {

  /** A location proxying to {@code 127.0.0.1:<port>} with the WebSocket lines: upgrades pass. */
  public static String proxyWithUpgrade(int port) {
    return location(port, """
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        """);
  }

  /** The same without them, as in the broken deployments: upgrades become plain GETs. */
  public static String proxyWithoutUpgrade(int port) {
    return location(port, "");
  }

  private static String location(int port, String lines) {
    return "    location / {\n      proxy_pass http://127.0.0.1:" + port + ";\n" + lines
        + "      proxy_set_header Host $host;\n    }\n";
  }

  private final Path dir;
  private final int port;
  private Process process;

  private Nginx(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  public static String binary() {
    return Binaries.find("nginx", "nginx");
  }

  /**
   * Starts nginx with {@code serverBlock} (the inside of {@code server { }}, with
   * {@code listen} added) under a minimal http block.
   */
  public static Nginx start(Path dir, String serverBlock) throws Exception {
    int port = freePort();
    Nginx nginx = new Nginx(dir, port);
    nginx.writeConfig(serverBlock);
    nginx.launch();
    return nginx;
  }

  /**
   * Starts nginx with a whole http-level file (server blocks, maps, upstreams) such as the
   * recipes in deploy/proxy/nginx; {@code httpFile} gets the port it must listen on.
   */
  public static Nginx startHttp(Path dir, IntFunction<String> httpFile) throws Exception {
    int port = freePort();
    Nginx nginx = new Nginx(dir, port);
    Files.writeString(dir.resolve("site.conf"), httpFile.apply(port));
    nginx.writeMain("include " + dir.resolve("site.conf") + ";");
    nginx.launch();
    return nginx;
  }

  public int port() {
    return port;
  }

  /** Replaces the server block and reloads nginx (SIGHUP through {@code nginx -s reload}). */
  public void reload(String serverBlock) throws Exception {
    writeConfig(serverBlock);
    Process p = new ProcessBuilder(binary(), "-p", dir.toString(), "-c", "nginx.conf", "-e",
        dir.resolve("error.log").toString(), "-s", "reload").redirectErrorStream(true).start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("nginx reload failed: " + new String(p.getInputStream().readAllBytes()));
    }
    Thread.sleep(300); // new workers take over
  }

  private void writeConfig(String serverBlock) throws IOException {
    writeMain("""
          server {
            listen 127.0.0.1:%d;
        %s
          }
        """.formatted(port, serverBlock));
  }

  private void writeMain(String httpBody) throws IOException {
    Path tmp = dir.resolve("tmp");
    Files.createDirectories(tmp);
    tmp.toFile().setWritable(true, false);
    String conf = """
        daemon off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %1$s/tmp/body;
          proxy_temp_path %1$s/tmp/proxy;
          fastcgi_temp_path %1$s/tmp/fastcgi;
          uwsgi_temp_path %1$s/tmp/uwsgi;
          scgi_temp_path %1$s/tmp/scgi;
        %2$s
        }
        """.formatted(dir, httpBody);
    Files.writeString(dir.resolve("nginx.conf"), conf);
  }

  private void launch() throws Exception {
    process = new ProcessBuilder(binary(), "-p", dir.toString(), "-c", "nginx.conf", "-e",
        dir.resolve("error.log").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("nginx exited: " + Files.readString(dir.resolve("error.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("nginx did not start listening on " + port);
  }

  /** A port free now and not given out before in this JVM ({@link Ports#free()}). */
  public static int freePort() throws IOException {
    return Ports.free();
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
