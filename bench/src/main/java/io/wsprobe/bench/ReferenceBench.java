package io.wsprobe.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wsprobe's probes per CPU-second as a fraction of the practical limit, {@link ReferenceLoop} (one
 * event loop, a closed loop of {@code --slots} connections): both saturate the same loopback
 * server, in alternating windows of one run. wsprobe gets more targets per second than it can
 * probe ({@code --targets} at {@code --interval}; its scheduler skips the ticks it cannot serve),
 * so its rate is its ceiling on this machine. CPU per probe is split into user and system time.
 *
 * <p>{@code bench/reference.sh [--concurrency 64] [--slots 8] [--targets 2000] [--interval 250ms]
 * [--window 10] [--rounds 3] [--warmup 20] [--java-opts "..."]}
 */
public final class ReferenceBench {

  private static final Pattern RESULT = Pattern.compile(
      "RESULT probes=(\\d+) failed=(\\d+) seconds=([\\d.]+) cpu_ns=(\\d+) user_ns=(\\d+) sys_ns=(\\d+)");

  public static void main(String[] args) throws Exception {
    int concurrency = 64;
    int slots = 8;
    int targets = 2000;
    String interval = "250ms";
    int window = 10;
    int rounds = 3;
    int warmup = 20;
    String javaOpts = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
        case "--slots" -> slots = Integer.parseInt(args[i + 1]);
        case "--interval" -> interval = args[i + 1];
        case "--targets" -> targets = Integer.parseInt(args[i + 1]);
        case "--window" -> window = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--java-opts" -> javaOpts = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = Bench.workDir("reference");
    String startLoad = Bench.load();
    Bench.log("%s", Bench.machine());
    try (Bench.Child server = Bench.Child.java("server", dir, BenchServer.class, List.of("-Xmx512m"))) {
      int port = server.awaitListening();
      String url = "ws://127.0.0.1:" + port + "/";
      String extra = "  max_concurrent_probes: " + concurrency + "\n";
      String saturating = AgentProcess.config(targets, url, interval, "200ms", extra);
      String idle = AgentProcess.config(0, url, interval, "200ms", extra);
      Loop loop = Loop.start(dir, port, slots);
      Process ref = loop.process();
      PrintWriter refIn = loop.in();
      BufferedReader refOut = loop.out();
      try (AgentProcess agent = AgentProcess.start(dir, idle, javaOpts)) {
        List<Window> refs = new ArrayList<>();
        List<Window> wss = new ArrayList<>();
        Window coldRef = reference("reference (cold)", refIn, refOut, window);
        Window coldWs = wsprobe("wsprobe (cold)", agent, saturating, idle, window);
        reference("warm-up", refIn, refOut, warmup);
        wsprobe("warm-up", agent, saturating, idle, warmup);
        for (int r = 1; r <= rounds; r++) {
          if (r % 2 == 1) {
            wss.add(wsprobe("wsprobe #" + r, agent, saturating, idle, window));
            refs.add(reference("reference #" + r, refIn, refOut, window));
          } else {
            refs.add(reference("reference #" + r, refIn, refOut, window));
            wss.add(wsprobe("wsprobe #" + r, agent, saturating, idle, window));
          }
        }
        refIn.close();
        ref.waitFor();

        Bench.Table t = new Bench.Table("Saturated probes per CPU-second, wsprobe (" + concurrency
            + " in flight) vs a single-loop Netty client (" + slots + " slots), " + window + " s windows",
            "window", "probes", "failed", "probes/s", "client CPU (cores)", "µs CPU per probe (user + sys)",
            "probes per CPU-s", "load avg (1 min)");
        t.row(coldRef.cells());
        t.row(coldWs.cells());
        for (int i = 0; i < rounds; i++) {
          t.row(wss.get(i).cells());
          t.row(refs.get(i).cells());
        }
        double wsRate = median(wss, true);
        double refRate = median(refs, true);
        double wsEff = median(wss, false);
        double refEff = median(refs, false);
        Bench.Table s = new Bench.Table("Summary (medians of " + rounds + " windows)", "", "probes/s",
            "µs user per probe", "µs sys per probe", "probes per CPU-s");
        s.row("reference loop", Bench.fmt("%.0f", refRate), Bench.fmt("%.0f", medianOf(refs, Window::userMicros)),
            Bench.fmt("%.0f", medianOf(refs, Window::sysMicros)), Bench.fmt("%.0f", refEff));
        s.row("wsprobe", Bench.fmt("%.0f", wsRate), Bench.fmt("%.0f", medianOf(wss, Window::userMicros)),
            Bench.fmt("%.0f", medianOf(wss, Window::sysMicros)), Bench.fmt("%.0f", wsEff));
        s.row("**wsprobe / reference**", Bench.fmt("%.0f %%", 100 * wsRate / refRate), "", "",
            Bench.fmt("**%.0f %%** (target ≥ 70 %%)", 100 * wsEff / refEff));
        s.note("Load average at the start: " + startLoad + ". The server (bench/BenchServer, Netty, 2 event loops)"
            + " shares the 2 cores with the client under test, so both rates are what this machine can do with"
            + " server and client on it; the CPU columns are the client's alone. wsprobe: `./wsprobe` with the"
            + " launcher's default JVM flags, " + targets + " targets at a " + interval + " interval, `max_concurrent_probes: "
            + concurrency + "`. Reference (bench/ReferenceLoop): the same JVM flags and transport (epoll where it"
            + " loads, as wsprobe), ONE event loop thread, " + slots + " connections in a closed loop, each slot's"
            + " next probe started from the previous channel's close future, one timeout timer per probe."
            + " Warm-up " + warmup + " s each before the measured rounds.");
        Bench.publish("reference", "bench/reference.sh " + String.join(" ", args), List.of(t, s));
      }
    }
  }

