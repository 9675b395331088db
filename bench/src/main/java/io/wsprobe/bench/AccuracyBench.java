package io.wsprobe.bench;

import io.vertx.core.Vertx;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.prober.Phase;
import io.wsprobe.prober.ProbeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How far wsprobe's measurements are from delays injected by the server: echo replies delayed
 * 0 / 5 / 50 ms (message round trip), room fan-out delayed 0 / 50 ms (broadcast delay), the
 * upgrade answered after 300 ms (upgrade phase). Measured minus injected, per observation, at
 * 1,000 probes/s and at idle, and for the first probe of a freshly started agent.
 *
 * <p>The agent runs in this JVM (the real {@link Agent}: scheduler, prober, metrics), told of
 * every result; the server is {@link BenchServer} in its own JVM, whose injected delays are
 * themselves late by a few microseconds: that lateness is measured and shown, and is part of the
 * error reported here (it is not subtracted).
 *
 * <p>{@code bench/accuracy.sh [--warmup 30] [--window 60] [--cold-runs 5]}
 */
public final class AccuracyBench {

  /** What a target's server injects, and which measurement it is compared with. */
  enum Kind {
    ECHO_0("echo reply +0 ms", "message RTT", "/echo?delay=0", "echo", 0),
    ECHO_5("echo reply +5 ms", "message RTT", "/echo?delay=5", "echo", 5),
    ECHO_50("echo reply +50 ms", "message RTT", "/echo?delay=50", "echo", 50),
    ROOM_0("room fan-out +0 ms", "broadcast delay", "/room/%s?delay=0", "room", 0),
    ROOM_50("room fan-out +50 ms", "broadcast delay", "/room/%s?delay=50", "room", 50),
    UPGRADE_300("upgrade answer +300 ms", "upgrade phase", "/x?upgrade_delay=300", "default", 300);

    final String what;
    final String measured;
    final String path;
    final String module;
    final long injectedNanos;

    Kind(String what, String measured, String path, String module, long injectedMillis) {
      this.what = what;
      this.measured = measured;
      this.path = path;
      this.module = module;
      this.injectedNanos = injectedMillis * 1_000_000;
    }

    /** This kind's observations in one result. */
    List<Long> observations(ProbeResult r) {
      if (!r.success()) {
        return List.of();
      }
      return switch (measured) {
        case "message RTT" -> r.rttNanos();
        case "broadcast delay" -> r.broadcastDelaysNanos();
        default -> r.phases().containsKey(Phase.UPGRADE) ? List.of(r.phases().get(Phase.UPGRADE)) : List.of();
      };
    }
  }

  /** Targets per kind at 1,000 probes/s (1,000 targets at a 1 s interval). */
  static final Map<Kind, Integer> LOAD_MIX = new EnumMap<>(Map.of(Kind.ECHO_0, 200, Kind.ECHO_5, 200,
      Kind.ECHO_50, 150, Kind.ROOM_0, 150, Kind.ROOM_50, 150, Kind.UPGRADE_300, 150));

