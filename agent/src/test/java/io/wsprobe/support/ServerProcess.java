package io.wsprobe.support;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server binary run by a test on a loopback port, with its output in {@code dir/output.log},
 * considered started once {@code readyPath} answers 200 ({@link #start}) or once the port accepts
 * connections ({@link #listening}, for proxies whose every path goes to a backend).
 */
final class ServerProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Path log;
  private final Process process;
  final int port;

  private ServerProcess(String name, Path log, Process process, int port) {
    this.name = name;
    this.log = log;
    this.process = process;
    this.port = port;
  }

  static ServerProcess start(String name, List<String> command, Path dir, int port, String readyPath)
      throws Exception {
    Path log = dir.resolve("output.log");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    ServerProcess server = new ServerProcess(name, log, p, port);
    try {
      server.awaitReady(readyPath, Duration.ofSeconds(30));
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Started with {@code env} added to the environment, ready once {@code port} accepts a connection. */
  static ServerProcess listening(String name, List<String> command, Map<String, String> env, Path dir, int port)
      throws Exception {
    Path log = dir.resolve("output.log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    ServerProcess server = new ServerProcess(name, log, pb.start(), port);
    try {
      server.awaitListening(Duration.ofSeconds(20));
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitListening(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (java.io.IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException(name + " not listening on " + port + " after " + timeout.toSeconds()
        + "s:\n" + output());
  }

  private void awaitReady(String path, Duration timeout) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + port + path);
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (java.io.IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " not ready on " + uri + " after " + timeout.toSeconds() + "s ("
        + last + "):\n" + output());
  }

  /** Everything the process printed so far, for failure messages. */
  String output() {
    try {
      return Files.readString(log);
    } catch (Exception e) {
      return "(no output: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
