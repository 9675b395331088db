package io.wsprobe.config;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What the config tests share: parsing inline YAML with a stand-in environment, and its errors. */
final class ConfigTesting {

  /** A stand-in for the process environment; values are distinctive so leaks are visible. */
  static final Map<String, String> ENV = Map.of(
      "API_KEY", "k3y-from-env",
      "TOKEN", "t0ken-from-env");

  /** A socketio module logging in to Docmost, up to the keys each test adds. */
  static final String SOCKETIO_LOGIN = """
      modules:
        tree:
          protocol: socketio
          auth:
            type: docmost
      """;

  private ConfigTesting() {
  }

  static Config parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "test.yml", Path.of(""), ENV::get);
  }

  static List<String> errors(String yaml) {
    return errors(yaml, Path.of(""), ENV);
  }

  static List<String> errors(String yaml, Path baseDir, Map<String, String> env) {
    return exception(yaml, baseDir, env).errors().stream().map(ConfigError::toString).toList();
  }

  static ConfigException exception(String yaml, Path baseDir, Map<String, String> env) {
    try {
      ConfigLoader.parse(yaml, "test.yml", baseDir, env::get);
    } catch (ConfigException e) {
      return e;
    }
    return fail("expected the configuration to be rejected");
  }

  static Duration seconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }
}
