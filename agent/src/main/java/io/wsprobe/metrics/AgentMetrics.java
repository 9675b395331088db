package io.wsprobe.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wsprobe.Version;
import io.wsprobe.config.Buckets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's own series (build, config reloads, scheduler) and the JVM/process ones, in the
 * registry that {@code /metrics} scrapes.
 */
public final class AgentMetrics implements AutoCloseable {

  public static final String BUILD_INFO = "wsprobe.build.info";
  public static final String RELOAD_OK = "wsprobe.config.last.reload.successful";
  public static final String RELOAD_TIME = "wsprobe.config.last.reload.success.timestamp";
  public static final String SCHEDULER_LAG = "wsprobe.scheduler.lag";
  public static final String IN_FLIGHT = "wsprobe.probes.in.flight";
  public static final String TARGETS = "wsprobe.targets";
  public static final String SHARD_TARGETS = "wsprobe.shard.targets";
  public static final String SHARD_INFO = "wsprobe.shard.info";

  private final PrometheusMeterRegistry registry;
  private final AtomicLong reloadOk = new AtomicLong(1);
  private final AtomicLong reloadMillis = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong targets = new AtomicLong();
  private final AtomicLong shardTargets = new AtomicLong();
  private final Timer lag;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private volatile ProbeMetrics probes;

  public AgentMetrics(Buckets buckets) {
    this(buckets, 0, 1);
  }

  /** With this replica's place among {@code shards} agents that split the targets. */
  public AgentMetrics(Buckets buckets, int shard, int shards) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.throwExceptionOnRegistrationFailure();
    Gauge.builder(BUILD_INFO, () -> 1).description("wsprobe version")
        .tag("version", Version.VERSION).tag("revision", Version.REVISION).register(registry);
    Gauge.builder(RELOAD_OK, reloadOk, AtomicLong::get)
        .description("0 after a failed configuration reload, 1 after a good one").register(registry);
    Gauge.builder(RELOAD_TIME, reloadMillis, v -> v.get() / 1000.0).baseUnit("seconds")
        .description("When the configuration was last loaded successfully, Unix time").register(registry);
    Gauge.builder(IN_FLIGHT, inFlight, AtomicLong::get).description("Probes running now").register(registry);
    Gauge.builder(TARGETS, targets, AtomicLong::get)
        .description("Targets in the configuration, over all shards").register(registry);
    Gauge.builder(SHARD_TARGETS, shardTargets, AtomicLong::get)
        .description("Targets this shard probes").register(registry);
    Gauge.builder(SHARD_INFO, () -> 1).description("This replica's shard: index and count")
        .tag("shard", Integer.toString(shard)).tag("shards", Integer.toString(shards)).register(registry);
    lag = Timer.builder(SCHEDULER_LAG).description("Actual minus planned probe start")
        .serviceLevelObjectives(buckets.schedulerLag().stream()
            .map(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new))
        .register(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The per-target series that {@link #scrape} writes from now on (the scheduler's current set). */
  public void probeMetrics(ProbeMetrics probes) {
    this.probes = probes;
  }

  /** Everything {@code /metrics} serves, in Prometheus text 0.0.4. */
  public String scrape() {
    TextOut out = new TextOut(1 << 16);
    scrape(out, ExpositionFormats.TEXT);
    return out.toString();
  }

  /** Writes every series in {@code format}: the targets' first, then the agent's and the JVM's. */
  public void scrape(TextOut out, ExpositionFormatWriter format) {
    format.write(out, probes, registry);
  }

  public void reloaded(boolean ok) {
    reloadOk.set(ok ? 1 : 0);
    if (ok) {
      reloadMillis.set(System.currentTimeMillis());
    }
  }

  public void lag(long nanos) {
    lag.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  public void probeStarted() {
    inFlight.incrementAndGet();
  }

  public void probeEnded() {
    inFlight.decrementAndGet();
  }

  /** Targets in the configuration, before sharding. */
  public void targets(int n) {
    targets.set(n);
  }

  /** Targets this replica probes (all of them when unsharded). */
  public void shardTargets(int n) {
    shardTargets.set(n);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
