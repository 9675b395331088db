package io.wsprobe.config;

import java.util.Objects;

/**
 * One mistake in a configuration, located by line and by YAML path so a human can find it.
 *
 * @param source  file name (or other label) the configuration came from
 * @param line    1-based line of the offending node; 0 when it concerns the whole file
 * @param path    YAML path such as {@code targets[2].url}; empty when it concerns the whole file
 * @param message what is wrong; never contains a secret value
 */
public record ConfigError(String source, int line, String path, String message) {

  public ConfigError {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(message, "message");
    path = path == null ? "" : path;
  }

  /** {@code source:line: path: message}; the line and the path are left out when unknown. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(source);
    if (line > 0) {
      text.append(':').append(line);
    }
    text.append(": ");
    if (!path.isEmpty()) {
      text.append(path).append(": ");
    }
    return text.append(message).toString();
  }
}
