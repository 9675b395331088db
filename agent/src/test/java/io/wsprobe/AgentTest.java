package io.wsprobe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.support.AppServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.wsprobe.support.Promtool;
import io.wsprobe.support.Scrape;

/** The whole agent: config file → probes → /metrics (lint-clean), the web endpoints, and reloads. */
class AgentTest {

  @TempDir Path dir;
  Vertx vertx;
  HttpServer app;
  Agent agent;
  Path file;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    app = AppServer.start(vertx);
    file = dir.resolve("wsprobe.yml");
    Files.writeString(file, config("""
          - name: app-collab
            url: ws://127.0.0.1:%1$d/collab?token=abc123secret
            module: echo
            labels: { team: docs }
          - name: gone-later
            url: ws://127.0.0.1:%1$d/x
        """.formatted(app.actualPort())));
    agent = new Agent(vertx, () -> ConfigLoader.load(file), "127.0.0.1:0", null);
    agent.start().await();
  }

  @AfterEach
  void stop() {
    agent.stop().await();
    vertx.close().await();
  }

  static String config(String targets) {
    return """
        global:
          interval: 1s
          timeout: 800ms
          labels: { location: test-lab }
        modules:
          echo:
            headers: { Authorization: "Bearer top-secret-value" }
            messages:
              - send: hello
                expect: { echo: true }
        targets:
        """ + targets;
  }

  HttpResponse<String> get(String path, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String awaitMetrics(Predicate<String> ready) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String body = "";
    while (System.nanoTime() < deadline) {
      body = get("/metrics", null).body();
      if (ready.test(body)) {
        return body;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("metrics never matched; last scrape:\n" + body);
  }

  @Test
  void exportsTheProbeResultsWithTheirLabels() throws Exception {
    String m = awaitMetrics(b -> b.contains("wsprobe_probe_success{location=\"test-lab\",module=\"echo\",target=\"app-collab\",team=\"docs\"} 1.0")
        && b.contains("wsprobe_probe_success{location=\"test-lab\",module=\"default\",target=\"gone-later\",team=\"\"} 1.0"));
    assertThat(m).contains(
        "wsprobe_probes_total{location=\"test-lab\",module=\"echo\",result=\"success\",target=\"app-collab\",team=\"docs\"}",
        "wsprobe_upgrade_status_code{location=\"test-lab\",module=\"echo\",target=\"app-collab\",team=\"docs\"} 101.0",
        "wsprobe_phase_duration_seconds_bucket{location=\"test-lab\",module=\"echo\",phase=\"upgrade\",target=\"app-collab\",team=\"docs\",le=\"0.005\"}",
        "wsprobe_message_rtt_seconds_count{location=\"test-lab\",module=\"echo\",target=\"app-collab\",team=\"docs\"}",
        "wsprobe_last_probe_timestamp_seconds{",
        "wsprobe_build_info{revision=",
        "wsprobe_config_last_reload_successful 1.0",
        "wsprobe_scheduler_lag_seconds_bucket{le=",
        "wsprobe_probes_in_flight",
        "jvm_memory_used_bytes",
        // a target without a module: upgrade then close, which the app accepts
        "wsprobe_probe_success{location=\"test-lab\",module=\"default\",target=\"gone-later\",team=\"\"} 1.0");
    // the token in the URL and the header value never leave the agent
    assertThat(m).contains("url=\"ws://127.0.0.1:" + app.actualPort() + "/collab?token=<secret>\"")
        .doesNotContain("top-secret-value").doesNotContain("abc123secret");
    assertThat(get("/", null).body()).contains("app-collab", "success").doesNotContain("top-secret-value");
  }

  /** Probe series and the standard process and JVM ones alike pass Prometheus' own lint. */
  @Test
  void aLiveScrapeIsCleanForPromtool() throws Exception {
    String scrape = awaitMetrics(b -> b.contains("wsprobe_probe_success{"));
    assertThat(scrape).contains("process_cpu_seconds_total ", "process_resident_memory_bytes ",
        "process_open_fds ", "process_max_fds ", "process_start_time_seconds ",
        "jvm_memory_used_bytes{area=\"heap\"} ", "jvm_threads_current ", "jvm_gc_collection_seconds",
        "jvm_classes_currently_loaded ", "jvm_runtime_info{")
        .doesNotContain("process_cpu_time_ns_total", "system_cpu_count", "process_files_open_files");
    Promtool.Run lint = Promtool.checkMetrics(scrape);
    assertThat(lint.exit()).as(lint.output()).isZero();
  }

  @Test
  void onlyPublicQueryValuesAreShown() throws Exception {
    Files.writeString(file, """
        modules:
          chat:
            public_query_params: [room]
        targets:
          - name: chat
            url: ws://127.0.0.1:%d/chat?room=lobby&session=s3ss10n-value&%%74oken=t0ken-value&sig=s1g-value
            module: chat
        """.formatted(app.actualPort()));
    agent.reload().await();
    String shown = "ws://127.0.0.1:" + app.actualPort()
        + "/chat?room=lobby&session=<secret>&%74oken=<secret>&sig=<secret>";
    String m = awaitMetrics(b -> b.contains("wsprobe_target_info{"));
    assertThat(m).contains("url=\"" + shown + "\"").doesNotContain("-value");
    assertThat(get("/", null).body()).contains(shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")).doesNotContain("-value");
  }

  @Test
  void negotiatesTheExpositionFormat() throws Exception {
    awaitMetrics(b -> b.contains("wsprobe_probe_success{"));
    HttpResponse<String> text = get("/metrics", "text/plain");
    assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    HttpResponse<String> om = get("/metrics", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5");
    assertThat(om.headers().firstValue("Content-Type"))
        .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(om.body()).contains("# TYPE wsprobe_probes counter").endsWith("# EOF\n");
    // a protobuf-first Accept header must not select a format scrape() would corrupt
    HttpResponse<String> proto = get("/metrics",
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3");
    assertThat(proto.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void answersHealthAndReadiness() throws Exception {
    assertThat(get("/-/healthy", null).statusCode()).isEqualTo(200);
    assertThat(get("/-/ready", null).statusCode()).isEqualTo(200);
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/-/reload")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
  }

  HttpResponse<String> postReload() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/-/reload"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAgentWhoseStartFailedStopsCleanly() throws Exception {
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "global:\n  interval: often\n");
    Agent failed = new Agent(vertx, () -> ConfigLoader.load(bad), "127.0.0.1:0", null);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> failed.start().await())
        .hasMessageContaining("global.interval");
    failed.stop().await(); // threw a NullPointerException: nothing had been made to stop
  }

  @Test
  void aBadReloadKeepsTheRunningConfig() throws Exception {
    awaitMetrics(b -> b.contains("wsprobe_probe_success{location=\"test-lab\",module=\"default\",target=\"gone-later\",team=\"\"} 1.0"));
    Files.writeString(file, config("""
          - name: broken
            url: http://127.0.0.1:1/
        """));
    HttpResponse<String> r = postReload();
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("Reload failed; the running configuration stays.",
        "wsprobe.yml:13: targets[0].url: scheme must be ws or wss, got http");
    String m = awaitMetrics(b -> b.contains("wsprobe_config_last_reload_successful 0.0"));
    assertThat(m).contains("target=\"app-collab\"").doesNotContain("target=\"broken\"");
    // still probing the old targets
    double before = probes(m, "app-collab");
    awaitMetrics(b -> probes(b, "app-collab") > before);
  }

  @Test
  void aGoodReloadSwapsTargetsAndDropsTheRemovedSeries() throws Exception {
    awaitMetrics(b -> b.contains("target=\"gone-later\""));
    Files.writeString(file, config("""
          - name: app-collab
            url: ws://127.0.0.1:%d/collab
            module: echo
          - name: newcomer
            url: ws://127.0.0.1:%d/y
        """.formatted(app.actualPort(), app.actualPort())));
    HttpResponse<String> r = postReload();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String m = awaitMetrics(b -> b.contains("target=\"newcomer\"") && b.contains("wsprobe_probe_success{location=\"test-lab\",module=\"echo\",target=\"app-collab\"} 1.0"));
    assertThat(m).doesNotContain("target=\"gone-later\"").contains("wsprobe_config_last_reload_successful 1.0")
        .doesNotContain("team=");
  }

  @Test
  void reloadsLoadOnAWorkerThreadOneAtATimeWhileMetricsAnswer() throws Exception {
    AtomicBoolean starting = new AtomicBoolean(true);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    Callable<Config> slowSource = () -> {
      if (!starting.getAndSet(false)) {
        threads.add((Context.isOnEventLoopThread() ? "event loop " : "worker ")
            + Thread.currentThread().getName());
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
          release.await(10, TimeUnit.SECONDS);
        } finally {
          running.decrementAndGet();
        }
      }
      return ConfigLoader.load(file);
    };
    Agent slow = new Agent(vertx, slowSource, "127.0.0.1:0", null);
    slow.start().await();
    try {
      // two reloads asked on an event loop, as POST /-/reload does, and one from another
      // thread, as SIGHUP does
      List<Future<Config>> reloads = new CopyOnWriteArrayList<>();
      CountDownLatch asked = new CountDownLatch(2);
      vertx.runOnContext(v -> {
        reloads.add(slow.reload());
        reloads.add(slow.reload());
        asked.countDown();
      });
      Thread hangup = new Thread(() -> {
        reloads.add(slow.reload());
        asked.countDown();
      });
      hangup.start();
      assertThat(asked.await(5, TimeUnit.SECONDS)).as("reload() returned at once").isTrue();

      // while the first load is stuck, the agent still serves /metrics
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + slow.port() + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(running.get()).isEqualTo(1);

      release.countDown();
      for (Future<Config> reload : reloads) {
        assertThat(reload.await(10, TimeUnit.SECONDS).targets()).hasSize(2);
      }
      assertThat(threads).hasSize(3).allSatisfy(t -> assertThat(t).startsWith("worker "));
      assertThat(most.get()).as("loads at once").isEqualTo(1);
    } finally {
      release.countDown();
      slow.stop().await();
    }
  }

  static double probes(String metrics, String target) {
    return Scrape.sum(metrics, l -> l.startsWith("wsprobe_probes_total{")
        && l.contains("target=\"" + target + "\"") && l.contains("result=\"success\""));
  }
}
