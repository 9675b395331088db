package io.wsprobe.config;

import java.util.List;
import java.util.Map;

/**
 * A validated configuration: what {@link ConfigLoader} returns. Immutable, so a reload swaps the
 * whole object and a probe in flight keeps the one it started with.
 *
 * @param source  where it came from (a file name or "embedded demo"), for logs
 * @param modules named probe recipes; always contains {@link Module#DEFAULT_NAME}
 */
public record Config(String source, Global global, Map<String, Module> modules, List<Target> targets) {

  public Module moduleOf(Target target) {
    return modules.get(target.module());
  }
}
