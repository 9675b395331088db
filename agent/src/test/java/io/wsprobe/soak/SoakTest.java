package io.wsprobe.soak;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.prober.FaultServers;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.wsprobe.support.Stalls;
import io.wsprobe.support.TestCerts;
import io.wsprobe.support.Nginx;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The agent against a mix of healthy and hostile targets while its config is reloaded every few
 * seconds (valid and invalid in turn), a server is restarted and nginx reloaded under it. Every
 * probe must end by its timeout + 100 ms with the result its server deserves, no probe is lost or
 * duplicated, removed targets stop being exported, file descriptors and heap come back to their
 * baseline, {@code /metrics} keeps answering throughout (its latency against the 100 ms target is
 * reported in the soak's table), and the log says only what changed.
 *
 * <p>60 s in the normal suite; {@code bench/soak.sh} runs the same for 30 minutes
 * ({@code -Dwsprobe.soak.seconds=1800}) and keeps the report ({@code -Dwsprobe.soak.report=FILE}).
 */
class SoakTest {

  private static final long SOAK_SECONDS = Long.getLong("wsprobe.soak.seconds", 60);
  private static final long WARMUP_SECONDS = Math.min(30, Math.max(10, SOAK_SECONDS / 6));
  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Duration TIMEOUT = Duration.ofMillis(800);
  private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** A tick may be late by scheduler lag; a lost or duplicated probe moves it by a whole interval. */
  private static final long GAP_TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final int HEALTHY = 24;
  /**
   * /metrics must keep answering (never stuck behind the storm). The 100 ms latency target is a
   * speed figure: the soak's table reports p50/p99/max against it (bench/soak.sh writes it to
   * bench/results), rather than a unit test asserting a time on a machine whose load it does not
   * control.
   */
  private static final long SCRAPE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Set<Result>> expected = new LinkedHashMap<>();
  private final Map<String, List<long[]>> probes = new ConcurrentHashMap<>(); // {start, end} nanos
  private final Map<String, Map<Result, Integer>> results = new ConcurrentHashMap<>();
  private final Map<String, Result> lastResult = new ConcurrentHashMap<>();
  private final AtomicInteger changes = new AtomicInteger();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger reloadsOk = new AtomicInteger();
  private final AtomicInteger reloadsFailed = new AtomicInteger();
  private final long testStart = System.nanoTime();
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final List<String> slowScrapes = Collections.synchronizedList(new ArrayList<>());
  private final Stalls stalls = Stalls.watch();
  /** Probes over timeout + slack by no more than a stall of this JVM's threads while they ran. */
  private final List<String> lateByAStall = Collections.synchronizedList(new ArrayList<>());

  private String configA;
  private String configB;
  private String invalid;
  private String empty;

  @Test
  void mixedTargetsSurviveAStormOfReloadsAndRestarts() throws Exception {
    Vertx serverVertx = Vertx.vertx();
    Vertx agentVertx = Vertx.vertx();
    Counting logs = Counting.attach();
    Nginx nginx = null;
    Agent agent = null;
    try {
      FaultServers servers = new FaultServers(serverVertx);
      TestCerts certs = TestCerts.create(Files.createDirectories(dir.resolve("certs")));
      int echo = servers.webSocket(FaultServers.echo());
      int silent = servers.raw(request -> { }).port();
      int reset = servers.raw(true, request -> request.socket().close()).port();
      int garbage = servers.raw(request -> {
        request.write(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xff, 0x7f, 0x00, 0x13, 0x10});
        request.socket().end();
      }).port();
      int hugeFrame = servers.raw(request -> {
        request.write(FaultServers.switching(request.accept()));
        request.onData(frame -> {
          request.write(FaultServers.binaryFrameHeader(64L << 20));
          request.write(new byte[1024]);
        });
      }).port();
      int upgradeThenClose = servers.raw(request -> {
        request.write(FaultServers.switching(request.accept()));
        request.socket().close();
      }).port();
      int expiredTls = servers.tlsWebSocket(certs.expired(), FaultServers.echo());
      byte[] answer = FaultServers.switching("x").getBytes(StandardCharsets.US_ASCII);
      int trickle = servers.raw(request -> {
        AtomicInteger sent = new AtomicInteger();
        long timer = serverVertx.setPeriodic(0, 1000, id -> request.write(new byte[] {answer[sent.getAndIncrement() % answer.length]}));
        request.onClose(() -> serverVertx.cancelTimer(timer));
      }).port();
      Restartable restarted = new Restartable(serverVertx, Nginx.freePort());
      restarted.up();
      int backend = servers.webSocket(FaultServers.echo());
      String proxyBlock = """
            location / {
              proxy_pass http://127.0.0.1:%d;
              proxy_http_version 1.1;
              proxy_set_header Upgrade $http_upgrade;
              proxy_set_header Connection "upgrade";
            }
          """.formatted(backend);
      nginx = Nginx.start(Files.createDirectories(dir.resolve("nginx")), proxyBlock);

      StringBuilder targets = new StringBuilder();
      for (int i = 0; i < HEALTHY; i++) {
        target(targets, Bench.name("healthy", i), "ws://127.0.0.1:" + echo + "/", "echo", EnumSet.of(Result.SUCCESS));
      }
      target(targets, "never-answers", ws(silent), "default", EnumSet.of(Result.UPGRADE_TIMEOUT));
      target(targets, "resets", ws(reset), "default", EnumSet.of(Result.CLOSED_DURING_UPGRADE));
      target(targets, "garbage", ws(garbage), "default", EnumSet.of(Result.BAD_ACCEPT));
      target(targets, "frame-64mib", ws(hugeFrame), "echo", EnumSet.of(Result.MESSAGE_TOO_LARGE));
      target(targets, "upgrade-then-close", ws(upgradeThenClose), "echo", EnumSet.of(Result.CLOSED_BY_PEER));
      target(targets, "expired-tls", "wss://localhost:" + expiredTls + "/", "tls", EnumSet.of(Result.TLS_CERT_EXPIRED));
      target(targets, "trickle", ws(trickle), "default", EnumSet.of(Result.UPGRADE_TIMEOUT));
      // a restart cuts the probes in flight at whatever step they are
      target(targets, "restarted", ws(restarted.port), "echo", EnumSet.of(Result.SUCCESS, Result.CONNECT_REFUSED,
          Result.CLOSED_DURING_UPGRADE, Result.CLOSED_BY_PEER));
      target(targets, "behind-nginx", ws(nginx.port()), "echo", EnumSet.of(Result.SUCCESS));
      String churn = "  - { name: churn, url: \"ws://127.0.0.1:" + echo + "/\" }\n";
      expected.put("churn", EnumSet.of(Result.SUCCESS));
      String head = """
          global:
            interval: %s
            timeout: %s
          modules:
            echo:
              messages:
                - send: soak
                  expect: { echo: true }
            tls:
              tls: { ca_file: "%s" }
          """.formatted(millis(INTERVAL), millis(TIMEOUT), certs.caPem());
      configA = head + "targets:\n" + targets + churn;
      configB = head + "targets:\n" + targets;
      invalid = head + "targets:\n" + targets + "  - { name: broken, url: \"http://127.0.0.1:1/\" }\n";
      empty = head;
      Path file = dir.resolve("wsprobe.yml");
      Files.writeString(file, configA);
      agent = new Agent(agentVertx, () -> ConfigLoader.load(file), "127.0.0.1:0", this::onResult);
      agent.start().await();
      Agent running = agent;

      // warm-up, then a quiet agent: the baseline
      Thread.sleep(WARMUP_SECONDS * 1000);
      events.add(at() + "quiesce");
      Snapshot baseline = quiesce(running, file);
      events.add(at() + "soak");

      Files.writeString(file, configA);
      reload(running);
      long soakStart = System.nanoTime();
      long soakEnd = soakStart + TimeUnit.SECONDS.toNanos(SOAK_SECONDS);
      AtomicBoolean stop = new AtomicBoolean();
      List<Long> scrapes = Collections.synchronizedList(new ArrayList<>());
      Thread scraper = thread("scraper", () -> {
        while (!stop.get()) {
          long t0 = System.nanoTime();
          String body = scrape(running.port());
          long took = System.nanoTime() - t0;
          scrapes.add(took);
          if (took >= SCRAPE_LIMIT_NANOS) {
            slowScrapes.add(at() + "/metrics took " + took / 1_000_000 + " ms");
          }
          if (!body.contains("wsprobe_probes_total")) {
            failures.add("a scrape without wsprobe_probes_total");
          }
          Thread.sleep(200);
        }
      });
      Nginx proxy = nginx;
      AtomicInteger nginxReloads = new AtomicInteger();
      AtomicInteger restarts = new AtomicInteger();
      Thread storm = thread("storm", () -> {
        for (int step = 0; !stop.get(); step++) {
          switch (step % 4) {
            case 0 -> {
              Files.writeString(file, configB);
              reload(running);
              awaitGone(running, "churn");
            }
            case 2 -> {
              Files.writeString(file, configA);
              reload(running);
            }
            default -> {
              Files.writeString(file, invalid);
              reload(running);
            }
          }
          events.add(at() + "config " + (step % 4 == 0 ? "B" : step % 4 == 2 ? "A" : "invalid"));
          if (step % 3 == 1) {
            events.add(at() + "server down");
            restarted.down();
            Thread.sleep(1500);
            restarted.up();
            restarts.incrementAndGet();
          } else if (step % 3 == 2) {
            events.add(at() + "nginx reload");
            proxy.reload(proxyBlock);
            nginxReloads.incrementAndGet();
          }
          Thread.sleep(1500);
        }
      });
      while (System.nanoTime() < soakEnd) {
        Thread.sleep(200);
      }
      stop.set(true);
      storm.join(30_000);
      scraper.join(30_000);
      long soakStop = System.nanoTime();
      restarted.up();
      Snapshot end = quiesce(running, file);

      // ---- what the storm left
      long[] scrapeTimes = scrapes.stream().mapToLong(Long::longValue).sorted().toArray();
      int probeCount = probes.values().stream().mapToInt(List::size).sum();
      List<String> gaps = gaps(soakStart, soakStop);
      String report = report(probeCount, scrapeTimes, baseline, end, gaps, logs, nginxReloads.get(),
          restarts.get());
      System.out.println(report);
      Path reportFile = Path.of(System.getProperty("wsprobe.soak.report", "target/soak-report.md"));
      Files.createDirectories(reportFile.toAbsolutePath().getParent());
      Files.writeString(reportFile, report);

      assertThat(failures).as("probes that overran or got an unexpected result").isEmpty();
      assertThat(gaps).as("lost or duplicated probes (gaps between probe starts)").isEmpty();
      for (String name : expected.keySet()) {
        assertThat(results).as("results of " + name).containsKey(name);
      }
      assertThat(results.get("restarted")).as("the restarted server was seen up and down")
          .containsKeys(Result.SUCCESS, Result.CONNECT_REFUSED);
      assertThat(scrapeTimes[scrapeTimes.length - 1]).as("slowest /metrics answer, ns")
          .isLessThan(SCRAPE_LIMIT_NANOS);
      assertThat(end.fds).as("open file descriptors (baseline %d)", baseline.fds).isLessThanOrEqualTo(baseline.fds + 3);
      assertThat(end.heapBytes).as("heap after GC (baseline %d)", baseline.heapBytes)
          .isLessThan(baseline.heapBytes + (8L << 20));
      assertThat(logs.resultChanges()).as("result-change log lines").isEqualTo(changes.get());
      assertThat(logs.reloads()).as("reload log lines").isEqualTo(reloadsOk.get() + reloadsFailed.get());
      assertThat(logs.other()).as("other info+ log lines").hasSizeLessThanOrEqualTo(1); // "wsprobe started"
    } finally {
      logs.detach();
      if (agent != null) {
        agent.stop().await();
      }
      agentVertx.close().await();
      serverVertx.close().await();
      if (nginx != null) {
        nginx.close();
      }
    }
  }

  // ---------------------------------------------------------------- the probes' record

  private void onResult(io.wsprobe.config.Target target, io.wsprobe.config.Module module, ProbeResult r) {
    long end = System.nanoTime();
    String name = target.name();
    probes.computeIfAbsent(name, n -> Collections.synchronizedList(new ArrayList<>()))
        .add(new long[] {end - r.durationNanos(), end});
    results.computeIfAbsent(name, n -> new ConcurrentHashMap<>()).merge(r.result(), 1, Integer::sum);
    if (lastResult.put(name, r.result()) != r.result()) {
      changes.incrementAndGet();
    }
    long over = r.durationNanos() - target.timeout().toNanos() - SLACK_NANOS;
    if (over > 0) {
      // a probe cannot end while the machine runs none of this JVM's threads (a loaded machine, a
      // GC pause): the agent held it past its timeout only by what is left over beyond such a stall
      long stall = stalls.longest(end - r.durationNanos(), end);
      String line = at() + name + " took " + r.durationNanos() / 1_000_000 + " ms (" + r.result().label() + ")";
      if (over > stall) {
        failures.add(line + (stall > 0 ? ", beyond a stall of " + stall / 1_000_000 + " ms" : ""));
      } else {
        lateByAStall.add(line + ", within a stall of the JVM's threads of " + stall / 1_000_000 + " ms");
      }
    }
    Set<Result> ok = expected.get(name);
    if (ok != null && !ok.contains(r.result())) {
      failures.add(at() + name + ": " + r.result().label() + " (" + r.detail() + ")");
    }
  }

  /** Consecutive probe starts of every target kept through the soak must be one interval apart. */
  private List<String> gaps(long from, long to) {
    List<String> out = new ArrayList<>();
    long interval = INTERVAL.toNanos();
    for (String name : expected.keySet()) {
      if (name.equals("churn")) {
        continue; // removed and added again on purpose
      }
      List<long[]> list;
      synchronized (probes.get(name)) {
        list = new ArrayList<>(probes.get(name));
      }
      long previous = -1;
      for (long[] p : list) {
        if (p[0] < from || p[1] > to) {
          continue;
        }
        if (previous >= 0 && Math.abs(p[0] - previous - interval) > GAP_TOLERANCE_NANOS) {
          out.add(name + ": " + (p[0] - previous) / 1_000_000 + " ms between two probe starts");
        }
        previous = p[0];
      }
    }
    return out.size() > 20 ? out.subList(0, 20) : out;
  }

  /** When something happened, in seconds since the test started. */
  private String at() {
    return String.format(Locale.ROOT, "at %.1f s: ", (System.nanoTime() - testStart) / 1e9);
  }

  private void target(StringBuilder yaml, String name, String url, String module, Set<Result> results) {
    yaml.append("  - { name: ").append(name).append(", url: \"").append(url).append("\", module: ").append(module)
        .append(" }\n");
    expected.put(name, results);
  }

  // ---------------------------------------------------------------- agent control

  private void reload(Agent agent) {
    try {
      agent.reload().await();
      reloadsOk.incrementAndGet();
    } catch (Exception e) {
      reloadsFailed.incrementAndGet();
    }
  }

  private void awaitGone(Agent agent, String target) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline) {
      if (!get(agent.port(), "/metrics").contains("target=\"" + target + "\"")) {
        return;
      }
      Thread.sleep(50);
    }
    failures.add(target + " still exported 2 s after the reload that removed it");
  }

  /** File descriptors and heap after GC of a quiet agent: no targets, nothing in flight. */
  private record Snapshot(int fds, long heapBytes) {}

  private Snapshot quiesce(Agent agent, Path file) throws Exception {
    Files.writeString(file, empty);
    reload(agent);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && !get(agent.port(), "/metrics").contains("wsprobe_probes_in_flight 0.0")) {
      Thread.sleep(100);
    }
    Thread.sleep(2000); // the servers see their connections closed
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    String[] fds = Path.of("/proc/self/fd").toFile().list();
    return new Snapshot(fds == null ? -1 : fds.length,
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }

  /**
   * GET /metrics over a plain socket, as a scraper would: no client library threads between the
   * request and its timing.
   */
  private static String scrape(int port) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private String get(int port, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  // ---------------------------------------------------------------- report

  private String report(int probeCount, long[] scrapes, Snapshot baseline, Snapshot end, List<String> gaps,
                        Counting logs, int nginxReloads, int restarts) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "## Soak: %d s, %d targets, %d probes%n%n", SOAK_SECONDS, expected.size(),
        probeCount));
    out.append("| target | results |\n|---|---|\n");
    for (String name : expected.keySet()) {
      if (name.startsWith("healthy-") && !name.equals("healthy-00")) {
        continue;
      }
      Map<Result, Integer> got = new TreeMap<>(results.getOrDefault(name, Map.of()));
      StringBuilder cell = new StringBuilder();
      got.forEach((r, n) -> cell.append(cell.length() == 0 ? "" : ", ").append(r.label()).append(' ').append(n));
      out.append("| ").append(name.equals("healthy-00") ? "healthy-00 (one of " + HEALTHY + ")" : name)
          .append(" | ").append(cell).append(" |\n");
    }
    out.append(String.format(Locale.ROOT, "%n| check | value | limit |%n|---|---|---|%n"));
    out.append(String.format(Locale.ROOT, "| probes over timeout + 100 ms (beyond any stall of the JVM's threads)"
        + " or with a wrong result | %d | 0 |%n", failures.size()));
    out.append(String.format(Locale.ROOT, "| probes over timeout + 100 ms only by such a stall (machine load, GC) | %d |"
        + " |%n", lateByAStall.size()));
    out.append(String.format(Locale.ROOT, "| lost or duplicated probes (gaps ≠ interval ± 250 ms) | %d | 0 |%n",
        gaps.size()));
    out.append(String.format(Locale.ROOT, "| config reloads (valid / invalid) | %d / %d | |%n", reloadsOk.get(),
        reloadsFailed.get()));
    out.append(String.format(Locale.ROOT, "| server restarts / nginx reloads | %d / %d | |%n", restarts, nginxReloads));
    out.append(String.format(Locale.ROOT, "| /metrics scrapes: n, p50, p99, max | %d, %.1f ms, %.1f ms, %.1f ms | max < 100 ms |%n",
        scrapes.length, scrapes[scrapes.length / 2] / 1e6, scrapes[(int) Math.min(scrapes.length - 1, scrapes.length * 0.99)] / 1e6,
        scrapes[scrapes.length - 1] / 1e6));
    out.append(String.format(Locale.ROOT, "| open fds, baseline → end | %d → %d | + 3 |%n", baseline.fds, end.fds));
    out.append(String.format(Locale.ROOT, "| heap after GC, baseline → end | %.1f → %.1f MiB | + 8 MiB |%n",
        baseline.heapBytes / 1048576.0, end.heapBytes / 1048576.0));
    out.append(String.format(Locale.ROOT, "| info+ log lines: result changes / reloads / other | %d / %d / %d"
        + " | = %d result changes / %d reloads / 1 |%n", logs.resultChanges(), logs.reloads(), logs.other().size(),
        changes.get(), reloadsOk.get() + reloadsFailed.get()));
    for (String f : failures.subList(0, Math.min(20, failures.size()))) {
      out.append("\nfailure: ").append(f);
    }
    if (!failures.isEmpty() || !gaps.isEmpty() || !slowScrapes.isEmpty()) {
      out.append("\nevents: ").append(String.join("; ", events));
    }
    for (String late : lateByAStall.subList(0, Math.min(20, lateByAStall.size()))) {
      out.append("\nlate by a stall: ").append(late);
    }
    for (String slow : slowScrapes) {
      out.append("\nslow scrape: ").append(slow);
    }
    for (String g : gaps) {
      out.append("\ngap: ").append(g);
    }
    return out.append('\n').toString();
  }

  // ---------------------------------------------------------------- helpers

  private static String ws(int port) {
    return "ws://127.0.0.1:" + port + "/";
  }

  private static String millis(Duration d) {
    return d.toMillis() + "ms";
  }

  private interface Body {
    void run() throws Exception;
  }

  private Thread thread(String name, Body body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (Exception e) {
        failures.add(name + " thread: " + e);
      }
    }, "soak-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Zero-padded names, so the report sorts them. */
  private static final class Bench {
    static String name(String prefix, int i) {
      return String.format(Locale.ROOT, "%s-%02d", prefix, i);
    }
  }

  /** An echo server that goes down and comes back on the same port. */
  private static final class Restartable {
    private final Vertx vertx;
    final int port;
    private HttpServer server;

    Restartable(Vertx vertx, int port) {
      this.vertx = vertx;
      this.port = port;
    }

    synchronized void up() {
      if (server == null) {
        server = vertx.createHttpServer().webSocketHandler(FaultServers.echo()).listen(port, "127.0.0.1").await();
      }
    }

    synchronized void down() {
      if (server != null) {
        server.close().await();
        server = null;
      }
    }
  }

  /** Counts the agent's info-and-above log events by kind, as the agent runs at its default level. */
  private static final class Counting extends AppenderBase<ILoggingEvent> {
    private final Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.wsprobe");
    private Level before;
    private final AtomicInteger resultChanges = new AtomicInteger();
    private final AtomicInteger reloads = new AtomicInteger();
    private final List<String> other = Collections.synchronizedList(new ArrayList<>());

    static Counting attach() {
      Counting c = new Counting();
      c.setContext(c.logger.getLoggerContext());
      c.start();
      c.before = c.logger.getLevel();
      c.logger.setLevel(Level.INFO);
      c.logger.addAppender(c);
      return c;
    }

    void detach() {
      logger.detachAppender(this);
      logger.setLevel(before);
      stop();
    }

    @Override
    protected void append(ILoggingEvent e) {
      if (!e.getLevel().isGreaterOrEqual(Level.INFO)) {
        return;
      }
      String msg = e.getFormattedMessage();
      if (msg.equals("target healthy") || msg.equals("target failing")) {
        resultChanges.incrementAndGet();
      } else if (msg.startsWith("configuration reload")) {
        reloads.incrementAndGet();
      } else {
        other.add(msg);
      }
    }

    int resultChanges() {
      return resultChanges.get();
    }

    int reloads() {
      return reloads.get();
    }

    List<String> other() {
      return other;
    }
  }
}
