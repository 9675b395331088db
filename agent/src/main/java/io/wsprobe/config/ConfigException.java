package io.wsprobe.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration that cannot be used, with every mistake found in it (not just the first). */
public class ConfigException extends Exception {

  private final List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one error");
    }
    this.errors = List.copyOf(errors);
  }

  /** The mistakes, in file order. */
  public List<ConfigError> errors() {
    return errors;
  }
}
