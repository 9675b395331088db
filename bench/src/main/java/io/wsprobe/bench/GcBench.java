package io.wsprobe.bench;

import io.vertx.core.Vertx;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which garbage collector the launcher should default to: the accuracy bench's 1,000 probes/s
 * mix (echo, room fan-out and slow-upgrade targets at a 1 s interval) run by the real agent in a
 * fresh JVM per collector, with the launcher's heap flags and only the collector changed.
 * Collectors take turns, round after round, so a change in the machine's load falls on all of
 * them. Per collector: CPU per probe, RSS, young collections per second, every safepoint pause
 * (from {@code -Xlog:safepoint}, the same measure for every collector: the time all Java threads
 * stood still), scheduler lag p99 and the accuracy p99 (measured minus injected).
 *
 * <p>{@code bench/gc.sh [--rounds 2] [--warmup 20] [--window 40] [--gcs Serial,Parallel,G1,Z,Shenandoah]};
 * an entry of {@code --gcs} may add flags of its own after {@code @}: {@code Parallel@-XX:MaxNewSize=64m}.
 */
public final class GcBench {

  static final String LAG_BUCKETS = "[0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]";
  /** The launcher's flags but the collector (see ./wsprobe). */
  static final List<String> HEAP = List.of("-Xms64m", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError");

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
      return;
    }
    int rounds = 2;
    int warmup = 20;
    int window = 40;
    List<String> gcs = List.of("Serial", "Parallel", "G1", "Z", "Shenandoah");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--window" -> window = Integer.parseInt(args[i + 1]);
        case "--gcs" -> gcs = List.of(args[i + 1].split(","));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = Bench.workDir("gc");
    String startLoad = Bench.load();
    Bench.log("%s", Bench.machine());
    Map<String, List<Map<String, Double>>> runs = new LinkedHashMap<>();
    Map<String, List<Long>> pauses = new LinkedHashMap<>();
    try (Bench.Child server = Bench.Child.java("server", dir, BenchServer.class, List.of("-Xmx256m"))) {
      int port = server.awaitListening();
      for (int round = 1; round <= rounds; round++) {
        for (String gc : gcs) {
          Bench.log("round %d/%d: %sGC", round, rounds, gc);
          // an entry may carry flags of its own: Parallel@-XX:MaxNewSize=64m
          String[] parts = gc.split("@");
          Path safepoints = dir.resolve("safepoint-" + round + "-" + gcs.indexOf(gc) + ".log");
          Files.deleteIfExists(safepoints);
          List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
          cmd.addAll(HEAP);
          cmd.add("-XX:+Use" + parts[0] + "GC");
          cmd.addAll(List.of(parts).subList(1, parts.length));
          cmd.add("-Xlog:safepoint=info:file=" + safepoints + ":uptimenanos");
          cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), GcBench.class.getName(), "--child",
              String.valueOf(port), String.valueOf(warmup), String.valueOf(window), safepoints.toString()));
          try (Bench.Child c = Bench.Child.start("gc-" + round + "-" + gcs.indexOf(gc), dir, cmd)) {
            if (!c.process.waitFor(warmup + window + 120, TimeUnit.SECONDS)) {
              throw new IllegalStateException(gc + " run did not finish: " + Files.readString(c.log));
            }
            Map<String, Double> r = new TreeMap<>();
            for (String line : Files.readAllLines(c.log)) {
              if (line.startsWith("GCBENCH ")) {
                String[] f = line.split(" ");
                r.put(f[1], Double.parseDouble(f[2]));
              } else if (line.startsWith("PAUSE ")) {
                pauses.computeIfAbsent(gc, k -> new ArrayList<>()).add(Long.parseLong(line.substring(6).trim()));
              }
            }
            if (!r.containsKey("probes")) {
              throw new IllegalStateException(gc + " run printed no result: " + Files.readString(c.log));
            }
            runs.computeIfAbsent(gc, k -> new ArrayList<>()).add(r);
          }
        }
      }
    }
    Bench.Table t = new Bench.Table("Collectors at 1,000 probes/s (the accuracy mix), " + rounds + " × " + window
        + " s per collector", "collector", "probes/s", "CPU, cores", "CPU µs/probe", "RSS MiB", "collections/s",
        "pauses/s", "pause p50 ms", "pause p99 ms", "pause max ms", "lag p99 ms", "echo +0 p99 ms",
        "worst kind p99 ms");
    for (Map.Entry<String, List<Map<String, Double>>> e : runs.entrySet()) {
      List<Map<String, Double>> rs = e.getValue();
      double seconds = rounds * (double) window;
      double probes = sum(rs, "probes");
      double cpu = sum(rs, "cpu_seconds");
      long[] p = pauses.getOrDefault(e.getKey(), List.of()).stream().mapToLong(Long::longValue).sorted().toArray();
      t.row(e.getKey(), Bench.fmt("%.0f", probes / seconds), Bench.fmt("%.3f", cpu / seconds),
          Bench.fmt("**%.0f**", cpu / probes * 1e6), Bench.fmt("%.0f", max(rs, "rss_mib")),
          Bench.fmt("%.2f", sum(rs, "young_gcs") / seconds), Bench.fmt("%.1f", p.length / seconds),
          Bench.ms(Bench.quantile(p, 0.5)), "**" + Bench.ms(Bench.quantile(p, 0.99)) + "**",
          Bench.ms(p.length == 0 ? Double.NaN : p[p.length - 1]),
          Bench.fmt("**%.2f**", max(rs, "lag_p99_ms")), Bench.fmt("**%.2f**", max(rs, "echo0_p99_ms")),
          Bench.fmt("%.2f", max(rs, "worst_p99_ms")));
    }
    t.note("Each collector ran " + rounds + " times in a fresh JVM (" + String.join(" ", HEAP)
        + " -XX:+Use<collector>GC), taking turns; each run warmed up " + warmup + " s, then measured "
        + window + " s. CPU is the agent JVM's utime + stime over the windows; RSS the largest VmRSS at a window's"
        + " end; collections are young collections (Serial, Parallel, G1) or concurrent cycles (Z, Shenandoah); pauses are every safepoint of the windows from -Xlog:safepoint (GC and other VM operations, all"
        + " threads stopped); lag p99 and the accuracy p99s are the worse of the runs. Load average at the start: "
        + startLoad + ", at the end: " + Bench.load() + ". The server (BenchServer) runs in its own JVM throughout.");
    Bench.publish("gc", "bench/gc.sh " + String.join(" ", args), List.of(t));
    System.exit(0);
  }

  private static double sum(List<Map<String, Double>> rs, String key) {
    return rs.stream().mapToDouble(r -> r.getOrDefault(key, 0.0)).sum();
  }

  private static double max(List<Map<String, Double>> rs, String key) {
    return rs.stream().mapToDouble(r -> r.getOrDefault(key, Double.NaN)).max().orElse(Double.NaN);
  }

  /** One collector's run: the agent under the 1,000 probes/s mix; prints {@code GCBENCH key value} lines. */
  private static void child(int port, int warmup, int window, Path safepoints) throws Exception {
    Path file = Files.createTempFile("wsprobe-gc-", ".yml");
    Files.writeString(file, AccuracyBench.config(port, AccuracyBench.LOAD_MIX)
        .replace("  max_concurrent_probes: 256\n",
            "  max_concurrent_probes: 256\n  buckets:\n    scheduler_lag: " + LAG_BUCKETS + "\n"));
    Vertx vertx = io.wsprobe.EventLoops.create();
    Map<AccuracyBench.Kind, List<Long>> errors = new ConcurrentHashMap<>();
    Agent agent = new Agent(vertx, () -> ConfigLoader.load(file), "127.0.0.1:0", (target, module, r) -> {
      AccuracyBench.Kind kind = AccuracyBench.Kind.valueOf(target.labels().get("kind"));
      List<Long> list = errors.computeIfAbsent(kind, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
      for (long nanos : kind.observations(r)) {
        list.add(nanos - kind.injectedNanos);
      }
    });
    agent.start().await();
    Thread.sleep(warmup * 1000L);
    long pid = ProcessHandle.current().pid();
    String m0 = agent.metrics().scrape();
    long cpu0 = Bench.cpuNanos(pid);
    long young0 = youngCollections();
    long up0 = ManagementFactory.getRuntimeMXBean().getUptime();
    errors.clear();
    Thread.sleep(window * 1000L);
    long up1 = ManagementFactory.getRuntimeMXBean().getUptime();
    long cpu1 = Bench.cpuNanos(pid);
    long young1 = youngCollections();
    String m1 = agent.metrics().scrape();
    long rss = Bench.rssBytes(pid);
    out("probes", Bench.sum(m1, "wsprobe_probes_total") - Bench.sum(m0, "wsprobe_probes_total"));
    out("failed", (Bench.sum(m1, "wsprobe_probes_total") - Bench.sum(m1, "wsprobe_probes_total", "result=\"success\""))
        - (Bench.sum(m0, "wsprobe_probes_total") - Bench.sum(m0, "wsprobe_probes_total", "result=\"success\"")));
    out("cpu_seconds", (cpu1 - cpu0) / 1e9);
    out("young_gcs", young1 - young0);
    out("rss_mib", rss / 1048576.0);
    TreeMap<Double, Double> lag = Bench.delta(Bench.buckets(m1, ScaleBench.LAG), Bench.buckets(m0, ScaleBench.LAG));
    out("lag_p99_ms", Bench.histogramQuantile(lag, 0.99) * 1e3);
    double worst = 0;
    for (AccuracyBench.Kind k : AccuracyBench.Kind.values()) {
      List<Long> v;
      synchronized (errors.getOrDefault(k, List.of())) {
        v = new ArrayList<>(errors.getOrDefault(k, List.of()));
      }
      long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
      double p99 = Bench.quantile(s, 0.99) / 1e6;
      if (k == AccuracyBench.Kind.ECHO_0) {
        out("echo0_p99_ms", p99);
      }
      worst = Math.max(worst, p99);
    }
    out("worst_p99_ms", worst);
    agent.stop().await();
    vertx.close().await();
    // the safepoints of the window, from the log this JVM writes (uptime in nanoseconds)
    Pattern line = Pattern.compile("^\\[(\\d+)ns\\].*Total: (\\d+) ns");
    for (String l : Files.readAllLines(safepoints)) {
      Matcher m = line.matcher(l);
      if (m.find()) {
        long at = Long.parseLong(m.group(1)) / 1_000_000;
        if (at >= up0 && at <= up1) {
          System.out.println("PAUSE " + m.group(2));
        }
      }
    }
    System.out.flush();
    Files.deleteIfExists(file);
    System.exit(0);
  }

  /**
   * Young collections (Serial's Copy, Parallel's PS Scavenge, G1 Young Generation), or the
   * concurrent collectors' cycles (ZGC Cycles, Shenandoah Cycles): how often the collector runs.
   */
  private static long youngCollections() {
    long n = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = b.getName();
      if (name.contains("Young") || name.equals("Copy") || name.equals("PS Scavenge") || name.endsWith("Cycles")) {
        n += Math.max(0, b.getCollectionCount());
      }
    }
    return n;
  }

  private static void out(String key, double value) {
    System.out.println("GCBENCH " + key + " " + value);
  }
}