  /** How long the load mix runs against the server before the cold runs. */
  static final int SERVER_WARMUP_SECONDS = 10;
  static final int SERVER_NICE = -10;

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--first")) {
      first(Integer.parseInt(args[1]));
      return;
    }
    int warmup = 30;
    int window = 60;
    int coldRuns = 5;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--window" -> window = Integer.parseInt(args[i + 1]);
        case "--cold-runs" -> coldRuns = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = Bench.workDir("accuracy");
    String startLoad = Bench.load();
    Bench.log("%s", Bench.machine());
    try (Bench.Child server = Bench.Child.java(serverPrefix(), "server", dir, BenchServer.class, serverJvm())) {
      int port = server.awaitListening();
      String stats = "http://127.0.0.1:" + port + "/stats";

      // the server is the bench's instrument: its JIT compiles its paths under the load mix first,
      // so that the first probes of fresh agents meet a warm server, as a real one would be
      Bench.log("server warm-up: %d s at 1,000 probes/s", SERVER_WARMUP_SECONDS);
      Path warmConfig = dir.resolve("server-warmup.yml");
      Files.writeString(warmConfig, config(port, LOAD_MIX));
      Vertx warmVertx = io.wsprobe.EventLoops.create();
      Agent warm = new Agent(warmVertx, () -> ConfigLoader.load(warmConfig), "127.0.0.1:0", (target, module, r) -> {});
      warm.start().await();
      Thread.sleep(SERVER_WARMUP_SECONDS * 1000L);
      warm.stop().await();
      warmVertx.close().await();

      // cold: a fresh agent JVM each time, its first probe of each kind
      Map<Kind, List<Long>> firsts = new EnumMap<>(Kind.class);
      // run 0 is not counted either (as before the server warm-up: it stays, for comparable runs)
      for (int run = 0; run <= coldRuns; run++) {
        Bench.log("cold run %d/%d", run, coldRuns);
        try (Bench.Child c = Bench.Child.start("first-" + run, dir, List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms64m", "-Xmx512m", "-XX:+UseParallelGC", "-XX:MaxNewSize=64m", "-cp", System.getProperty("java.class.path"),
            AccuracyBench.class.getName(), "--first", String.valueOf(port)))) {
          if (!c.process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("cold run did not finish: " + Files.readString(c.log));
          }
          for (String line : Files.readAllLines(c.log)) {
            if (run > 0 && line.startsWith("FIRST ")) {
              String[] f = line.split(" ");
              firsts.computeIfAbsent(Kind.valueOf(f[1]), k -> new ArrayList<>()).add(Long.parseLong(f[2]));
            }
          }
        }
      }

      Vertx vertx = io.wsprobe.EventLoops.create(); // as the agent runs: epoll where it loads
      Path config = dir.resolve("accuracy.yml");
      Files.writeString(config, config(port, LOAD_MIX));
      Map<Kind, List<Long>> errors = new ConcurrentHashMap<>();
      Map<String, java.util.concurrent.atomic.LongAdder> failures = new java.util.concurrent.ConcurrentSkipListMap<>();
      Agent agent = new Agent(vertx, () -> ConfigLoader.load(config), "127.0.0.1:0", (target, module, r) -> {
        Kind kind = Kind.valueOf(target.labels().get("kind"));
        if (!r.success()) {
          failures.computeIfAbsent(kind.what + ": " + r.result().label() + " (" + r.detail().replaceAll("\\d+", "N")
              + ")", k -> new java.util.concurrent.atomic.LongAdder()).increment();
        }
        List<Long> list = errors.computeIfAbsent(kind, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
        for (long nanos : kind.observations(r)) {
          list.add(nanos - kind.injectedNanos);
        }
      });
      agent.start().await();
      Bench.log("load: warm-up %d s", warmup);
      Thread.sleep(warmup * 1000L);
      Window load = Window.measure("1,000 probes/s", agent, errors, stats, window);
      Files.writeString(config, config(port, Map.of(Kind.ECHO_0, 1, Kind.ECHO_5, 1, Kind.ECHO_50, 1,
          Kind.ROOM_0, 1, Kind.ROOM_50, 1, Kind.UPGRADE_300, 1)));
      agent.reload().await();
      Thread.sleep(3000);
      Window idle = Window.measure("idle (6 targets, 1 s)", agent, errors, stats, window);
      agent.stop().await();
      vertx.close().await();

      Bench.Table t = new Bench.Table("Measured minus injected, in ms (target: median ≤ 0.3, p99 ≤ 2)",
          "injected", "measured as", "load", "n", "min", "median", "p99", "max");
      for (Kind k : Kind.values()) {
        for (Window w : List.of(load, idle)) {
          long[] v = w.errors.getOrDefault(k, List.of()).stream().mapToLong(Long::longValue).sorted().toArray();
          t.row(k.what, k.measured, w.name, v.length, Bench.ms(v.length == 0 ? Double.NaN : v[0]),
              "**" + Bench.ms(Bench.quantile(v, 0.5)) + "**", "**" + Bench.ms(Bench.quantile(v, 0.99)) + "**",
              Bench.ms(v.length == 0 ? Double.NaN : v[v.length - 1]));
        }
      }
      t.note("Load windows: " + window + " s each after a " + warmup + " s warm-up; load average at the start: "
          + startLoad + ", at the load window's end " + load.loadAvg + ", at the idle window's end " + idle.loadAvg
          + ". Probes: " + Bench.fmt("%.0f", load.probesPerSecond) + " probes/s under load ("
          + load.failed + " failed), " + Bench.fmt("%.1f", idle.probesPerSecond) + " at idle (" + idle.failed
          + " failed). The agent runs in the bench JVM with the launcher's JVM flags; echo modules do 5 round"
          + " trips per probe, room modules 1 receiver.");
      StringBuilder failed = new StringBuilder();
      failures.forEach((what, n) -> failed.append("\n- ").append(n.sum()).append(" × ").append(what));
      t.note("Failed probes over the whole run, warm-up included:" + (failed.length() == 0 ? " none" : failed));
      t.note("The server's own lateness (injected delay actually applied minus nominal, measured at the"
          + " write on its event loop; included in the errors above):\n\n```\nunder load:\n" + load.serverLateness
          + "idle:\n" + idle.serverLateness + "```");

      Bench.Table c = new Bench.Table("First probe after start (" + coldRuns + " fresh JVMs; target: within 2 ms)",
          "injected", "measured as", "errors of the first probe, ms", "worst");
      for (Kind k : Kind.values()) {
        List<Long> v = firsts.getOrDefault(k, List.of());
        long worst = v.stream().mapToLong(x -> Math.abs(x)).max().orElse(-1);
        c.row(k.what, k.measured, String.join(", ", v.stream().map(Bench::ms).toList()),
            "**" + (worst < 0 ? "n/a" : Bench.ms(worst)) + "**");
      }
      c.note("Each JVM starts the agent (which warms the probe path on its own loopback servers, prober/Warmup.java),"
          + " then takes the first result of one target per kind; for echo, the first of its round trips. Before"
          + " them the server ran the load mix for " + SERVER_WARMUP_SECONDS + " s, and one more fresh JVM ran,"
          + " uncounted, so that the server's own cold code is not charged to the agent. Both sides time at the"
          + " socket: the agent from the request's flush to the answer's read (prober/WireClock.java), the"
          + " server its delays from the request's read.");
      Bench.publish("accuracy", "bench/accuracy.sh " + String.join(" ", args), List.of(t, c));
    }
    System.exit(0);
  }

  record Window(String name, Map<Kind, List<Long>> errors, double probesPerSecond, long failed, String serverLateness,
                String loadAvg) {

    static Window measure(String name, Agent agent, Map<Kind, List<Long>> sink, String stats, int seconds)
        throws Exception {
      Bench.get(stats + "?reset=1");
      String m0 = agent.metrics().scrape();
      sink.clear();
      Thread.sleep(seconds * 1000L);
      Map<Kind, List<Long>> copy = new EnumMap<>(Kind.class);
      sink.forEach((k, v) -> {
        synchronized (v) {
          copy.put(k, new ArrayList<>(v));
        }
      });
      String m1 = agent.metrics().scrape();
      double probes = Bench.sum(m1, "wsprobe_probes_total") - Bench.sum(m0, "wsprobe_probes_total");
      double ok = Bench.sum(m1, "wsprobe_probes_total", "result=\"success\"")
          - Bench.sum(m0, "wsprobe_probes_total", "result=\"success\"");
      Bench.log("%s: %.0f probes", name, probes);
      return new Window(name, copy, probes / seconds, Math.round(probes - ok), Bench.get(stats),
          Bench.load().replace("load average ", ""));
    }
  }

  /**
   * The server runs under {@code nice -n} {@link #SERVER_NICE} ({@code -Dbench.server.nice=N}, 0 for
   * none): it is the instrument, and on 2 cores shared with the agent its delays were late by
   * 1.6–2.0 ms at p99 under load at the usual priority, 0.4 ms at -10. A negative N needs root;
   * without it nice says so and the server runs at the usual priority.
   */
  static List<String> serverPrefix() {
    String n = System.getProperty("bench.server.nice", String.valueOf(SERVER_NICE));
    return n.equals("0") ? List.of() : List.of("nice", "-n", n);
  }

  /** The server's JVM: bench.server.* and bench.delays.* properties pass on, and its GC is logged. */
  static List<String> serverJvm() {
    List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-Xlog:gc:stderr:uptime"));
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.server.") || k.startsWith("bench.delays."))
        .forEach(k -> jvm.add("-D" + k + "=" + System.getProperty(k)));
    return jvm;
  }

  static String config(int port, Map<Kind, Integer> mix) {
    StringBuilder y = new StringBuilder("""
        global:
          interval: 1s
          timeout: 900ms
          max_concurrent_probes: 256
        modules:
          echo:
            messages:
              - send: accuracy
                expect: { echo: true }
                count: 5
          room:
            broadcast: { receivers: 1 }
        targets:
        """);
    for (Kind k : Kind.values()) {
      for (int i = 0; i < mix.getOrDefault(k, 0); i++) {
        String name = k.name().toLowerCase(java.util.Locale.ROOT) + "-" + i;
        y.append("  - { name: ").append(name).append(", module: ").append(k.module)
            .append(", labels: { kind: ").append(k.name()).append(" }, url: \"ws://127.0.0.1:").append(port)
            .append(k.path.formatted(name)).append("\" }\n");
      }
    }
    return y.toString();
  }

  /** A fresh agent's first result of each kind, printed as {@code FIRST <kind> <error nanos>}. */
  private static void first(int port) throws Exception {
    Path file = Files.createTempFile("wsprobe-first-", ".yml");
    Map<Kind, Integer> one = new EnumMap<>(Kind.class);
    for (Kind k : Kind.values()) {
      one.put(k, 1);
    }
    Files.writeString(file, config(port, one).replace("interval: 1s", "interval: 5s"));
    Vertx vertx = io.wsprobe.EventLoops.create(); // as the agent runs: epoll where it loads
    Map<Kind, Long> got = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(Kind.values().length);
    Agent agent = new Agent(vertx, () -> ConfigLoader.load(file), "127.0.0.1:0", (target, module, r) -> {
      Kind kind = Kind.valueOf(target.labels().get("kind"));
      List<Long> obs = kind.observations(r);
      if (!obs.isEmpty() && got.putIfAbsent(kind, obs.get(0) - kind.injectedNanos) == null) {
        all.countDown();
      }
    });
    agent.start().await();
    boolean done = all.await(30, TimeUnit.SECONDS);
    got.forEach((k, v) -> System.out.println("FIRST " + k.name() + " " + v));
    System.out.flush();
    Files.deleteIfExists(file);
    System.exit(done ? 0 : 1);
  }
}
