package io.wsprobe.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools the deploy tests run (kubectl, docker-compose, systemd-analyze, the
 * repository's own scripts). A missing tool fails the test, never skips it: {@code scripts/test}
 * installs them.
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

  /** The first of {@code names} found in the usual directories, or an error naming the package. */
  public static String find(String debianPackage, String... names) {
    for (String dir : List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/usr/local/sbin")) {
      for (String name : names) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    throw new IllegalStateException(names[0] + " is not installed: run scripts/test, which installs it"
        + " (Debian package " + debianPackage + ")");
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
