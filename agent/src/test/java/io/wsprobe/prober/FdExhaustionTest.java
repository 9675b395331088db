package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.metrics.AgentMetrics;
import io.wsprobe.metrics.SeriesRecorder;
import io.wsprobe.results.Results;
import io.wsprobe.scheduler.Scheduler;
import io.wsprobe.support.AppServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.wsprobe.support.Scrape;

/**
 * A process out of file descriptors: every probe ends with a named result and gives its slot
 * back, and probes resume by themselves when descriptors are free again. Scheduled probes, as
 * the agent runs them; the in-flight gauge is read from the scrape.
 */
class FdExhaustionTest {

  Vertx vertx;
  HttpServer app;
  AgentMetrics metrics;
  Scheduler scheduler;
  final List<ProbeResult> results = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    app = AppServer.start(vertx);
  }

  @AfterEach
  void stop() {
    if (scheduler != null) {
      scheduler.stop();
    }
    if (metrics != null) {
      metrics.close();
    }
    vertx.close().await();
  }

  void schedule(FdBudget fds) throws Exception {
    Config config = ConfigLoader.parse("""
        global: { interval: 200ms, timeout: 150ms, max_concurrent_probes: 2 }
        targets:
          - { name: a, url: "ws://127.0.0.1:%1$d/collab" }
          - { name: b, url: "ws://127.0.0.1:%1$d/collab" }
          - { name: c, url: "ws://127.0.0.1:%1$d/collab" }
        """.formatted(app.actualPort()), "test.yml", Path.of("."), n -> null);
    metrics = new AgentMetrics(config.global().buckets());
    scheduler = new Scheduler(vertx, new WebSocketProber(vertx, fds), metrics,
        Results.of(new SeriesRecorder(metrics), Results.listener((t, m, r) -> results.add(r))));
    scheduler.apply(config);
  }

  long count(Result result) {
    return results.stream().filter(r -> r.result() == result).count();
  }

  double inFlight() {
    return Scrape.value(metrics.scrape(), "wsprobe_probes_in_flight");
  }

  static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void probesThatFindNoDescriptorFailByNameAndResumeWhenTheLimitRises() throws Exception {
    AtomicLong limit = new AtomicLong(FdBudget.RESERVE); // everything open is the reserve
    schedule(new FdBudget(limit::get, () -> 0));
    await("refused probes", () -> count(Result.RESOURCE_EXHAUSTED) >= 6);
    ProbeResult refused = results.stream().filter(r -> r.result() == Result.RESOURCE_EXHAUSTED)
        .findFirst().orElseThrow();
    assertThat(refused.detail()).isEqualTo("no file descriptor free for the probe's socket: 0 probe"
        + " sockets and 0 other descriptors are open, the limit is 16 (ulimit -n) and 16 stay free"
        + " for the web port");
    assertThat(refused.diagnosis()).contains("says nothing about the target").contains("LimitNOFILE");
    assertThat(count(Result.SUCCESS)).isZero();
    assertThat(app.actualPort()).isPositive();

    limit.set(FdBudget.RESERVE + 2);
    await("probes again", () -> count(Result.SUCCESS) >= 6);
    assertThat(inFlight()).isBetween(0.0, 2.0);
  }

  /** At the limit the JDK cannot count descriptors either: it throws, and nothing is free. */
  @Test
  void aCountThatFailsRefusesAndSaysSo() {
    FdBudget fds = new FdBudget(() -> 1024, () -> {
      throw new InternalError("errno: 24 error: Unable to open directory /proc/self/fd");
    });
    assertThat(fds.tryAcquire()).isFalse();
    assertThat(fds.refusal()).isEqualTo("no file descriptor free for the probe's socket: the agent"
        + " could not even count its open descriptors; the limit is 1024 (ulimit -n) and 16 stay"
        + " free for the web port");
  }

  /**
   * A real EMFILE: this test process's soft limit drops to 3 for two seconds, so that the kernel
   * refuses every new descriptor (a descriptor's number must stay below the limit, and 0-2 are
   * taken); the budget is told nothing. Before the fix, the first such probe never completed and
   * held its slot for ever: with two slots, scheduling stopped for good.
   */
  @Test
  void aSocketTheKernelRefusesEndsTheProbeAndFreesItsSlot() throws Exception {
    schedule(new FdBudget(() -> Long.MAX_VALUE, () -> 0));
    await("a first success", () -> count(Result.SUCCESS) >= 3);
    long[] limits = softAndHardLimit();
    String pid = Long.toString(ProcessHandle.current().pid());
    // started while descriptors are still free: nothing in this process can open one later
    Process squeeze = new ProcessBuilder("sh", "-c", "prlimit --pid " + pid + " --nofile=3:" + limits[1]
        + " && sleep 2; prlimit --pid " + pid + " --nofile=" + limits[0] + ":" + limits[1]).inheritIO().start();
    assertThat(squeeze.waitFor(20, TimeUnit.SECONDS)).as("prlimit done").isTrue();
    assertThat(squeeze.exitValue()).as("prlimit exit code").isZero();
    List<ProbeResult> refused = results.stream().filter(r -> r.result() == Result.RESOURCE_EXHAUSTED).toList();
    assertThat(refused).as("probes refused by the kernel").hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(r -> assertThat(r.detail())
            .startsWith("connect failed: the agent is out of file descriptors (EMFILE, limit"));
    long successes = count(Result.SUCCESS);
    await("probes again after the descriptors came back", () -> count(Result.SUCCESS) >= successes + 6);
    await("no probe left holding a slot", () -> inFlight() <= 2);
    assertThat(count(Result.INTERNAL_ERROR)).as("internal errors").isZero();
  }

  static long[] softAndHardLimit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        String[] f = line.trim().split("\\s+");
        return new long[] {Long.parseLong(f[3]), Long.parseLong(f[4])};
      }
    }
    throw new IllegalStateException("no 'Max open files' in /proc/self/limits");
  }

}
