package io.wsprobe.config;

import java.util.List;
import java.util.Map;

/**
 * A validated configuration: what {@link ConfigLoader} returns. Immutable, so a reload swaps the
 * whole object and a probe in flight keeps the one it started with.
 *
 * @param source      where it came from (a file name or "embedded demo"), for logs
 * @param modules     named probe recipes; always contains {@link Module#DEFAULT_NAME}
 * @param targetFiles where more targets are read from ({@code target_files:}); their targets are
 *                    not in {@code targets} until {@link TargetFileSet} adds them
 * @param probeAllow  the URLs {@code /probe} may probe on request ({@code web.probe_allow:})
 */
public record Config(String source, Global global, Map<String, Module> modules, List<Target> targets,
                     TargetFiles targetFiles, ProbeAllow probeAllow) {

  /** A configuration without {@code target_files} nor {@code web}. */
  public Config(String source, Global global, Map<String, Module> modules, List<Target> targets) {
    this(source, global, modules, targets, TargetFiles.NONE);
  }

  /** A configuration without {@code web}: no URL is probed on request. */
  public Config(String source, Global global, Map<String, Module> modules, List<Target> targets,
                TargetFiles targetFiles) {
    this(source, global, modules, targets, targetFiles, ProbeAllow.NONE);
  }

  public Module moduleOf(Target target) {
    return modules.get(target.module());
  }

  /** The same configuration with other targets (discovered ones added, or a shard's share). */
  public Config withTargets(List<Target> replaced) {
    return new Config(source, global, modules, List.copyOf(replaced), targetFiles, probeAllow);
  }
}
