package io.wsprobe.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Probes per CPU-second of wsprobe, of blackbox_exporter and of the single-loop Netty client
 * ({@link ReferenceLoop}, the practical limit) against the same loopback WebSocket server, in one
 * run: first wsprobe and blackbox_exporter at the same fixed rate, in alternating windows; then all
 * three at saturation (each as fast as it goes), in rotating windows.
 *
 * <ul>
 *   <li>wsprobe: {@code rate × 10} targets at a 10 s interval in its config (the scheduler drives
 *       it); each probe resolves nothing (IP URL), connects, upgrades, checks the 101 fully
 *       (Upgrade, Connection, Sec-WebSocket-Accept), does the close handshake, records phases.</li>
 *   <li>blackbox_exporter: its tcp prober sends a raw upgrade request and expects
 *       {@code HTTP/1.1 101}, then hangs up; driven through {@code /probe} at the same rate by this
 *       JVM (a third process, not counted).</li>
 * </ul>
 * CPU is utime + stime of each process from /proc/PID/stat over a window; between its windows a
 * process is idle (wsprobe reloaded with no targets, blackbox not asked), and its idle CPU is
 * counted too.
 *
 * At saturation wsprobe has {@code --sat-targets} targets at a 250 ms interval and
 * {@code max_concurrent_probes: --concurrency}, blackbox_exporter is asked by
 * {@code --concurrency} requests in a closed loop, the reference runs {@code --slots} connections.
 *
 * <p>{@code bench/cost.sh [--rate 200] [--window 30] [--rounds 3] [--warmup 30] [--sat-window 10]
 * [--sat-targets 2000] [--concurrency 64] [--slots 8]}
 */
public final class CostBench {

  private static final String UPGRADE_REQUEST = "GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n"
      + "Upgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\n"
      + "Sec-WebSocket-Version: 13\\r\\n\\r\\n";

