package io.wsprobe.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.WebConfig;
import io.wsprobe.scheduler.Shard;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.SlowUpgradeServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /probe?target=<url>} on a running agent: the series of an allowed URL, and for every
 * other request a refusal before any socket is opened, which a counting server checks.
 */
class ProbeEndpointTest {

  @TempDir Path dir;
  Vertx vertx;
  HttpServer app;
  SlowUpgradeServer slow;
  /** Counts every TCP connection it gets, and closes it. */
  NetServer counting;
  final AtomicInteger connections = new AtomicInteger();
  final List<Agent> agents = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    app = AppServer.start(vertx);
    slow = SlowUpgradeServer.start(vertx, Duration.ofSeconds(3));
    counting = vertx.createNetServer().connectHandler(s -> {
      connections.incrementAndGet();
      s.close();
    }).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    agents.forEach(a -> a.stop().await());
    slow.close();
    vertx.close().await();
  }

  /** An agent on {@code yaml} (an hour's interval: no scheduled probe during a test). */
  int agent(String yaml, WebConfig web) throws Exception {
    Path file = dir.resolve("wsprobe-" + agents.size() + ".yml");
    Files.writeString(file, yaml);
    Agent agent = new Agent(vertx, () -> ConfigLoader.load(file), List.of("127.0.0.1:0"), () -> web, null, Shard.ALL);
    agents.add(agent);
    agent.start().await();
    return agent.port();
  }

  /** Probes of the app and the slow server allowed; of the counting server, on /open only. */
  int allowingTheApp() throws Exception {
    return agent("""
        global: { interval: 1h, timeout: 5s, max_concurrent_probes: 2 }
        modules:
          echo:
            messages: [ { send: hello, expect: { echo: true } } ]
        targets:
          - { name: app, url: "ws://127.0.0.1:%d/collab" }
        web:
          probe_allow:
            - { scheme: ws, host: 127.0.0.1, port: %d, path: "/collab*" }
            - { scheme: ws, host: 127.0.0.1, port: %d }
            - { host: 127.0.0.1, port: %d, path: "/open*" }
        """.formatted(app.actualPort(), app.actualPort(), slow.port(), counting.actualPort()), WebConfig.NONE);
  }

  HttpResponse<String> get(int port, String query, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/probe?" + query));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String target(String url) {
    return "target=" + URLEncoder.encode(url, StandardCharsets.UTF_8);
  }

  String appUrl(String path) {
    return "ws://127.0.0.1:" + app.actualPort() + path;
  }

  String countingUrl() {
    return "ws://127.0.0.1:" + counting.actualPort() + "/collab";
  }

  @Nested
  class AnAllowedUrl {

    @Test
    void answersTheProbesSeriesWithoutPerTargetLabels() throws Exception {
      int port = allowingTheApp();
      HttpResponse<String> r = get(port, target(appUrl("/collab")) + "&module=echo", Map.of());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(r.body()).startsWith("# HELP wsprobe_probe_success 1 if the probe passed every step, else 0\n"
              + "# TYPE wsprobe_probe_success gauge\nwsprobe_probe_success 1.0\n")
          .contains("\nwsprobe_probe_result{result=\"success\"} 1.0\n", "\n# TYPE wsprobe_probe_duration_seconds gauge\n",
              "\nwsprobe_phase_duration_seconds{phase=\"upgrade\"} ", "\nwsprobe_upgrade_status_code 101.0\n",
              "\nwsprobe_message_rtt_seconds ")
          .doesNotContain("target=", "module=", "_bucket", "# EOF", "wsprobe_probes_in_flight");
    }

    @Test
    void answersOpenMetricsWhenAskedAndFailuresAsSeriesToo() throws Exception {
      int port = allowingTheApp();
      HttpResponse<String> r = get(port, target("ws://127.0.0.1:" + counting.actualPort() + "/open"),
          Map.of("Accept", "application/openmetrics-text; version=1.0.0"));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
      assertThat(r.body()).startsWith("# TYPE wsprobe_probe_success gauge\n").contains("\nwsprobe_probe_success 0.0\n")
          .doesNotContain("wsprobe_probe_result{result=\"success\"}").endsWith("\n# EOF\n");
    }

    @Test
    void debugShowsTheTraceWithTheUrlRedactedThenTheSeries() throws Exception {
      int port = allowingTheApp();
      HttpResponse<String> r = get(port, target(appUrl("/collab?token=s3cret")) + "&debug=true", Map.of());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
      assertThat(r.body()).startsWith("probe of " + appUrl("/collab?token=<secret>") + ", module default\n")
          .contains("\nresult: success\n\nseries:\n# HELP wsprobe_probe_success ", "\nwsprobe_probe_success 1.0\n")
          .doesNotContain("s3cret");
    }

    @Test
    void theScrapeTimeoutHeaderCutsTheProbesTimeout() throws Exception {
      int port = allowingTheApp();
      long start = System.nanoTime();
      HttpResponse<String> r = get(port, target("ws://127.0.0.1:" + slow.port() + "/held"),
          Map.of(ProbeEndpoint.SCRAPE_TIMEOUT, "1.5"));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      // the server answers the upgrade after 3 s; the probe gives up after 1.5 s - 0.5 s
      assertThat(r.body()).contains("\nwsprobe_probe_success 0.0\n", "wsprobe_probe_result{result=\"upgrade_timeout\"} 1.0");
      assertThat(tookMillis).isBetween(900L, 2500L);
      assertThat(get(port, target(appUrl("/collab")), Map.of(ProbeEndpoint.SCRAPE_TIMEOUT, "soon")).statusCode())
          .isEqualTo(400);
    }

    @Test
    void configuredTargetsAreStillProbedByName() throws Exception {
      int port = allowingTheApp();
      HttpResponse<String> r = get(port, "target=app", Map.of());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("probe of app (" + appUrl("/collab") + "), module default\n")
          .endsWith("\nresult: success\n");
      assertThat(get(port, "target=app&debug=true", Map.of()).body())
          .contains("\nresult: success\n\nseries:\n", "\nwsprobe_probe_success 1.0\n");
    }
  }

  @Nested
  class ScrapeTimeout {

    @Test
    void isTheHeaderLessTheOffsetAndOnlyEverShortensTheTimeout() {
      assertThat(ProbeEndpoint.scrapeLimit(null)).isNull();
      assertThat(ProbeEndpoint.scrapeLimit("10")).isEqualTo(Duration.ofMillis(9500));
      assertThat(ProbeEndpoint.scrapeLimit(" 1.25 ")).isEqualTo(Duration.ofMillis(750));
      // nothing left after the offset: the target's own timeout, as in blackbox
      assertThat(ProbeEndpoint.scrapeLimit("0.5")).isNull();
      for (String bad : List.of("", "soon", "-1", "0", "NaN", "Infinity")) {
        assertThatThrownBy(() -> ProbeEndpoint.scrapeLimit(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
      }
    }
  }

  @Nested
  class Refused {

    @Test
    void aUrlNoRuleAllowsIs403AndOpensNoSocket() throws Exception {
      int port = allowingTheApp();
      HttpResponse<String> r = get(port, target(countingUrl()), Map.of());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).isEqualTo("Refused: the URL matches none of the 3 rules of web.probe_allow."
          + " See web.probe_allow in CONFIGURATION.md.\n");
      assertThat(get(port, target(appUrl("/collab/../admin")), Map.of()).statusCode()).isEqualTo(403);
      assertThat(connections).hasValue(0);
    }

    @Test
    void withoutProbeAllowNoUrlIsProbed() throws Exception {
      int port = agent("targets: []\n", WebConfig.NONE);
      HttpResponse<String> r = get(port, target(countingUrl()), Map.of());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).startsWith("Refused: web.probe_allow is empty, so no URL is probed on request");
      assertThat(connections).hasValue(0);
    }

    @Test
    void anUnknownModuleOrABadUrlIs400() throws Exception {
      String allowAll = "web: { probe_allow: [ { host: \"*\" } ] }\n";
      int port = agent(allowAll, WebConfig.NONE);
      HttpResponse<String> r = get(port, target(countingUrl()) + "&module=nope", Map.of());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).isEqualTo("Unknown module 'nope' (known: default).\n");
      HttpResponse<String> credentials = get(port, target("ws://me:pa55@127.0.0.1:"
          + counting.actualPort() + "/"), Map.of());
      assertThat(credentials.statusCode()).isEqualTo(400);
      assertThat(credentials.body()).isEqualTo("Bad target URL: must not contain credentials (user:password@);"
          + " use headers or bearer_token.\n");
      assertThat(get(port, target("http://127.0.0.1:" + counting.actualPort() + "/"), Map.of()).statusCode())
          .isEqualTo(400);
      assertThat(connections).hasValue(0);
    }

    @Test
    void withBasicAuthNothingIsProbedWithoutCredentials() throws Exception {
      String hash = BCrypt.withDefaults().hashToString(4, "wonderland".toCharArray());
      WebConfig web = new WebConfig("web.yml", null, Map.of(), Map.of("alice", hash));
      int port = agent("web: { probe_allow: [ { host: \"*\" } ] }\n", web);
      HttpResponse<String> none = get(port, target(countingUrl()), Map.of());
      assertThat(none.statusCode()).isEqualTo(401);
      HttpResponse<String> wrong = get(port, target(countingUrl()), Map.of("Authorization",
          "Basic " + Base64.getEncoder().encodeToString("alice:rabbit".getBytes(StandardCharsets.UTF_8))));
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(connections).hasValue(0);
      HttpResponse<String> alice = get(port, target(countingUrl()), Map.of("Authorization",
          "Basic " + Base64.getEncoder().encodeToString("alice:wonderland".getBytes(StandardCharsets.UTF_8))));
      assertThat(alice.statusCode()).isEqualTo(200);
      assertThat(alice.body()).contains("\nwsprobe_probe_success 0.0\n");
      assertThat(connections).hasValue(1);
    }
  }
}
