package io.wsprobe.cli;

import io.wsprobe.log.Logging;
import picocli.CommandLine.Option;

/** {@code --log.level} and {@code --log.format}, shared by the commands that run for a while. */
public final class LogOptions {

  @Option(names = "--log.level", paramLabel = "LEVEL", defaultValue = "info",
      description = "debug, info, warn or error (default: ${DEFAULT-VALUE})")
  String level;

  @Option(names = "--log.format", paramLabel = "FORMAT", defaultValue = "logfmt",
      description = "logfmt or json (default: ${DEFAULT-VALUE})")
  String format;

  void apply() {
    String lvl = Logging.checkLevel(level);
    if (lvl == null) {
      throw new IllegalArgumentException("--log.level must be debug, info, warn or error, got '" + level + "'");
    }
    Logging.Format fmt = switch (format) {
      case "logfmt" -> Logging.Format.LOGFMT;
      case "json" -> Logging.Format.JSON;
      default -> throw new IllegalArgumentException("--log.format must be logfmt or json, got '" + format + "'");
    };
    Logging.configure(lvl, fmt);
  }
}
