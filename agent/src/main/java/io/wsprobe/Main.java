package io.wsprobe;

import io.wsprobe.cli.AgentCommand;
import picocli.CommandLine;

/** Entry point: parses the command line and runs the chosen command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(AgentCommand.commandLine().execute(args));
  }
}
