package io.wsprobe.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wsprobe.Version;
import io.wsprobe.config.Buckets;
import io.wsprobe.config.TargetFileSet.FileStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's own series (build, config reloads, scheduler) and the JVM/process ones, in the
 * registry that {@code /metrics} scrapes. The JVM and process series are client_java's
 * ({@code process_cpu_seconds_total}, {@code process_open_fds}, {@code jvm_memory_used_bytes},
 * …), the names every Prometheus dashboard knows, registered on the Micrometer registry's
 * underlying {@link PrometheusRegistry} so that one scrape writes both.
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
  public static final String TARGET_FILE_OK = "wsprobe.target.file.last.read.successful";
  public static final String TARGET_FILE_TARGETS = "wsprobe.target.file.targets";

  private final PrometheusMeterRegistry registry;
  private final AtomicLong reloadOk = new AtomicLong(1);
  private final AtomicLong reloadMillis = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong targets = new AtomicLong();
  private final AtomicLong shardTargets = new AtomicLong();
  private final Timer lag;
  private final MultiGauge targetFileOk;
  private final MultiGauge targetFileTargets;
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
    targetFileOk = MultiGauge.builder(TARGET_FILE_OK)
        .description("1 when the target file's content is in use, 0 when it was not (its last good content stays)")
        .register(registry);
    targetFileTargets = MultiGauge.builder(TARGET_FILE_TARGETS)
        .description("Targets the target file gives now, before sharding").register(registry);
    jvm(registry.getPrometheusRegistry());
  }

  /**
   * What client_java's {@code JvmMetrics} registers, less two parts: the allocation counters add a
   * GC listener that nothing can remove (every closed registry would leave one behind), and the
   * native memory gauges need {@code -XX:NativeMemoryTracking}. Registered part by part, as
   * {@code JvmMetrics} would keep every registry it has seen in a static set.
   */
  private static void jvm(PrometheusRegistry prometheus) {
    JvmThreadsMetrics.builder().register(prometheus);
    JvmBufferPoolMetrics.builder().register(prometheus);
    JvmClassLoadingMetrics.builder().register(prometheus);
    JvmCompilationMetrics.builder().register(prometheus);
    JvmGarbageCollectorMetrics.builder().register(prometheus);
    JvmMemoryMetrics.builder().register(prometheus);
    JvmRuntimeInfoMetric.builder().register(prometheus);
    ProcessMetrics.builder().register(prometheus);
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

  /** The state of every file {@code target_files} matches now; the series of others go. */
  public void targetFiles(List<FileStatus> files) {
    targetFileOk.register(files.stream()
        .map(f -> MultiGauge.Row.of(Tags.of("file", f.file().toString()), f.ok() ? 1 : 0)).toList(), true);
    targetFileTargets.register(files.stream()
        .map(f -> MultiGauge.Row.of(Tags.of("file", f.file().toString()), f.targets())).toList(), true);
  }

  @Override
  public void close() {
    registry.close();
  }
}
