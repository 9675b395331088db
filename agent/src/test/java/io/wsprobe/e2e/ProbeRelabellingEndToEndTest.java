package io.wsprobe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.Prometheus;
import io.wsprobe.support.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scraping the agent's {@code /probe} through the relabelling recipe of
 * examples/prometheus-probe.yml (only addresses and intervals changed): an allowed URL (a local
 * echo server) gives {@code wsprobe_probe_success 1} under its URL as instance; a URL that
 * {@code web.probe_allow} does not allow is a failed scrape (403), and its server sees no
 * connection.
 */
class ProbeRelabellingEndToEndTest {

  Vertx vertx;
  Agent agent;
  Prometheus prometheus;

  @AfterEach
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (agent != null) {
      agent.stop().await();
    }
    vertx.close().await();
  }

  @Test
  void anAllowedUrlIsProbedAndAnotherIsAFailedScrape(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    HttpServer echo = AppServer.start(vertx);
    AtomicInteger connections = new AtomicInteger();
    NetServer other = vertx.createNetServer().connectHandler(s -> {
      connections.incrementAndGet();
      s.close();
    }).listen(0, "127.0.0.1").await();
    Path file = dir.resolve("wsprobe.yml");
    Files.writeString(file, """
        global: { interval: 1h, timeout: 5s }
        modules:
          echo:
            messages: [ { send: hello, expect: { echo: true } } ]
        web:
          probe_allow:
            - { scheme: ws, host: 127.0.0.1, port: %d, path: "/collab*" }
        """.formatted(echo.actualPort()));
    agent = new Agent(vertx, () -> ConfigLoader.load(file), "127.0.0.1:0", null);
    agent.start().await();

    String allowed = "ws://127.0.0.1:" + echo.actualPort() + "/collab";
    String refused = "ws://127.0.0.1:" + other.actualPort() + "/collab";
    String recipe = Files.readString(Repo.file("examples/prometheus-probe.yml"))
        .replace("wsprobe-host:9747", "127.0.0.1:" + agent.port())
        .replace("wss://chat.example.com/ws", allowed)
        .replace("wss://docs.example.com/collab", refused)
        .replace("scrape_interval: 30s", "scrape_interval: 1s")
        .replace("scrape_timeout: 10s", "scrape_timeout: 1s");
    assertThat(recipe).contains(allowed, refused, "127.0.0.1:" + agent.port());
    prometheus = Prometheus.start(dir.resolve("prometheus"), recipe, Map.of());

    JsonArray success = await("wsprobe_probe_success of the allowed URL",
        "wsprobe_probe_success{job=\"wsprobe-probe\",instance=\"" + allowed + "\"}");
    assertThat(success.getJsonObject(0).getJsonArray("value").getString(1)).isEqualTo("1");
    assertThat(success.getJsonObject(0).getJsonObject("metric").containsKey("target")).isFalse();
    assertThat(prometheus.query("wsprobe_probe_result{instance=\"" + allowed + "\",result=\"success\"}")).hasSize(1);
    assertThat(prometheus.query("wsprobe_message_rtt_seconds{instance=\"" + allowed + "\"}")).hasSize(1);

    JsonArray down = await("up of the refused URL", "up{instance=\"" + refused + "\"} == 0");
    assertThat(down).hasSize(1);
    assertThat(prometheus.query("up{instance=\"" + allowed + "\"} == 1")).hasSize(1);
    JsonObject target = prometheus.api("targets", Map.of("state", "active")).getJsonObject("data")
        .getJsonArray("activeTargets").stream().map(JsonObject.class::cast)
        .filter(t -> refused.equals(t.getJsonObject("labels").getString("instance"))).findFirst().orElseThrow();
    assertThat(target.getString("lastError")).contains("403");
    assertThat(prometheus.query("wsprobe_probe_success{instance=\"" + refused + "\"}")).isEmpty();
    assertThat(connections).hasValue(0);
  }

  JsonArray await(String what, String promql) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      JsonArray r = prometheus.query(promql);
      if (!r.isEmpty()) {
        return r;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("timed out waiting for " + what + " (" + promql + ")\nPrometheus targets: "
        + prometheus.api("targets", Map.of()).encode() + "\nPrometheus output:\n" + prometheus.output());
  }
}