  public static void main(String[] args) throws Exception {
    int rate = 200;
    int window = 30;
    int rounds = 3;
    int warmup = 30;
    String javaOpts = null;
    int satWindow = 10;
    int satTargets = 2000;
    int concurrency = 64;
    int slots = 8;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rate" -> rate = Integer.parseInt(args[i + 1]);
        case "--window" -> window = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--java-opts" -> javaOpts = args[i + 1];
        case "--sat-window" -> satWindow = Integer.parseInt(args[i + 1]);
        case "--sat-targets" -> satTargets = Integer.parseInt(args[i + 1]);
        case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
        case "--slots" -> slots = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = Bench.workDir("cost");
    String startLoad = Bench.load();
    Bench.log("%s", Bench.machine());

    try (Bench.Child server = Bench.Child.java("server", dir, BenchServer.class, List.of("-Xmx256m"))) {
      int serverPort = server.awaitListening();
      String wsUrl = "ws://127.0.0.1:" + serverPort + "/";

      Path bbConfig = dir.resolve("blackbox.yml");
      Files.writeString(bbConfig, """
          modules:
            ws_upgrade:
              prober: tcp
              timeout: 5s
              tcp:
                query_response:
                  - send: "%s"
                  - expect: "^HTTP/1.1 101"
          """.formatted(UPGRADE_REQUEST));
      int bbPort = AgentProcess.freePort();
      try (Bench.Child bb = Bench.Child.start("blackbox", dir, List.of("prometheus-blackbox-exporter",
               "--config.file=" + bbConfig, "--web.listen-address=127.0.0.1:" + bbPort, "--log.level=warn"));
           AgentProcess wsprobe = AgentProcess.start(dir, AgentProcess.config(0, wsUrl, "10s", "5s", ""), javaOpts)) {
        bb.awaitHttp("http://127.0.0.1:" + bbPort + "/-/healthy", Duration.ofSeconds(30));
        String bbProbe = "http://127.0.0.1:" + bbPort + "/probe?module=ws_upgrade&target=127.0.0.1:" + serverPort;
        String load = AgentProcess.config(rate * 10, wsUrl, "10s", "5s", "");
        String idle = AgentProcess.config(0, wsUrl, "10s", "5s", "");
        Blackbox driver = new Blackbox(bbProbe);

        List<Window> ws = new ArrayList<>();
        List<Window> bbs = new ArrayList<>();
        // cold: the first window of each right after its start (its JIT still compiling)
        Window coldWs = wsprobeWindow("wsprobe (cold)", wsprobe, bb, load, idle, window);
        Window coldBb = blackboxWindow("blackbox (cold)", driver, wsprobe, bb, rate, window);
        Bench.log("warm-up %d s each", warmup);
        wsprobeWindow("warm-up", wsprobe, bb, load, idle, warmup);
        blackboxWindow("warm-up", driver, wsprobe, bb, rate, warmup);
        for (int r = 1; r <= rounds; r++) {
          // alternate which goes first, so a slow drift in the machine's load hits both alike
          if (r % 2 == 1) {
            ws.add(wsprobeWindow("wsprobe #" + r, wsprobe, bb, load, idle, window));
            bbs.add(blackboxWindow("blackbox #" + r, driver, wsprobe, bb, rate, window));
          } else {
            bbs.add(blackboxWindow("blackbox #" + r, driver, wsprobe, bb, rate, window));
            ws.add(wsprobeWindow("wsprobe #" + r, wsprobe, bb, load, idle, window));
          }
        }

        Bench.Table t = new Bench.Table("Probes per CPU-second, wsprobe vs blackbox_exporter ("
            + rate + " probes/s, " + window + " s windows)",
            "window", "probes", "failed", "probes/s", "prober CPU s (kernel share)", "probes per CPU-s", "other prober's idle CPU s",
            "load avg (1 min)");
        for (Window w : List.of(coldWs, coldBb)) {
          t.row(w.cells());
        }
        for (int i = 0; i < rounds; i++) {
          t.row(ws.get(i).cells());
          t.row(bbs.get(i).cells());
        }
        double wsMedian = median(ws);
        double bbMedian = median(bbs);
        Bench.Table s = new Bench.Table("Summary", "", "probes per CPU-second (median of " + rounds + " windows)");
        s.row("wsprobe", Bench.fmt("%.0f", wsMedian));
        s.row("blackbox_exporter", Bench.fmt("%.0f", bbMedian));
        s.row("**ratio**", Bench.fmt("**%.2f×** (target ≥ 3×)", wsMedian / bbMedian));
        s.row("cold (first window after start)", Bench.fmt("wsprobe %.0f, blackbox %.0f, ratio %.2f×",
            coldWs.perCpuSecond(), coldBb.perCpuSecond(), coldWs.perCpuSecond() / coldBb.perCpuSecond()));
        s.note("Load average at the start: " + startLoad + ". wsprobe: `./wsprobe` with the launcher's"
            + " default JVM flags, " + (rate * 10) + " targets at a 10 s interval (default module: upgrade,"
            + " Accept check, close handshake, per-phase histograms). blackbox_exporter "
            + version() + ": tcp prober, raw upgrade request, expects `^HTTP/1.1 101`, then hangs up;"
            + " driven through `/probe` by the bench JVM. A window starts 3 s after the other prober went"
            + " idle; wsprobe's includes one `/metrics` scrape, blackbox's its metrics in every `/probe` answer. JIT warm-up: " + warmup + " s each before the measured rounds.");

        // saturation: each as fast as it goes, in rotating order
        String satExtra = "  max_concurrent_probes: " + concurrency + "\n";
        String saturating = AgentProcess.config(satTargets, wsUrl, "250ms", "200ms", satExtra);
        String satIdle = AgentProcess.config(0, wsUrl, "250ms", "200ms", satExtra);
        ReferenceBench.Loop loop = ReferenceBench.Loop.start(dir, serverPort, slots);
        Bench.log("saturation: warm-up %d s each", warmup);
        ReferenceBench.wsprobe("warm-up", wsprobe, saturating, satIdle, warmup);
        loop.run("warm-up", warmup);
        saturatedBlackbox("warm-up", driver, bb, concurrency, satWindow);
        List<ReferenceBench.Window> satWs = new ArrayList<>();
        List<ReferenceBench.Window> satRef = new ArrayList<>();
        List<ReferenceBench.Window> satBb = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
          for (int k = 0; k < 3; k++) {
            switch ((r + k) % 3) {
              case 0 -> satWs.add(ReferenceBench.wsprobe("wsprobe #" + r, wsprobe, saturating, satIdle, satWindow));
              case 1 -> satRef.add(loop.run("reference #" + r, satWindow));
              default -> satBb.add(saturatedBlackbox("blackbox #" + r, driver, bb, concurrency, satWindow));
            }
          }
        }
        loop.in().close();
        loop.process().waitFor(10, TimeUnit.SECONDS);
        Bench.Table sat = new Bench.Table("Saturation: probes per CPU-second, each as fast as it goes ("
            + satWindow + " s windows)", "window", "probes", "failed", "probes/s", "CPU (cores)",
            "µs CPU per probe (user + sys)", "probes per CPU-s", "load avg (1 min)");
        for (int i = 0; i < rounds; i++) {
          sat.row(satWs.get(i).cells());
          sat.row(satRef.get(i).cells());
          sat.row(satBb.get(i).cells());
        }
        double satWsEff = ReferenceBench.median(satWs, false);
        double satRefEff = ReferenceBench.median(satRef, false);
        double satBbEff = ReferenceBench.median(satBb, false);
        Bench.Table ratios = new Bench.Table("Ratios (medians of " + rounds + " windows)", "", "probes per CPU-s",
            "µs user per probe", "µs sys per probe", "wsprobe's ratio to it");
        ratios.row("wsprobe at saturation", Bench.fmt("%.0f", satWsEff),
            Bench.fmt("%.0f", ReferenceBench.medianOf(satWs, ReferenceBench.Window::userMicros)),
            Bench.fmt("%.0f", ReferenceBench.medianOf(satWs, ReferenceBench.Window::sysMicros)), "");
        ratios.row("reference loop (single event loop) at saturation", Bench.fmt("%.0f", satRefEff),
            Bench.fmt("%.0f", ReferenceBench.medianOf(satRef, ReferenceBench.Window::userMicros)),
            Bench.fmt("%.0f", ReferenceBench.medianOf(satRef, ReferenceBench.Window::sysMicros)),
            Bench.fmt("**%.0f %%** (target ≥ 70 %%)", 100 * satWsEff / satRefEff));
        ratios.row("blackbox_exporter at saturation", Bench.fmt("%.0f", satBbEff),
            Bench.fmt("%.0f", ReferenceBench.medianOf(satBb, ReferenceBench.Window::userMicros)),
            Bench.fmt("%.0f", ReferenceBench.medianOf(satBb, ReferenceBench.Window::sysMicros)),
            Bench.fmt("**%.2f×** (target ≥ 3×)", satWsEff / satBbEff));
        ratios.row("blackbox_exporter at " + rate + " probes/s", Bench.fmt("%.0f", bbMedian), "", "",
            Bench.fmt("**%.2f×** (target ≥ 3×; wsprobe %.0f)", wsMedian / bbMedian, wsMedian));
        ratios.note("Saturation: wsprobe " + satTargets + " targets at a 250 ms interval, `max_concurrent_probes: "
            + concurrency + "`; blackbox_exporter asked by " + concurrency + " requests in a closed loop (the"
            + " driving JVM not counted); the reference loop (bench/ReferenceLoop) one event loop, " + slots
            + " connections. wsprobe's saturated windows exclude the scrapes that count its probes. Warm-up "
            + warmup + " s each (blackbox " + satWindow + " s).");
        Bench.publish("cost", "bench/cost.sh " + String.join(" ", args), List.of(t, s, sat, ratios));
      }
    }
  }

  private static String version() {
    try {
      Process p = new ProcessBuilder("prometheus-blackbox-exporter", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(5, TimeUnit.SECONDS);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("version (\\S+)").matcher(out);
      return m.find() ? m.group(1) : "(version unknown)";
    } catch (Exception e) {
      return "(version unknown)";
    }
  }

  private static double median(List<Window> windows) {
    double[] v = windows.stream().mapToDouble(Window::perCpuSecond).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  record Window(String name, long probes, long failed, double seconds, long cpuNanos, long otherCpuNanos, double load,
                long sysNanos) {
    double perCpuSecond() {
      return probes / (cpuNanos / 1e9);
    }

    Object[] cells() {
      return new Object[] {name, probes, failed, Bench.fmt("%.0f", probes / seconds),
          Bench.fmt("%.2f (%.0f %% sys)", cpuNanos / 1e9, 100.0 * sysNanos / cpuNanos),
          Bench.fmt("**%.0f**", perCpuSecond()), Bench.fmt("%.2f", otherCpuNanos / 1e9), Bench.fmt("%.2f", load)};
    }
  }

  private static Window wsprobeWindow(String name, AgentProcess wsprobe, Bench.Child bb, String load, String idle,
                                      int seconds) throws Exception {
    wsprobe.reload(load);
    Thread.sleep(3000);
    // one scrape per window is counted in wsprobe's CPU, as Prometheus would scrape it
    String before = wsprobe.metrics();
    long[] split0 = Bench.cpuSplit(wsprobe.pid());
    long cpu0 = split0[0] + split0[1];
    long other0 = Bench.cpuNanos(bb.pid());
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    String after = wsprobe.metrics();
    long[] split1 = Bench.cpuSplit(wsprobe.pid());
    long cpu1 = split1[0] + split1[1];
    long other1 = Bench.cpuNanos(bb.pid());
    long t1 = System.nanoTime();
    wsprobe.reload(idle);
    long probes = Math.round(Bench.sum(after, "wsprobe_probes_total") - Bench.sum(before, "wsprobe_probes_total"));
    long ok = Math.round(Bench.sum(after, "wsprobe_probes_total", "result=\"success\"")
        - Bench.sum(before, "wsprobe_probes_total", "result=\"success\""));
    Window w = new Window(name, probes, probes - ok, (t1 - t0) / 1e9, cpu1 - cpu0, other1 - other0, Bench.load1(),
        split1[1] - split0[1]);
    Bench.log("%s: %d probes, %.2f CPU s, %.0f per CPU-s", name, probes, w.cpuNanos / 1e9, w.perCpuSecond());
    Thread.sleep(3000);
    return w;
  }

  private static Window blackboxWindow(String name, Blackbox driver, AgentProcess wsprobe, Bench.Child bb,
                                       int rate, int seconds) throws Exception {
    long[] split0 = Bench.cpuSplit(bb.pid());
    long cpu0 = split0[0] + split0[1];
    long other0 = Bench.cpuNanos(wsprobe.pid());
    long t0 = System.nanoTime();
    long[] counts = driver.drive(rate, seconds);
    long[] split1 = Bench.cpuSplit(bb.pid());
    long cpu1 = split1[0] + split1[1];
    long other1 = Bench.cpuNanos(wsprobe.pid());
    long t1 = System.nanoTime();
    Window w = new Window(name, counts[0] + counts[1], counts[1], (t1 - t0) / 1e9, cpu1 - cpu0, other1 - other0,
        Bench.load1(), split1[1] - split0[1]);
    Bench.log("%s: %d probes (%d failed), %.2f CPU s, %.0f per CPU-s", name, w.probes, w.failed, w.cpuNanos / 1e9,
        w.perCpuSecond());
    Thread.sleep(3000);
    return w;
  }

  private static ReferenceBench.Window saturatedBlackbox(String name, Blackbox driver, Bench.Child bb, int concurrency,
                                                         int seconds) throws Exception {
    long[] split0 = Bench.cpuSplit(bb.pid());
    long t0 = System.nanoTime();
    long[] counts = driver.driveClosed(concurrency, seconds);
    long[] split1 = Bench.cpuSplit(bb.pid());
    long t1 = System.nanoTime();
    ReferenceBench.Window w = new ReferenceBench.Window(name, counts[0] + counts[1], counts[1], (t1 - t0) / 1e9,
        split1[0] - split0[0], split1[1] - split0[1], Bench.load1());
    Bench.log("%s: %.0f probes/s, %.0f per CPU-s", name, w.probes() / w.seconds(), w.perCpuSecond());
    Thread.sleep(3000);
    return w;
  }

  /** Asks blackbox_exporter's {@code /probe} at a fixed rate, as Prometheus would with many targets. */
  static final class Blackbox {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private final HttpRequest request;

    Blackbox(String url) {
      this.request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    }

    /** Returns {succeeded, failed}; waits for the last answers (bounded by their timeout). */
    long[] drive(int rate, int seconds) throws InterruptedException {
      AtomicLong ok = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      Semaphore inFlight = new Semaphore(512);
      long start = System.nanoTime();
      long total = (long) rate * seconds;
      for (long k = 0; k < total; k++) {
        long due = start + k * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        if (!inFlight.tryAcquire(5, TimeUnit.SECONDS)) {
          failed.incrementAndGet();
          continue;
        }
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
          inFlight.release();
          if (e == null && r.statusCode() == 200 && r.body().contains("\nprobe_success 1")) {
            ok.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
        });
      }
      inFlight.tryAcquire(512, 15, TimeUnit.SECONDS);
      inFlight.release(512);
      return new long[] {ok.get(), failed.get()};
    }

    /**
     * Keeps {@code concurrency} requests in flight for {@code seconds}, each answer sending the next:
     * as fast as blackbox_exporter goes. Returns {succeeded, failed}, after the last answers.
     */
    long[] driveClosed(int concurrency, int seconds) throws InterruptedException {
      AtomicLong ok = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(concurrency);
      for (int i = 0; i < concurrency; i++) {
        next(ok, failed, stopAt, done);
      }
      done.await(seconds + 15L, TimeUnit.SECONDS);
      return new long[] {ok.get(), failed.get()};
    }

    private void next(AtomicLong ok, AtomicLong failed, long stopAt, java.util.concurrent.CountDownLatch done) {
      if (System.nanoTime() >= stopAt) {
        done.countDown();
        return;
      }
      http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
        if (e == null && r.statusCode() == 200 && r.body().contains("\nprobe_success 1")) {
          ok.incrementAndGet();
        } else {
          failed.incrementAndGet();
        }
        next(ok, failed, stopAt, done);
      });
    }
  }

  static double[] sorted(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c;
  }
}
