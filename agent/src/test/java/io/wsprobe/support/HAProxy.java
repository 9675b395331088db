package io.wsprobe.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (the Debian package) run by a test on loopback, from a config file and the
 * environment variables it reads. Fails, never skips, when HAProxy is missing: {@code scripts/test}
 * installs it.
 */
public final class HAProxy implements AutoCloseable {

  private final Process process;
  private final int port;

  private HAProxy(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static String binary() {
    return Binaries.find("haproxy", "haproxy");
  }

  /** {@code haproxy -c}: the file's validity as HAProxy sees it, with {@code env} set; returns its output. */
  public static String check(Path config, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(binary(), "-c", "-f", config.toString()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("haproxy -c failed for " + config + ":\n" + out);
    }
    return out;
  }

  /** Starts HAProxy in the foreground with {@code env}; waits until {@code port} accepts connections. */
  public static HAProxy start(Path config, Map<String, String> env, int port, Path log) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(binary(), "-db", "-f", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("haproxy exited: " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new HAProxy(process, port);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("haproxy did not start listening on " + port + ": " + Files.readString(log));
  }

  public int port() {
    return port;
  }

  /**
   * A soft stop, SIGUSR1 (what a reload does to the old process): the listeners close, HTTP/2
   * connections get GOAWAY, and the process exits when its last connection ends (or at
   * {@code hard-stop-after}).
   */
  public void softStop() throws Exception {
    Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(process.pid())).redirectErrorStream(true).start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -USR1 " + process.pid() + " failed: " + new String(kill.getInputStream().readAllBytes()));
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
