package io.wsprobe.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigException;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Target;
import io.wsprobe.metrics.AgentMetrics;
import io.wsprobe.metrics.SeriesRecorder;
import io.wsprobe.prober.WebSocketProber;
import io.wsprobe.support.SlowUpgradeServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.wsprobe.support.Scrape;

/**
 * The scheduler against real probes of an in-process server, observed where an operator sees
 * it: the scrape text of the registry and the connections the server receives.
 */
class SchedulerTest {

  @TempDir Path dir;
  Vertx vertx;
  SlowUpgradeServer server;
  AgentMetrics metrics;
  Scheduler scheduler;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    if (scheduler != null) {
      scheduler.stop();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (server != null) {
      server.close();
    }
    vertx.close().await();
  }

  Config parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "test.yml", dir, name -> null);
  }

  void schedule(Config config) {
    metrics = new AgentMetrics(config.global().buckets());
    scheduler = new Scheduler(vertx, new WebSocketProber(vertx), metrics, new SeriesRecorder(metrics));
    scheduler.apply(config);
  }

  /** A targets: block of n targets named prefix0.., each on its own path of the server. */
  String targets(String prefix, int n) {
    StringBuilder yaml = new StringBuilder("targets:\n");
    for (int i = 0; i < n; i++) {
      yaml.append("  - { name: ").append(prefix).append(i).append(", url: \"")
          .append(url("/" + prefix + i)).append("\" }\n");
    }
    return yaml.toString();
  }

  String url(String path) {
    return "ws://127.0.0.1:" + server.port() + path;
  }

  String awaitScrape(Predicate<String> ready) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String text = "";
    while (System.nanoTime() < deadline) {
      text = metrics.scrape();
      if (ready.test(text)) {
        return text;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the scrape never matched; last one:\n" + text);
  }

  static void await(BooleanSupplier ready, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (ready.getAsBoolean()) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  /** The value of one series ({@code name{labels}} exactly as scraped), or -1 when absent. */
  static double value(String scrape, String series) {
    return Scrape.value(scrape, series);
  }

  static String successes(String target) {
    return "wsprobe_probes_total{module=\"default\",result=\"success\",target=\"" + target + "\"}";
  }

  @Test
  void offsetsSpreadTargetsOverTheIntervalAndStayPut() {
    long interval = TimeUnit.SECONDS.toNanos(10);
    int[] perSecond = new int[10];
    for (int i = 0; i < 1000; i++) {
      String name = "target-" + i;
      long offset = Scheduler.offsetNanos(name, interval);
      assertThat(offset).isBetween(0L, interval - 1);
      assertThat(Scheduler.offsetNanos(name, interval)).isEqualTo(offset);
      perSecond[(int) (offset / TimeUnit.SECONDS.toNanos(1))]++;
    }
    assertThat(Arrays.stream(perSecond).boxed().toList()).as("targets per second of the interval")
        .allSatisfy(n -> assertThat(n).isBetween(60, 140));
  }

  @Test
  void aTargetNeverHasTwoProbesAtOnce() throws Exception {
    server = SlowUpgradeServer.start(vertx, Duration.ofMillis(700));
    Config loaded = parse("""
        global: { interval: 500ms, timeout: 400ms }
        targets:
          - name: slow
            url: %s
        """.formatted(url("/slow")));
    // The loader keeps every timeout below its interval, so a probe ends before its next tick
    // unless it started late. A timeout above the interval stands for that late start here.
    Target t = loaded.targets().get(0);
    Target overrunning = new Target(t.name(), t.url(), t.module(), t.labels(), t.interval(), Duration.ofSeconds(2));
    schedule(new Config(loaded.source(), loaded.global(), loaded.modules(), List.of(overrunning)));

    String skipped = "wsprobe_probes_skipped_total{module=\"default\",target=\"slow\"}";
    awaitScrape(s -> value(s, skipped) >= 2 && value(s, successes("slow")) >= 2);
    assertThat(server.maxOpen("/slow")).as("connections of one target open at once").isEqualTo(1);
  }

  @Test
  void theGlobalLimitMakesProbesWaitInTurn() throws Exception {
    server = SlowUpgradeServer.start(vertx, Duration.ofMillis(300));
    // three probes of ~300 ms every 600 ms through one slot: they must queue
    schedule(parse("""
        global: { interval: 600ms, timeout: 500ms, max_concurrent_probes: 1 }
        targets:
          - { name: a, url: "%s" }
          - { name: b, url: "%s" }
          - { name: c, url: "%s" }
        """.formatted(url("/a"), url("/b"), url("/c"))));

    String m = awaitScrape(s -> value(s, "wsprobe_scheduler_lag_seconds_sum") > 0.2
        && value(s, successes("a")) >= 1 && value(s, successes("b")) >= 1 && value(s, successes("c")) >= 1);
    assertThat(server.maxOpen()).as("connections open at once").isEqualTo(1);
    assertThat(value(m, "wsprobe_scheduler_lag_seconds_count")).isGreaterThanOrEqualTo(3);
    assertThat(value(m, "wsprobe_probes_in_flight")).isBetween(0.0, 1.0);
    assertThat(value(m, "wsprobe_shard_targets")).isEqualTo(3);
  }

  @Test
  void theGlobalLimitHoldsAcrossEventLoopsAndNoQueueStalls() throws Exception {
    // targets live on different event loops; the slots are shared: never more than 3 upgrades
    // open at once, and a slot freed on one loop starts a probe waiting on another
    server = SlowUpgradeServer.start(vertx, Duration.ofMillis(100));
    schedule(parse("global: { interval: 600ms, timeout: 500ms, max_concurrent_probes: 3 }\n"
        + targets("t", 12)));

    awaitScrape(s -> java.util.stream.IntStream.range(0, 12)
        .allMatch(i -> value(s, successes("t" + i)) >= 3));
    assertThat(server.maxOpen()).as("connections open at once").isBetween(2, 3);
  }

  @Test
  void anOverloadedAgentServesEveryTargetInTurn() throws Exception {
    // 8 targets want 1.6 s of probing every 500 ms through one slot: most ticks find the target
    // still waiting (skipped), but the slot goes round in arrival order, whatever event loop a
    // target lives on, so none starves
    server = SlowUpgradeServer.start(vertx, Duration.ofMillis(100));
    schedule(parse("global: { interval: 500ms, timeout: 400ms, max_concurrent_probes: 1 }\n"
        + targets("o", 8)));

    String m = awaitScrape(s -> java.util.stream.IntStream.range(0, 8)
        .allMatch(i -> value(s, successes("o" + i)) >= 3));
    assertThat(value(m, "wsprobe_probes_skipped_total{module=\"default\",target=\"o0\"}"))
        .as("the agent was overloaded").isGreaterThan(0);
    assertThat(server.maxOpen()).as("connections open at once").isEqualTo(1);
  }

  @Test
  void applyKeepsUnchangedTargetsReplacesChangedOnesAndDropsRemovedOnes() throws Exception {
    server = SlowUpgradeServer.start(vertx, Duration.ZERO);
    long interval = TimeUnit.SECONDS.toNanos(1);
    String head = "global: { interval: 1s, timeout: 800ms }\ntargets:\n";
    schedule(parse(head + """
          - { name: keep, url: "%s" }
          - { name: change, url: "%s" }
          - { name: remove, url: "%s" }
        """.formatted(url("/keep"), url("/a"), url("/r"))));
    await(() -> server.arrivals("/keep").size() >= 2, "two probes of keep");
    awaitScrape(s -> value(s, successes("change")) >= 1 && value(s, successes("remove")) >= 1);

    // Apply at the moment where a restarted schedule of keep (first tick at apply + its offset)
    // would fall half an interval away from the running one: a kept schedule is then visible.
    long first = server.arrivals("/keep").get(0);
    long offset = Scheduler.offsetNanos("keep", interval);
    long phase = Math.floorMod(first + interval / 2 - offset - System.nanoTime(), interval);
    TimeUnit.NANOSECONDS.sleep(phase < interval / 10 ? phase + interval : phase);
    double keptBefore = value(metrics.scrape(), successes("keep"));
    long appliedAt = System.nanoTime();
    scheduler.apply(parse(head + """
          - { name: keep, url: "%s" }
          - { name: change, url: "%s" }
          - { name: added, url: "%s" }
        """.formatted(url("/keep"), url("/b"), url("/n"))));

    String m = awaitScrape(s -> !s.contains("target=\"remove\"") && s.contains("target=\"added\""));
    assertThat(value(m, successes("keep"))).as("keep's counter carried on").isGreaterThanOrEqualTo(keptBefore);
    assertThat(keptBefore).isGreaterThanOrEqualTo(2);
    assertThat(m).contains("wsprobe_target_info{module=\"default\",target=\"change\",url=\"" + url("/b") + "\"}")
        .doesNotContain(url("/a")).doesNotContain(url("/r"));
    assertThat(value(m, "wsprobe_shard_targets")).isEqualTo(3);

    int keptSoFar = server.arrivals("/keep").size();
    await(() -> server.arrivals("/keep").size() >= keptSoFar + 2 && !server.arrivals("/b").isEmpty()
        && !server.arrivals("/n").isEmpty(), "probes after the apply");
    for (long arrival : server.arrivals("/keep")) {
      long drift = Math.floorMod(arrival - first, interval);
      assertThat(Math.min(drift, interval - drift)).as("keep's probes stay on its schedule")
          .isLessThan(TimeUnit.MILLISECONDS.toNanos(150));
    }
    long grace = TimeUnit.MILLISECONDS.toNanos(100);
    assertThat(server.arrivals("/a")).allSatisfy(at -> assertThat(at).isLessThan(appliedAt + grace));
    assertThat(server.arrivals("/r")).allSatisfy(at -> assertThat(at).isLessThan(appliedAt + grace));
    assertThat(scheduler.targetNames()).containsExactly("keep", "change", "added");
  }
}
