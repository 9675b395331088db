package io.wsprobe.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * 10,000 targets at a 10 s interval (1,000 probes/s) against a loopback server in its own JVM,
 * with the agent as users run it ({@code ./wsprobe}, the launcher's default JVM flags): scheduler
 * lag, CPU, RSS, heap after GC, {@code /metrics} scrape time and size, series per target. The
 * first minute (cold JIT) is reported apart from the measured window.
 *
 * <p>{@code bench/scale.sh [--targets 10000] [--interval 10s] [--warmup 60] [--duration 300]}
 */
public final class ScaleBench {

  static final String LAG = "wsprobe_scheduler_lag_seconds";
  /** Finer than the default, to read p50 and p99 (the config allows 12 bounds). */
  static final String LAG_BUCKETS = "[0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]";

  public static void main(String[] args) throws Exception {
    int targets = 10_000;
    String interval = "10s";
    int warmup = 60;
    int duration = 300;
    String javaOpts = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--targets" -> targets = Integer.parseInt(args[i + 1]);
        case "--interval" -> interval = args[i + 1];
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--duration" -> duration = Integer.parseInt(args[i + 1]);
        case "--java-opts" -> javaOpts = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = Bench.workDir("scale");
    String startLoad = Bench.load();
    Bench.log("%s", Bench.machine());
    try (Bench.Child server = Bench.Child.java("server", dir, BenchServer.class, List.of("-Xmx512m"))) {
      int serverPort = server.awaitListening();
      String config = AgentProcess.config(targets, "ws://127.0.0.1:" + serverPort + "/", interval, "5s",
          "  max_concurrent_probes: 256\n  buckets:\n    scheduler_lag: " + LAG_BUCKETS + "\n");
      long started = System.nanoTime();
      try (AgentProcess agent = AgentProcess.start(dir, config, javaOpts)) {
        long pid = agent.pid();
        long readyAfter = System.nanoTime() - started;
        Bench.log("agent ready after %.1f s; cold minute", readyAfter / 1e9);
        // cold: from the agent's start
        Window cold = Window.open(agent);
        Thread.sleep(Math.min(60, warmup) * 1000L);
        Window.Result coldResult = cold.close(agent);
        Thread.sleep(Math.max(0, warmup - 60) * 1000L);

        Bench.log("measuring %d s", duration);
        Window warm = Window.open(agent);
        List<Long> rss = new ArrayList<>();
        List<Long> scrapeNanos = new ArrayList<>();
        List<Integer> scrapeBytes = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(duration);
        int tick = 0;
        while (System.nanoTime() < end) {
          Thread.sleep(Math.min(10_000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
          rss.add(Bench.rssBytes(pid));
          if (tick++ % 3 == 0) {
            long t0 = System.nanoTime();
            long size = Bench.download(agent.url("/metrics"));
            scrapeNanos.add(System.nanoTime() - t0);
            scrapeBytes.add((int) size);
          }
        }
        Window.Result warmResult = warm.close(agent);
        String metrics = agent.metrics();
        int seriesPerTarget = 0;
        int allSeries = 0;
        for (String line : metrics.split("\n")) {
          if (!line.startsWith("#") && !line.isEmpty()) {
            allSeries++;
            if (line.contains("target=\"t00042\"")) {
              seriesPerTarget++;
            }
          }
        }
        long rssEnd = Bench.rssBytes(pid);
        new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true)
            .redirectOutput(dir.resolve("jcmd.log").toFile()).start().waitFor(60, TimeUnit.SECONDS);
        // what the live heap is made of, for whoever wants to shrink it
        new ProcessBuilder("jcmd", String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true)
            .redirectOutput(dir.resolve("heap-histogram.txt").toFile()).start().waitFor(60, TimeUnit.SECONDS);
        double heapAfterGc = Bench.sum(agent.metrics(), "jvm_memory_used_bytes", "area=\"heap\"");
        long rssMax = rss.stream().mapToLong(Long::longValue).max().orElse(0);
        long[] scrapes = scrapeNanos.stream().mapToLong(Long::longValue).sorted().toArray();

        Bench.Table t = new Bench.Table("Scale: " + targets + " targets at " + interval + " ("
            + warmResult.probesPerSecond() + " probes/s), " + duration + " s measured after " + warmup + " s",
            "", "measured window", "target", "cold (first 60 s)");
        t.row("probes/s (failed)", Bench.fmt("%.0f (%d)", warmResult.rate, warmResult.failed), "1000",
            Bench.fmt("%.0f (%d)", coldResult.rate, coldResult.failed));
        t.row("scheduler lag p50", Bench.fmt("%.2f ms", warmResult.lagP50 * 1e3), "",
            Bench.fmt("%.2f ms", coldResult.lagP50 * 1e3));
        t.row("scheduler lag p99", Bench.fmt("**%.2f ms**", warmResult.lagP99 * 1e3), "< 50 ms",
            Bench.fmt("%.2f ms", coldResult.lagP99 * 1e3));
        t.row("lag ≤ 50 ms", Bench.fmt("%.3f %%", warmResult.lagUnder50 * 100), "≥ 99 %",
            Bench.fmt("%.3f %%", coldResult.lagUnder50 * 100));
        t.row("agent CPU", Bench.fmt("**%.2f cores**", warmResult.cores), "< 1 core",
            Bench.fmt("%.2f cores", coldResult.cores));
        t.row("skipped ticks", warmResult.skipped, "0", coldResult.skipped);
        t.row("RSS max / end", Bench.fmt("**%d MiB** / %d MiB", rssMax >> 20, rssEnd >> 20), "< 512 MiB", "");
        t.row("heap after full GC", Bench.fmt("%.0f MiB", heapAfterGc / (1 << 20)), "", "");
        t.row("/metrics scrape time p50 / max", Bench.fmt("%.0f ms / **%.0f ms**", Bench.quantile(scrapes, 0.5) / 1e6,
            scrapes.length == 0 ? Double.NaN : scrapes[scrapes.length - 1] / 1e6), "< 500 ms", "");
        t.row("/metrics size", Bench.fmt("%.1f MiB, %d series", scrapeBytes.get(scrapeBytes.size() - 1) / 1048576.0,
            allSeries), "", "");
        t.row("series per target", Bench.fmt("**%d**", seriesPerTarget), "≤ 60", "");
        t.note("Load average at the start: " + startLoad + ". The agent: `./wsprobe` with the launcher's default JVM"
            + " flags" + (javaOpts == null ? "" : " replaced by `" + javaOpts + "`") + ", default module (upgrade,"
            + " Accept check, close handshake), `max_concurrent_probes: 256`, scheduler lag buckets "
            + LAG_BUCKETS + " (quantiles interpolated inside a bucket, as histogram_quantile does). Server: "
            + "bench/BenchServer (Netty, 2 event loops) in its own JVM on the same 2 cores. RSS sampled every 10 s;"
            + " /metrics scraped every 30 s (text 0.0.4). Ready " + Bench.fmt("%.1f", readyAfter / 1e9)
            + " s after launch (JVM start and warm-up probes).");
        Bench.publish("scale", "bench/scale.sh " + String.join(" ", args), List.of(t));
      }
    }
  }

  /** Counters and CPU between two moments. */
  record Window(long t0, long cpu0, double probes0, double failed0, double skipped0, TreeMap<Double, Double> lag0) {

    static Window open(AgentProcess agent) throws Exception {
      String m = agent.metrics();
      return new Window(System.nanoTime(), Bench.cpuNanos(agent.pid()), Bench.sum(m, "wsprobe_probes_total"),
          failed(m), Bench.sum(m, "wsprobe_probes_skipped_total"), Bench.buckets(m, LAG));
    }

    private static double failed(String m) {
      return Bench.sum(m, "wsprobe_probes_total") - Bench.sum(m, "wsprobe_probes_total", "result=\"success\"");
    }

    Result close(AgentProcess agent) throws Exception {
      String m = agent.metrics();
      long t1 = System.nanoTime();
      long cpu1 = Bench.cpuNanos(agent.pid());
      double seconds = (t1 - t0) / 1e9;
      TreeMap<Double, Double> lag = Bench.delta(Bench.buckets(m, LAG), lag0);
      return new Result((Bench.sum(m, "wsprobe_probes_total") - probes0) / seconds, Math.round(failed(m) - failed0),
          Math.round(Bench.sum(m, "wsprobe_probes_skipped_total") - skipped0), (cpu1 - cpu0) / 1e9 / seconds,
          Bench.histogramQuantile(lag, 0.5), Bench.histogramQuantile(lag, 0.99), Bench.shareAtOrBelow(lag, 0.05));
    }

    record Result(double rate, long failed, long skipped, double cores, double lagP50, double lagP99,
                  double lagUnder50) {
      String probesPerSecond() {
        return Bench.fmt("%.0f", rate);
      }
    }
  }
}
