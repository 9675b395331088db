package io.wsprobe.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.Nginx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.wsprobe.support.Scrape;

/**
 * The packaged agent under file descriptor pressure, as an operator would see it: its soft
 * limit ({@code prlimit --pid}) drops below what its probes need, then rises again, in cycles.
 * While squeezed, probes end as {@code resource_exhausted} and every scrape of {@code /metrics}
 * on a new connection is answered (the descriptors the agent keeps free); once released, every
 * target is probed successfully again; at the end each target's ticks reconcile: planned = done
 * + skipped + failed to start, and no probe is left holding a slot.
 *
 * <p>One 8-second squeeze and one release in the suite; {@code bench/soak.sh --fd-pressure
 * SECONDS} runs cycles for that long ({@code -Dwsprobe.fdsoak.seconds}) and writes a report
 * ({@code -Dwsprobe.fdsoak.report}).
 */
class FdPressureIT {

  static final int TARGETS = 30;
  static final long INTERVAL_MS = 1000;
  static final long HARD = 4096;
  static final long SQUEEZE_MS = 8000;
  static final long RELEASE_MS = 8000;

  @TempDir Path dir;
  Process agent;
  final List<String> lines = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.destroy();
      if (!agent.waitFor(10, TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
  }

  @Test
  void probesFailByNameWhileSqueezedAndResumeWhenReleased() throws Exception {
    long seconds = Long.getLong("wsprobe.fdsoak.seconds", 0);
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer app = AppServer.start(vertx);
      StringBuilder yaml = new StringBuilder("""
          global: { interval: 1s, timeout: 800ms, max_concurrent_probes: 64 }
          modules:
            held: { hold: { duration: 300ms } }
          targets:
          """);
      for (int i = 0; i < TARGETS; i++) {
        // one by host name: its DNS lookup needs descriptors too
        String host = i == 0 ? "localhost" : "127.0.0.1";
        yaml.append("  - { name: t").append(i).append(", module: held, url: \"ws://").append(host)
            .append(':').append(app.actualPort()).append("/collab\" }\n");
      }
      Path file = Files.writeString(dir.resolve("wsprobe.yml"), yaml);
      int port = Nginx.freePort();
      // -XX:-MaxFDLimit: the JVM would otherwise raise its soft limit to the hard one at start
      List<String> cmd = List.of("prlimit", "--nofile=1024:" + HARD, "java", "-XX:-MaxFDLimit",
          "-Xmx256m", "-XX:+UseSerialGC", "-jar", AgentProcessIT.jar(), "--config.file=" + file,
          "--web.listen-address=127.0.0.1:" + port);
      agent = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      AgentProcessIT.collect(agent, lines);
      // the scheduler starts just before the web port answers: from then on, ticks are counted
      AgentProcessIT.await("the web port", () -> !scrape(port).isEmpty(), lines);
      long started = System.nanoTime();
      AgentProcessIT.await("every target probed once", () -> successes(scrape(port)).size() == TARGETS, lines);

      List<String> report = new ArrayList<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      int cycle = 0;
      do {
        cycle++;
        report.add(cycle(port, cycle));
      } while (System.nanoTime() < end);

      String last = scrape(port);
      double elapsed = (System.nanoTime() - started) / 1e9;
      assertThat(value(last, "wsprobe_probes_in_flight")).as("probes in flight at the end")
          .isLessThanOrEqualTo(TARGETS);
      // every tick of a target is a probe with a result (failed to start included) or a skip
      Map<String, Double> done = perTarget(last, "wsprobe_probes_total\\{[^}]*target=\"(t\\d+)\"[^}]*}");
      Map<String, Double> skipped = perTarget(last, "wsprobe_probes_skipped_total\\{[^}]*target=\"(t\\d+)\"[^}]*}");
      long planned = Math.round(elapsed * 1000 / INTERVAL_MS);
      for (String target : done.keySet()) {
        double ticks = done.get(target) + skipped.getOrDefault(target, 0.0);
        // each target's first tick comes at its own offset within the interval, and a probe still
        // running at the last scrape has no result yet
        assertThat(ticks).as("ticks of " + target + " over " + elapsed + "s").isBetween(planned - 2.0, planned + 1.0);
      }
      assertThat(lines).noneMatch(l -> l.contains("internal_error") || l.contains("Exception"));
      String reportFile = System.getProperty("wsprobe.fdsoak.report");
      if (reportFile != null) {
        Files.writeString(Path.of(reportFile), report(report, elapsed, done, skipped, last));
      }
    } finally {
      vertx.close().await();
    }
  }

