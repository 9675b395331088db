package io.wsprobe.cli;

import picocli.CommandLine;

/** Entry point: parses the command line and runs the chosen command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // The dns phase measures the system resolver, not the JVM's 30-second cache of it.
    java.security.Security.setProperty("networkaddress.cache.ttl", "0");
    java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
    System.exit(AgentCommand.commandLine().execute(args));
  }
}
