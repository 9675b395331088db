package io.wsprobe.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigException;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.metrics.AgentMetrics;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Prober;
import io.wsprobe.prober.Result;
import io.wsprobe.results.ResultSubscriber;
import io.wsprobe.results.TargetFeed;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's timing, slot and stream logic with a fake {@link Prober}: probes end when a
 * test says so, and every call, result and feed event is seen where it happens. No sockets.
 */
class FakeProberSchedulerTest {

  Vertx vertx;
  AgentMetrics metrics;
  Scheduler scheduler;
  final FakeProber prober = new FakeProber();
  final Subscriber subscriber = new Subscriber();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
  }

  @AfterEach
  void stop() {
    if (scheduler != null) {
      scheduler.stop();
    }
    prober.releaseAll();
    if (metrics != null) {
      metrics.close();
    }
    vertx.close().await();
  }

  static Config parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "test.yml", Path.of("."), name -> null);
  }

  static String targets(String prefix, int n) {
    StringBuilder yaml = new StringBuilder("targets:\n");
    for (int i = 0; i < n; i++) {
      yaml.append("  - { name: ").append(prefix).append(i).append(", url: \"ws://127.0.0.1:9/")
          .append(prefix).append(i).append("\" }\n");
    }
    return yaml.toString();
  }

  void schedule(Config config) {
    metrics = new AgentMetrics(config.global().buckets());
    scheduler = new Scheduler(vertx, prober, metrics, subscriber);
    scheduler.apply(config);
  }

  static void await(BooleanSupplier ready, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!ready.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  static ProbeResult result(Result result) {
    return new ProbeResult(result, "", "", 1_000_000L, ProbeResult.emptyPhases(), 101, List.of(), -1, null,
        1000, "", "", List.of(), -1, null);
  }

  /** A probe that ends when {@link #release} is called; remembers where it ran. */
  static final class Call {
    final String target;
    final Context context;
    final Thread thread = Thread.currentThread();
    final Promise<ProbeResult> promise;

    Call(String target, Context context) {
      this.target = target;
      this.context = context;
      this.promise = ((io.vertx.core.internal.ContextInternal) context).promise();
    }

    void release(Result result) {
      context.runOnContext(v -> promise.tryComplete(result(result)));
    }
  }

  static final class FakeProber implements Prober {
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger mostOpen = new AtomicInteger();
    final Map<String, AtomicInteger> openByTarget = new ConcurrentHashMap<>();
    final AtomicInteger mostOpenOfOneTarget = new AtomicInteger();
    volatile boolean endAtOnce;
    volatile RuntimeException thrown;

    @Override
    public Future<ProbeResult> probe(Target target, Module module, Context context) {
      if (thrown != null) {
        throw thrown;
      }
      Call call = new Call(target.name(), context);
      calls.add(call);
      mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      AtomicInteger mine = openByTarget.computeIfAbsent(target.name(), n -> new AtomicInteger());
      mostOpenOfOneTarget.accumulateAndGet(mine.incrementAndGet(), Math::max);
      call.promise.future().onComplete(ar -> {
        open.decrementAndGet();
        mine.decrementAndGet();
      });
      if (endAtOnce) {
        call.release(Result.SUCCESS);
      }
      return call.promise.future();
    }

    List<Call> pending() {
      return calls.stream().filter(c -> !c.promise.future().isComplete()).toList();
    }

    long callsOf(String target) {
      return calls.stream().filter(c -> c.target.equals(target)).count();
    }

    void releaseAll() {
      calls.forEach(c -> c.release(Result.SUCCESS));
    }
  }

  /** Every feed event, as "open a", "result a success", "skipped a", "closed a". */
  static final class Subscriber implements ResultSubscriber {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Thread> resultThreads = new CopyOnWriteArrayList<>();
    volatile boolean fits = true;
    final AtomicInteger applied = new AtomicInteger();

    @Override
    public boolean fits(Config next) {
      return fits && applied.get() > 0;
    }

    @Override
    public void applied(Config config) {
      applied.incrementAndGet();
    }

    @Override
    public TargetFeed open(Target target, Module module) {
      events.add("open " + target.name());
      return new TargetFeed() {
        @Override
        public void result(ProbeResult result) {
          resultThreads.add(Thread.currentThread());
          events.add("result " + target.name() + " " + result.result().label());
        }

        @Override
        public void skipped() {
          events.add("skipped " + target.name());
        }

        @Override
        public void closed() {
          events.add("closed " + target.name());
        }
      };
    }

    long count(String event) {
      return events.stream().filter(event::equals).count();
    }
  }

  @Nested
  class Ticks {

    @Test
    void aTargetStillProbingIsSkippedNotProbedTwice() throws Exception {
      schedule(parse("global: { interval: 100ms, timeout: 90ms }\n" + targets("t", 1)));
      await(() -> subscriber.count("skipped t0") >= 3, "three skipped ticks");
      assertThat(prober.calls).hasSize(1);
      prober.releaseAll();
      await(() -> subscriber.count("result t0 success") >= 1, "the result");
      await(() -> prober.calls.size() >= 2, "the next tick's probe");
      assertThat(prober.mostOpenOfOneTarget.get()).isEqualTo(1);
    }

    @Test
    void everyResultReachesTheFeedOnTheThreadItsProbeRanOn() throws Exception {
      prober.endAtOnce = true;
      schedule(parse("global: { interval: 100ms, timeout: 90ms }\n" + targets("e", 8)));
      await(() -> java.util.stream.IntStream.range(0, 8)
          .allMatch(i -> subscriber.count("result e" + i + " success") >= 2), "two results of each");
      for (Call c : prober.calls) {
        assertThat(c.thread).as("probe of " + c.target + " started on its lane").isSameAs(
            prober.calls.stream().filter(d -> d.target.equals(c.target)).findFirst().orElseThrow().thread);
      }
      assertThat(prober.calls.stream().map(c -> c.thread).distinct().count())
          .as("eight targets spread over several lanes").isGreaterThan(1);
      assertThat(subscriber.resultThreads).allSatisfy(t -> assertThat(prober.calls.stream()
          .map(c -> c.thread)).contains(t));
    }

    @Test
    void aProberThatThrowsFreesItsSlotAndFeedsNothing() throws Exception {
      prober.thrown = new IllegalStateException("broken prober");
      prober.endAtOnce = true;
      schedule(parse("global: { interval: 100ms, timeout: 90ms, max_concurrent_probes: 1 }\n" + targets("x", 2)));
      Thread.sleep(450);
      assertThat(subscriber.events).noneMatch(e -> e.startsWith("result "));
      // a probe that throws is in flight for an instant on its lane (a scrape may catch it there);
      // a slot it kept would read 1 for good
      await(() -> SchedulerTest.value(metrics.scrape(), "wsprobe_probes_in_flight") == 0.0, "no probe in flight");
      prober.thrown = null;
      // the one slot was given back every time: both targets probe again
      await(() -> subscriber.count("result x0 success") >= 1 && subscriber.count("result x1 success") >= 1,
          "results after the prober recovered");
    }
  }

  @Nested
  class Slots {

    @Test
    void theGlobalLimitQueuesProbesAndHandsFreedSlotsOnInArrivalOrder() throws Exception {
      schedule(parse("global: { interval: 500ms, timeout: 400ms, max_concurrent_probes: 2 }\n" + targets("q", 6)));
      await(() -> prober.calls.size() == 2, "two probes in the two slots");
      Thread.sleep(600); // every other target ticked and now waits
      assertThat(prober.calls).hasSize(2);
      for (int round = 0; round < 4; round++) {
        int before = prober.calls.size();
        prober.pending().get(0).release(Result.SUCCESS);
        await(() -> prober.calls.size() == before + 1, "the freed slot taken");
        assertThat(prober.open.get()).isLessThanOrEqualTo(2);
      }
      assertThat(prober.mostOpen.get()).isEqualTo(2);
      assertThat(prober.calls.stream().map(c -> c.target).distinct().count())
          .as("the waiting targets got the slots, not the released ones again").isEqualTo(6);
      String m = metrics.scrape();
      assertThat(SchedulerTest.value(m, "wsprobe_probes_in_flight")).isEqualTo(2.0);
      assertThat(SchedulerTest.value(m, "wsprobe_scheduler_lag_seconds_sum")).isGreaterThan(0.1);
    }

    @Test
    void probeNowTakesAFreeSlotOnTheTargetsLaneAndIsRefusedWhenNoneIsFree() throws Exception {
      Config config = parse("global: { interval: 1h, timeout: 5s, max_concurrent_probes: 1 }\n" + targets("n", 1));
      schedule(config);
      Target t = config.targets().get(0);
      Future<ProbeResult> first = scheduler.probeNow(t, config.moduleOf(t));
      await(() -> prober.calls.size() == 1, "the on-demand probe");
      Future<ProbeResult> refused = scheduler.probeNow(t, config.moduleOf(t));
      assertThat(refused.failed()).as("refused at once").isTrue();
      assertThat(refused.cause()).isInstanceOf(NoFreeSlot.class).hasMessageContaining("all 1 slots");
      assertThat(((NoFreeSlot) refused.cause()).limit()).isEqualTo(1);
      assertThat(SchedulerTest.value(metrics.scrape(), "wsprobe_probes_in_flight")).isEqualTo(1.0);
      prober.releaseAll();
      assertThat(first.await(5, TimeUnit.SECONDS).result()).isEqualTo(Result.SUCCESS);
      assertThat(subscriber.events).as("an on-demand result is not the series'").noneMatch(e -> e.startsWith("result "));
      await(() -> SchedulerTest.value(metrics.scrape(), "wsprobe_probes_in_flight") == 0.0, "the slot freed");
      scheduler.probeNow(t, config.moduleOf(t));
      await(() -> prober.calls.size() == 2, "a second on-demand probe");
      assertThat(prober.calls.get(1).context).as("the target's lane, both times").isSameAs(prober.calls.get(0).context);
      assertThat(prober.calls.get(1).context.isEventLoopContext()).isTrue();
    }
  }

  @Nested
  class Stream {

    @Test
    void applyClosesChangedAndRemovedTargetsAndOpensOnlyNewOnes() throws Exception {
      String head = "global: { interval: 1h, timeout: 5s }\ntargets:\n";
      schedule(parse(head + """
            - { name: keep, url: "ws://127.0.0.1:9/keep" }
            - { name: change, url: "ws://127.0.0.1:9/a" }
            - { name: remove, url: "ws://127.0.0.1:9/r" }
          """));
      await(() -> subscriber.applied.get() == 1, "the first apply");
      assertThat(subscriber.events).containsExactly("open keep", "open change", "open remove");
      subscriber.events.clear();
      scheduler.apply(parse(head + """
            - { name: keep, url: "ws://127.0.0.1:9/keep" }
            - { name: change, url: "ws://127.0.0.1:9/b" }
            - { name: added, url: "ws://127.0.0.1:9/n" }
          """));
      await(() -> subscriber.applied.get() == 2, "the second apply");
      assertThat(subscriber.events).containsExactly("closed change", "open change", "open added", "closed remove");
      assertThat(scheduler.targetNames()).containsExactly("keep", "change", "added");
    }

    @Test
    void whenASubscriberCannotCarryOnEveryTargetIsClosedAndOpenedAnew() throws Exception {
      String yaml = "global: { interval: 1h, timeout: 5s }\n" + targets("f", 2);
      schedule(parse(yaml));
      await(() -> subscriber.applied.get() == 1, "the first apply");
      subscriber.events.clear();
      subscriber.fits = false;
      scheduler.apply(parse(yaml));
      await(() -> subscriber.applied.get() == 2, "the second apply");
      assertThat(subscriber.events).containsExactly("closed f0", "closed f1", "open f0", "open f1");
    }

    @Test
    void aResultOfATargetRemovedMeanwhileIsNotFed() throws Exception {
      schedule(parse("global: { interval: 100ms, timeout: 90ms }\n" + targets("r", 1)));
      await(() -> prober.calls.size() == 1, "a probe");
      scheduler.apply(parse("global: { interval: 100ms, timeout: 90ms }\ntargets: []\n"));
      await(() -> subscriber.events.contains("closed r0"), "the target closed");
      prober.releaseAll();
      Thread.sleep(200);
      assertThat(subscriber.events).noneMatch(e -> e.startsWith("result "));
      assertThat(prober.calls).hasSize(1);
    }

    @Test
    void afterStopNothingIsProbed() throws Exception {
      prober.endAtOnce = true;
      schedule(parse("global: { interval: 100ms, timeout: 90ms }\n" + targets("s", 3)));
      await(() -> prober.calls.size() >= 3, "probes");
      scheduler.stop();
      Thread.sleep(150);
      int after = prober.calls.size();
      Thread.sleep(300);
      assertThat(prober.calls).hasSize(after);
      assertThat(subscriber.events).as("stopping closes no feed: the series stay until the agent ends")
          .noneMatch(e -> e.startsWith("closed "));
    }
  }
}
