package io.wsprobe.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command-line tools the deploy tests use (kubectl, docker-compose, systemd-analyze,
 * the repository's own scripts), found with {@link Binaries#find}.
 */
public final class Tools {

  private Tools() {}

  /** What a command printed and how it ended. */
  public record Run(int exit, String out, String err) {
    public Run ok(String what) {
      if (exit != 0) {
        throw new AssertionError(what + " exited with " + exit + ":\n" + err + out);
      }
      return this;
    }
  }

  public static Run run(Path dir, Map<String, String> env, String... command) throws Exception {
    return run(dir, env, List.of(command));
  }

  public static Run run(Path dir, Map<String, String> env, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile());
    pb.environment().putAll(env);
    Path out = Files.createTempFile("wsprobe-tool", ".out");
    Path err = Files.createTempFile("wsprobe-tool", ".err");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in 60s");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
