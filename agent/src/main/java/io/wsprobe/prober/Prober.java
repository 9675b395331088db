package io.wsprobe.prober;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;

/**
 * One probe of one target with one module. The seam between deciding when to probe (the
 * scheduler, {@code /probe}, {@code wsprobe probe}) and probing: tests of the former use a
 * prober of their own.
 */
public interface Prober {

  /**
   * Probes on {@code context}'s event loop and completes there, by the target's timeout at the
   * latest, always with a result (failures are results, never a failed future).
   */
  Future<ProbeResult> probe(Target target, Module module, Context context);

  /**
   * The same probe, for a caller that never reads the result's trace (the scheduler): the
   * prober may leave it empty. Everything else in the result is the same.
   */
  default Future<ProbeResult> probeUntraced(Target target, Module module, Context context) {
    return probe(target, module, context);
  }
}
