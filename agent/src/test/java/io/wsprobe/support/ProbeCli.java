package io.wsprobe.support;

import io.wsprobe.cli.AgentCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** {@code wsprobe probe ...} run in this JVM as a user runs it, its standard output captured. */
public final class ProbeCli {

  /** What the command printed, and its exit code. */
  public record Run(int exit, String out) {}

  private ProbeCli() {}

  /** {@code wsprobe <args>}: the whole command line after {@code wsprobe}. */
  public static Run run(String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int exit;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      exit = AgentCommand.commandLine().execute(args);
    } finally {
      System.setOut(saved);
    }
    return new Run(exit, buf.toString(StandardCharsets.UTF_8));
  }
}
