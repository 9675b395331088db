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
    List<String> cmd = new ArrayList<>();
    cmd.add(Binaries.promtool());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish in 60s");
    }
    return new Run(p.exitValue(), "$ promtool " + String.join(" ", args) + "\n" + new String(out, StandardCharsets.UTF_8));
  }
}
