package io.wsprobe.results;

import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.prober.ProbeResult;

/**
 * Told of every result, on the target's event loop: from several threads at once. The simplest
 * subscriber (the demo prints results, tests collect them); see {@link Results#listener}.
 */
@FunctionalInterface
public interface ResultListener {
  void onResult(Target target, Module module, ProbeResult result);
}
