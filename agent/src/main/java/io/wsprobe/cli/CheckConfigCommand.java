package io.wsprobe.cli;

import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigException;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.WebConfig;
import io.wsprobe.config.WebConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wsprobe check-config FILE [--web.config.file=WEB]} (also spelled
 * {@code wsprobe --config.file=FILE --config.check}): exit 0 when valid, 2 with every error when not.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = "Validate a configuration file and exit: 0 valid, 2 invalid (every error is listed"
        + " with its line and path).")
final class CheckConfigCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE")
  Path file;

  @Option(names = "--web.config.file", paramLabel = "WEB", description = "also check this web configuration")
  Path webFile;

  @Override
  public Integer call() {
    return check(file, webFile);
  }

  /** Checks {@code file} and, unless null, {@code webFile}; prints the outcome; the exit code. */
  static int check(Path file, Path webFile) {
    int exit = 0;
    try {
      Config c = ConfigLoader.load(file);
      System.out.println(file + ": valid (" + c.targets().size() + " targets, " + c.modules().size()
          + " modules)");
    } catch (ConfigException e) {
      exit = invalid(file, e);
    }
    if (webFile != null) {
      try {
        WebConfig w = WebConfigLoader.load(webFile);
        System.out.println(webFile + ": valid (" + (w.tls() != null ? "TLS" : "no TLS") + ", "
            + w.users().size() + " users)");
      } catch (ConfigException e) {
        exit = invalid(webFile, e);
      }
    }
    return exit;
  }

  private static int invalid(Path file, ConfigException e) {
    System.err.println(file + " is invalid:");
    System.err.println(e.getMessage());
    return 2;
  }
}
