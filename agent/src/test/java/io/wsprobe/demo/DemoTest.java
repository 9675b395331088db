package io.wsprobe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.Agent;
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
    ProbeResult room = results.get("demo-room");
    assertThat(room.result()).as(room.trace().render()).isEqualTo(Result.SUCCESS);
    assertThat(room.broadcastDelaysNanos()).hasSize(2);
    assertThat(results.get("demo-echo").result()).as(results.get("demo-echo").trace().render())
        .isEqualTo(Result.SUCCESS);
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
  }
}
