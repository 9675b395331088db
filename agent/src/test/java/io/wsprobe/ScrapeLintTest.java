package io.wsprobe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.Promtool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live scrape of the agent, probe series and the standard process and JVM ones alike, passes
 * {@code promtool check metrics} (the lint Prometheus' own exporters are held to).
 */
class ScrapeLintTest {

  @TempDir Path dir;
  Vertx vertx;
  HttpServer app;
  Agent agent;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    app = AppServer.start(vertx);
    Path file = dir.resolve("wsprobe.yml");
    Files.writeString(file, """
        global: { interval: 1s, timeout: 800ms }
        targets:
          - name: app
            url: ws://127.0.0.1:%d/collab
        """.formatted(app.actualPort()));
    agent = new Agent(vertx, () -> ConfigLoader.load(file), "127.0.0.1:0", null);
    agent.start().await();
  }

  @AfterEach
  void stop() {
    agent.stop().await();
    vertx.close().await();
  }

  @Test
  void aLiveScrapeIsCleanForPromtool() throws Exception {
    String scrape = awaitProbed();
    assertThat(scrape).contains("process_cpu_seconds_total ", "process_resident_memory_bytes ",
        "process_open_fds ", "process_max_fds ", "process_start_time_seconds ",
        "jvm_memory_used_bytes{area=\"heap\"} ", "jvm_threads_current ", "jvm_gc_collection_seconds",
        "jvm_classes_currently_loaded ", "jvm_runtime_info{")
        .doesNotContain("process_cpu_time_ns_total", "system_cpu_count", "process_files_open_files");
    Promtool.Run lint = Promtool.checkMetrics(scrape);
    assertThat(lint.output()).as("promtool's findings").doesNotContain("\n" + "jvm", "\n" + "process",
        "\n" + "wsprobe", "\n" + "system");
    assertThat(lint.exit()).as(lint.output()).isZero();
  }

  private String awaitProbed() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/metrics")).build();
    String body = "";
    for (int i = 0; i < 100 && !body.contains("wsprobe_probe_success{"); i++) {
      Thread.sleep(100);
      body = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
    }
    return body;
  }
}