  /** One squeeze and one release; returns the cycle's row of the report. */
  private String cycle(int port, int cycle) throws Exception {
    String before = scrape(port);
    double exhaustedBefore = sum(before, "result=\"resource_exhausted\"");
    Map<String, Double> successesBefore = successes(before);
    // what the agent holds besides probe sockets (one per probe in flight), plus fewer than the
    // 16 it keeps for the web port: no probe may start, yet a scrape still gets through
    long others = (long) (value(before, "process_open_fds") - value(before, "wsprobe_probes_in_flight"));
    long squeezed = others + 8;
    prlimit(squeezed);
    // until the agent counts its descriptors again (at most a second), probes may still take the
    // last ones: from then on they are refused before they try
    Thread.sleep(1500);
    long scrapes = 0;
    long slowest = 0;
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SQUEEZE_MS);
    while (System.nanoTime() < until) {
      long t0 = System.nanoTime();
      String text = scrape(port);
      assertThat(text).as("/metrics on a new connection while squeezed to " + squeezed
          + " descriptors; agent output:\n" + String.join("\n", lines)).contains("wsprobe_probes_in_flight");
      slowest = Math.max(slowest, System.nanoTime() - t0);
      scrapes++;
      Thread.sleep(250);
    }
    String squeezedScrape = scrape(port);
    double exhausted = sum(squeezedScrape, "result=\"resource_exhausted\"") - exhaustedBefore;
    assertThat(exhausted).as("probes that found no descriptor while squeezed").isGreaterThan(0);
    prlimit(HARD);
    AgentProcessIT.await("every target probed again after the release", () -> {
      Map<String, Double> now = successes(scrape(port));
      return successesBefore.keySet().stream().allMatch(t -> now.getOrDefault(t, 0.0) > successesBefore.get(t));
    }, lines);
    Thread.sleep(RELEASE_MS);
    return String.format(Locale.ROOT, "| %d | %d | %.0f | %d | %.1f |", cycle, squeezed, exhausted, scrapes,
        slowest / 1e6);
  }

  private void prlimit(long soft) throws Exception {
    Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(agent.pid()), "--nofile=" + soft + ":" + HARD)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("prlimit: " + out).isZero();
  }

  /** A scrape on a connection of its own (a kept-alive one would need no new descriptor), or "". */
  static String scrape(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.startsWith("HTTP/1.1 200") ? text : "";
    } catch (Exception e) {
      return "";
    }
  }

  static double value(String scrape, String series) {
    return Scrape.value(scrape, series);
  }

  static double sum(String scrape, String containing) {
    return Scrape.sum(scrape, l -> l.startsWith("wsprobe_probes_total{") && l.contains(containing));
  }

  static Map<String, Double> successes(String scrape) {
    Map<String, Double> out = perTarget(scrape, "wsprobe_probes_total\\{[^}]*result=\"success\"[^}]*target=\"(t\\d+)\"[^}]*}");
    out.values().removeIf(v -> v < 1);
    return out;
  }

  /** Sums the series matching {@code series} (group 1 is the target) per target. */
  static Map<String, Double> perTarget(String scrape, String series) {
    Pattern p = Pattern.compile("^" + series + " (\\S+)$");
    Map<String, Double> out = new TreeMap<>();
    for (String line : scrape.lines().toList()) {
      Matcher m = p.matcher(line);
      if (m.matches()) {
        out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
      }
    }
    return out;
  }

  private static String report(List<String> cycles, double elapsed, Map<String, Double> done,
                               Map<String, Double> skipped, String last) {
    double probes = done.values().stream().mapToDouble(Double::doubleValue).sum();
    double skips = skipped.values().stream().mapToDouble(Double::doubleValue).sum();
    return String.format(Locale.ROOT, """
        # File descriptor pressure soak

        %d targets at a %d ms interval (hold 300 ms) for %.0f s; in each cycle the agent's soft
        limit drops to 8 descriptors above what it holds besides probe sockets for %d s, then
        returns to %d for %d s after every target was probed again.

        | cycle | squeezed to | probes failed to start | scrapes answered | slowest scrape (ms) |
        |---|---|---|---|---|
        %s

        Totals: %.0f probes with a result (%.0f resource_exhausted, %.0f success), %.0f skipped
        ticks; in flight at the end: %.0f.
        """, TARGETS, INTERVAL_MS, elapsed, SQUEEZE_MS / 1000, HARD, RELEASE_MS / 1000,
        String.join("\n", cycles), probes, sum(last, "result=\"resource_exhausted\""),
        sum(last, "result=\"success\""), skips, value(last, "wsprobe_probes_in_flight"));
  }
}