  /** The {@link ReferenceLoop} in its own JVM (the launcher's heap flags), driven through its stdin. */
  record Loop(Process process, PrintWriter in, BufferedReader out) {
    static Loop start(Path dir, int port, int slots) throws Exception {
      Process ref = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
          ReferenceLoop.class.getName(), String.valueOf(port), String.valueOf(slots))
          .redirectError(dir.resolve("reference.log").toFile()).start();
      Runtime.getRuntime().addShutdownHook(new Thread(ref::destroyForcibly));
      BufferedReader out = new BufferedReader(new InputStreamReader(ref.getInputStream(), StandardCharsets.UTF_8));
      PrintWriter in = new PrintWriter(ref.getOutputStream(), true, StandardCharsets.UTF_8);
      out.readLine(); // LISTENING
      return new Loop(ref, in, out);
    }

    Window run(String name, int seconds) throws Exception {
      return reference(name, in, out, seconds);
    }
  }

  static double median(List<Window> ws, boolean rate) {
    return medianOf(ws, w -> rate ? w.probes / w.seconds : w.perCpuSecond());
  }

  static double medianOf(List<Window> ws, java.util.function.ToDoubleFunction<Window> f) {
    double[] v = ws.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  record Window(String name, long probes, long failed, double seconds, long userNanos, long sysNanos,
      double load) {
    double perCpuSecond() {
      return probes / ((userNanos + sysNanos) / 1e9);
    }

    double userMicros() {
      return userNanos / 1e3 / Math.max(1, probes);
    }

    double sysMicros() {
      return sysNanos / 1e3 / Math.max(1, probes);
    }

    Object[] cells() {
      return new Object[] {name, probes, failed, Bench.fmt("**%.0f**", probes / seconds),
          Bench.fmt("%.2f", (userNanos + sysNanos) / 1e9 / seconds),
          Bench.fmt("%.0f + %.0f", userMicros(), sysMicros()), Bench.fmt("%.0f", perCpuSecond()),
          Bench.fmt("%.2f", load)};
    }
  }

  static Window reference(String name, PrintWriter in, BufferedReader out, int seconds) throws Exception {
    in.println("run " + seconds);
    String line = out.readLine();
    Matcher m = RESULT.matcher(line == null ? "" : line);
    if (!m.find()) {
      throw new IllegalStateException("reference loop said: " + line);
    }
    Window w = new Window(name, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
        Double.parseDouble(m.group(3)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), Bench.load1());
    Bench.log("%s: %.0f probes/s, %.0f per CPU-s", name, w.probes / w.seconds, w.perCpuSecond());
    Thread.sleep(3000);
    return w;
  }

  static Window wsprobe(String name, AgentProcess agent, String saturating, String idle, int seconds)
      throws Exception {
    agent.reload(saturating);
    Thread.sleep(3000);
    // the scrapes that count the probes are outside the CPU window: a scrape of thousands of
    // targets' series is not a probe's cost (it was a few per cent of a 10 s window)
    String m0 = agent.metrics();
    long[] cpu0 = Bench.cpuSplit(agent.pid());
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long[] cpu1 = Bench.cpuSplit(agent.pid());
    long t1 = System.nanoTime();
    String m1 = agent.metrics();
    long t2 = System.nanoTime();
    agent.reload(idle);
    double probes = Bench.sum(m1, "wsprobe_probes_total") - Bench.sum(m0, "wsprobe_probes_total");
    double ok = Bench.sum(m1, "wsprobe_probes_total", "result=\"success\"")
        - Bench.sum(m0, "wsprobe_probes_total", "result=\"success\"");
    // the counters were read during the second scrape, after the CPU window closed: count the
    // window's share of the probes (pro rata of the time to the end of that scrape; conservative)
    double share = (t1 - t0) / (double) (t2 - t0);
    probes *= share;
    ok *= share;
    Window w = new Window(name, Math.round(probes), Math.round(probes - ok), (t1 - t0) / 1e9, cpu1[0] - cpu0[0],
        cpu1[1] - cpu0[1], Bench.load1());
    Bench.log("%s: %.0f probes/s, %.0f per CPU-s", name, w.probes / w.seconds, w.perCpuSecond());
    Thread.sleep(3000);
    return w;
  }
}
