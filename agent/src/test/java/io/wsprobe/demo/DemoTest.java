package io.wsprobe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Target;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code wsprobe demo} without the terminal: its servers, its config and its printed lines. */
class DemoTest {

  static final String BROKEN_DETAIL = "got HTTP 200 text/html instead of 101: a proxy is not forwarding Upgrade";

  Vertx vertx;
  DemoServers servers;
  Agent agent;
  final Map<String, Target> targets = new ConcurrentHashMap<>();
  final Map<String, ProbeResult> results = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    servers = new DemoServers(vertx);
    servers.start().await();
    agent = new Agent(vertx, () -> Demo.config(servers), "127.0.0.1:0", (target, module, result) -> {
      targets.put(target.name(), target);
      results.put(target.name(), result);
    });
    agent.start().await();
  }

  @AfterEach
  void stop() {
    agent.stop().eventually(servers::stop).await();
    vertx.close().await();
  }

  String scrape() throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void showsAHealthyAppAndABrokenProxy() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (results.size() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(results).containsOnlyKeys("demo-echo", "demo-room", "demo-broken-proxy");
    assertThat(results.get("demo-echo").result()).as(results.get("demo-echo").trace().render())
        .isEqualTo(Result.SUCCESS);
    assertThat(results.get("demo-room").result()).as(results.get("demo-room").trace().render())
        .isEqualTo(Result.SUCCESS);
    assertThat(results.get("demo-room").broadcastDelaysNanos()).hasSize(2);
    ProbeResult broken = results.get("demo-broken-proxy");
    assertThat(broken.result()).isEqualTo(Result.UPGRADE_IGNORED);
    assertThat(broken.detail()).isEqualTo(BROKEN_DETAIL);

    assertThat(scrape()).contains(
        "wsprobe_probes_total{location=\"demo\",module=\"echo\",result=\"success\",target=\"demo-echo\"} ",
        "wsprobe_probes_total{location=\"demo\",module=\"default\",result=\"upgrade_ignored\",target=\"demo-broken-proxy\"} ",
        "wsprobe_probe_success{location=\"demo\",module=\"default\",target=\"demo-broken-proxy\"} 0.0",
        "wsprobe_upgrade_status_code{location=\"demo\",module=\"default\",target=\"demo-broken-proxy\"} 200.0",
        "wsprobe_broadcast_delay_seconds_count{location=\"demo\",module=\"room\",target=\"demo-room\"} ",
        "wsprobe_broadcast_missing_receivers{location=\"demo\",module=\"room\",target=\"demo-room\"} 0.0");

    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    Demo.print(out, targets.get("demo-broken-proxy"), broken);
    Demo.print(out, targets.get("demo-echo"), results.get("demo-echo"));
    var lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("demo-broken-proxy", "upgrade_ignored", BROKEN_DETAIL);
    assertThat(lines.get(1)).contains("demo-echo", "success", "upgrade ", "rtt ");
    assertThat(lines).allMatch(l -> l.matches("\\d{2}:\\d{2}:\\d{2}  demo-.*"));
    // on the minute too: LocalTime's own text would say 18:19, and the columns would shift
    ByteArrayOutputStream onTheMinute = new ByteArrayOutputStream();
    Demo.print(new PrintStream(onTheMinute, true, StandardCharsets.UTF_8), java.time.LocalTime.of(18, 19, 0, 500),
        targets.get("demo-echo"), results.get("demo-echo"));
    assertThat(onTheMinute.toString(StandardCharsets.UTF_8)).startsWith("18:19:00  demo-echo ");
  }

  /** {@code wsprobe demo app}, the backend of the Compose stack: echo on Docmost's paths too. */
  @Test
  void theStandaloneAppEchoesOnTheDocmostPaths() throws Exception {
    DemoServers standalone = new DemoServers(vertx);
    int port = standalone.startApp("127.0.0.1", 0).await();
    try {
      Config c = ConfigLoader.parse("""
          modules:
            echo:
              messages: [ { send: hi, expect: { echo: true } } ]
          targets:
            - { name: echo, url: "ws://127.0.0.1:%1$d/echo", module: echo }
            - { name: collab, url: "ws://127.0.0.1:%1$d/collab", module: echo }
            - { name: socketio, url: "ws://127.0.0.1:%1$d/socket.io/?EIO=4&transport=websocket", module: echo }
            - { name: elsewhere, url: "ws://127.0.0.1:%1$d/elsewhere" }
          """.formatted(port), "test.yml", Path.of("."), n -> null);
      for (Target t : c.targets()) {
        ProbeResult r = agent.prober().probe(t, c.moduleOf(t)).await();
        assertThat(r.result()).as(t.name() + "\n" + r.trace().render())
            .isEqualTo(t.name().equals("elsewhere") ? Result.UPGRADE_REJECTED : Result.SUCCESS);
      }
      HttpResponse<String> page = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/collab")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    } finally {
      standalone.stop().await();
    }
  }
}
