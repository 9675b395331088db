package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.metrics.AgentMetrics;
import io.wsprobe.scheduler.Scheduler;
import io.wsprobe.support.AppServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
    scheduler = new Scheduler(vertx, new WebSocketProber(vertx, fds), metrics, (t, m, r) -> results.add(r));
    scheduler.apply(config);
  }

  long count(Result result) {
    return results.stream().filter(r -> r.result() == result).count();
  }

  double inFlight() {
    return metrics.scrape().lines().filter(l -> l.startsWith("wsprobe_probes_in_flight "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
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

  /**
   * A real EMFILE: this test process lowers its own soft limit to what it has open, so that the
   * next socket() fails in the kernel (the budget is told nothing). Before the fix, the first
   * such probe never completed and held its slot for ever: with two slots, scheduling stopped.
   */
  @Test
  void aSocketTheKernelRefusesEndsTheProbeAndFreesItsSlot() throws Exception {
    schedule(new FdBudget(() -> Long.MAX_VALUE, () -> 0));
    await("a first success", () -> count(Result.SUCCESS) >= 3);
    long[] limits = softAndHardLimit();
    List<FileInputStream> filler = new ArrayList<>();
    try {
      long open = openDescriptors();
      prlimit(open + 8, limits[1]);
      // take the last free ones, so that only the kernel's refusal is left
      try {
        while (true) {
          filler.add(new FileInputStream("/dev/null"));
        }
      } catch (IOException full) {
        // at the limit
      }
      long before = count(Result.RESOURCE_EXHAUSTED);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (count(Result.RESOURCE_EXHAUSTED) < before + 6 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } finally {
      for (FileInputStream f : filler) {
        f.close();
      }
      prlimit(limits[0], limits[1]);
    }
    ProbeResult refused = results.stream().filter(r -> r.result() == Result.RESOURCE_EXHAUSTED)
        .findFirst().orElseThrow(() -> new AssertionError("no resource_exhausted result: " + results));
    assertThat(refused.detail()).startsWith("connect failed: the agent is out of file descriptors (EMFILE, limit");
    long successes = count(Result.SUCCESS);
    await("probes again after the descriptors came back", () -> count(Result.SUCCESS) >= successes + 6);
    await("no probe left holding a slot", () -> inFlight() <= 2);
    assertThat(results).noneMatch(r -> r.result() == Result.INTERNAL_ERROR);
  }

  static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count() - 1; // the listing's own descriptor
    }
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

  static void prlimit(long soft, long hard) throws Exception {
    Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(ProcessHandle.current().pid()),
        "--nofile=" + soft + ":" + hard).inheritIO().start();
    assertThat(p.waitFor()).as("prlimit exit code").isZero();
  }
}
