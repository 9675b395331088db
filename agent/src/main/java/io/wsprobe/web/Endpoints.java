package io.wsprobe.web;

import io.vertx.core.Future;
import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.metrics.ExpositionFormatWriter;
import io.wsprobe.metrics.TextOut;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.results.StatusBoard;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * What the web port needs of the running agent, one narrow interface per endpoint. The
 * composition root (cli's {@code Agent}) wires them to the metrics, the config source, the
 * scheduler and the status board; tests give fakes.
 *
 * @param config   the running config: {@code /probe} finds its target, its module and
 *                 {@code web.probe_allow} there, the status page each target's module
 */
public record Endpoints(Supplier<Config> config, Scrape scrape, Reload reload, ProbeNow probeNow,
                        Status status) {

  /** {@code /metrics}: every series, in {@code format}. Runs on a worker thread. */
  @FunctionalInterface
  public interface Scrape {
    void scrape(TextOut out, ExpositionFormatWriter format);
  }

  /** {@code POST /-/reload}: completes with the config now running, or fails with why not. */
  @FunctionalInterface
  public interface Reload {
    Future<Config> reload();
  }

  /**
   * {@code /probe}: one probe now, outside the schedule, of a configured target or of a URL
   * (then a target of the web's making, named by its redacted URL); fails with
   * {@link io.wsprobe.scheduler.NoFreeSlot} when every slot is taken or owed.
   */
  @FunctionalInterface
  public interface ProbeNow {
    Future<ProbeResult> probeNow(Target target, Module module);
  }

  /** {@code /}: each scheduled target's last result. */
  @FunctionalInterface
  public interface Status {
    Collection<StatusBoard.TargetStatus> status();
  }
}
