package io.wsprobe.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code promtool} and returns its exit code with everything it printed. */
public final class Promtool {

  public record Run(int exit, String output) {}

  private Promtool() {}

  public static Run run(Path workDir, String... args) throws Exception {
    return withInput(workDir, "", args);
  }

  /** {@code promtool check metrics} on {@code scrape} (what it reads on its standard input). */
  public static Run checkMetrics(String scrape) throws Exception {
    return withInput(Path.of("."), scrape, "check", "metrics");
  }

  private static Run withInput(Path workDir, String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Binaries.promtool());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
    // written by another thread: promtool may print before it has read everything
    Thread writer = new Thread(() -> {
      try (var in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (java.io.IOException e) {
        // promtool stopped reading; its exit code and output tell why
      }
    });
    writer.start();
    byte[] out = p.getInputStream().readAllBytes();
    writer.join();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish in 60s");
    }
    return new Run(p.exitValue(), "$ promtool " + String.join(" ", args) + "\n" + new String(out, StandardCharsets.UTF_8));
  }
}
