package io.wsprobe.metrics;

import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.results.ResultSubscriber;
import io.wsprobe.results.TargetFeed;

/**
 * Records the result stream in the per-target series that {@code /metrics} serves: a target's
 * series live while it is scheduled unchanged, reloads included; a config whose series have
 * another shape ({@link ProbeMetrics#fits}) starts a new set.
 */
public final class SeriesRecorder implements ResultSubscriber {

  private final AgentMetrics agent;
  /** On the scheduler's context. */
  private ProbeMetrics probes;

  public SeriesRecorder(AgentMetrics agent) {
    this.agent = agent;
  }

  @Override
  public boolean fits(Config next) {
    return probes != null && probes.fits(next);
  }

  @Override
  public void applying(Config config) {
    if (!fits(config)) {
      if (probes != null) {
        probes.removeAll();
      }
      probes = new ProbeMetrics(config);
      agent.probeMetrics(probes);
    }
  }

  @Override
  public TargetFeed open(Target target, Module module) {
    return new Feed(probes, probes.register(target, module));
  }

  private record Feed(ProbeMetrics owner, TargetSeries series) implements TargetFeed {
    @Override
    public void result(ProbeResult r) {
      series.record(r, System.currentTimeMillis());
    }

    @Override
    public void skipped() {
      series.skipped();
    }

    @Override
    public void closed() {
      owner.remove(series.target().name());
    }
  }
}
