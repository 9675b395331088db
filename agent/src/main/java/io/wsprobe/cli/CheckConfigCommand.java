package io.wsprobe.cli;

import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigException;
import io.wsprobe.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wsprobe check-config FILE}: exit 0 when valid, 2 with every error when not. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = "Validate a configuration file and exit: 0 valid, 2 invalid (every error is listed"
        + " with its line and path).")
final class CheckConfigCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE")
  Path file;

  @Override
  public Integer call() {
    try {
      Config c = ConfigLoader.load(file);
      System.out.println(file + ": valid (" + c.targets().size() + " targets, " + c.modules().size()
          + " modules)");
      return 0;
    } catch (ConfigException e) {
      System.err.println(file + " is invalid:");
      System.err.println(e.getMessage());
      return 2;
    }
  }
}
