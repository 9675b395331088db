package io.wsprobe.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Redactor;
import io.wsprobe.config.Target;
import io.wsprobe.metrics.ExpositionFormatWriter;
import io.wsprobe.prober.Hop;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.wsprobe.prober.Trace;
import io.wsprobe.results.StatusBoard;
import io.wsprobe.scheduler.NoFreeSlot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The endpoints against fakes of what they ask for (a scrape, a reload, a probe now, the status):
 * what each answers, with no scheduler, prober or metrics registry behind them.
 */
class WebEndpointsTest {

  Vertx vertx;
  WebServer web;
  int port;
  Config config;
  final List<ExpositionFormatWriter> scraped = new ArrayList<>();
  final AtomicReference<Future<Config>> reloadAnswer = new AtomicReference<>();
  final AtomicReference<Future<ProbeResult>> probeAnswer = new AtomicReference<>();
  final List<Target> probed = new ArrayList<>();
  Collection<StatusBoard.TargetStatus> board = List.of();
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    config = ConfigLoader.parse("""
        global: { timeout: 2500ms }
        modules:
          chat: { public_query_params: [room] }
        targets:
          - { name: app, url: "ws://app.example/collab?token=t0ken&room=lobby", module: chat }
          - { name: "a b&c", url: "ws://other.example/" }
        """, "fake.yml", Path.of("."), n -> null);
    Endpoints endpoints = new Endpoints(() -> config,
        (out, format) -> {
          scraped.add(format);
          out.write(("scraped as " + format.contentType() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), 0,
              ("scraped as " + format.contentType() + "\n").length());
        },
        reloadAnswer::get,
        (target, module) -> {
          probed.add(target);
          return probeAnswer.get();
        },
        () -> board);
    web = new WebServer(vertx, endpoints);
    port = web.listen("127.0.0.1:0").await();
  }

  @AfterEach
  void stop() {
    web.close().await();
    vertx.close().await();
  }

  HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  static ProbeResult result(Result result, String detail, String diagnosis) {
    Trace trace = new Trace(System.nanoTime(), Redactor.NONE);
    trace.note("the trace of the probe");
    return new ProbeResult(result, detail, diagnosis, 12_300_000L, ProbeResult.emptyPhases(), 0, List.of(), -1,
        null, 0, "", "", List.of(), -1, trace);
  }

  @Nested
  class Metrics {

    @Test
    void answersInTheFormatTheWriterChoseWithItsContentType() throws Exception {
      HttpResponse<String> om = get("/metrics", Map.of("Accept", "application/openmetrics-text; version=1.0.0"));
      assertThat(om.statusCode()).isEqualTo(200);
      assertThat(om.headers().firstValue("Content-Type"))
          .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
      assertThat(om.body()).isEqualTo("scraped as application/openmetrics-text; version=1.0.0; charset=utf-8\n");

      HttpResponse<String> none = get("/metrics", Map.of());
      assertThat(none.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(none.body()).isEqualTo("scraped as text/plain; version=0.0.4; charset=utf-8\n");
    }

    @Test
    void aProtobufAcceptGetsText() throws Exception {
      HttpResponse<String> r = get("/metrics", Map.of("Accept",
          "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"));
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(scraped).extracting(ExpositionFormatWriter::contentType)
          .containsExactly("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void reusesItsBufferWithoutLeakingTheLastAnswer() throws Exception {
      for (int i = 0; i < 3; i++) {
        assertThat(get("/metrics", Map.of()).body()).isEqualTo("scraped as text/plain; version=0.0.4; charset=utf-8\n");
      }
    }
  }

  @Nested
  class Reload {

    @Test
    void saysHowManyTargetsTheNewConfigHas() throws Exception {
      reloadAnswer.set(Future.succeededFuture(config));
      HttpResponse<String> r = post("/-/reload");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("Reloaded: 2 targets.\n");
    }

    @Test
    void aFailedReloadSaysWhyAndThatTheRunningConfigStays() throws Exception {
      reloadAnswer.set(Future.failedFuture("fake.yml:3: targets[0].url: scheme must be ws or wss, got http"));
      HttpResponse<String> r = post("/-/reload");
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body()).isEqualTo("Reload failed; the running configuration stays.\n"
          + "fake.yml:3: targets[0].url: scheme must be ws or wss, got http\n");
    }
  }

  @Nested
  class ProbeNow {

    @Test
    void anUnknownTargetIs404AndProbesNothing() throws Exception {
      HttpResponse<String> r = get("/probe?target=nope", Map.of());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).isEqualTo("No target named 'nope'. Use /probe?target=NAME.\n");
      assertThat(get("/probe", Map.of()).body()).isEqualTo("No target named ''. Use /probe?target=NAME.\n");
      assertThat(probed).isEmpty();
    }

    @Test
    void showsTheTraceAndTheResultWithTheUrlRedacted() throws Exception {
      probeAnswer.set(Future.succeededFuture(result(Result.SUCCESS, "", "")));
      HttpResponse<String> r = get("/probe?target=app", Map.of());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("probe of app (ws://app.example/collab?token=<secret>&room=lobby), module chat\n")
          .contains("the trace of the probe").endsWith("\nresult: success\n").doesNotContain("diagnosis", "t0ken");
      assertThat(probed).extracting(Target::name).containsExactly("app");
    }

    @Test
    void aFailureAddsItsDiagnosis() throws Exception {
      probeAnswer.set(Future.succeededFuture(result(Result.UPGRADE_IGNORED, "got 200", "a proxy drops Upgrade")));
      assertThat(get("/probe?target=app", Map.of()).body())
          .endsWith("\ndiagnosis: a proxy drops Upgrade\n\nresult: upgrade_ignored\n");
    }

    @Test
    void noFreeSlotIs429WithRetryAfterTheTargetsTimeout() throws Exception {
      probeAnswer.set(Future.failedFuture(new NoFreeSlot(4)));
      HttpResponse<String> r = get("/probe?target=app", Map.of());
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.headers().firstValue("Retry-After")).hasValue("3");
      assertThat(r.body()).isEqualTo("Too many probes: all 4 slots of global.max_concurrent_probes are in use"
          + " or owed to waiting scheduled probes (global.max_concurrent_probes: 4). Try again later.\n");
    }

    @Test
    void anyOtherFailureIs500() throws Exception {
      probeAnswer.set(Future.failedFuture(new IllegalStateException("boom")));
      assertThat(get("/probe?target=app", Map.of()).statusCode()).isEqualTo(500);
    }
  }

  @Nested
  class StatusPage {

    @Test
    void listsEachTargetsLastResultEscaped() throws Exception {
      Target app = config.targets().get(0);
      Target other = config.targets().get(1);
      board = List.of(new StatusBoard.TargetStatus(app, "chat",
              new StatusBoard.LastResult(Result.UPGRADE_REJECTED, "got <b>403</b> & \"no\"", 12_340_000L)),
          new StatusBoard.TargetStatus(other, "default", null));
      HttpResponse<String> r = get("/", Map.of());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      assertThat(r.body()).contains(
          "<tr><td>app</td><td>chat</td><td>ws://app.example/collab?token=&lt;secret&gt;&amp;room=lobby</td>"
              + "<td class=\"bad\">upgrade_rejected</td><td>got &lt;b&gt;403&lt;/b&gt; &amp; &quot;no&quot;</td>"
              + "<td>12.3 ms</td><td><a href=\"probe?target=app\">probe now</a></td></tr>",
          "<tr><td>a b&amp;c</td><td>default</td><td>ws://other.example/</td><td class=\"\">pending</td><td></td>"
              + "<td></td><td><a href=\"probe?target=a+b%26c\">probe now</a></td></tr>")
          .doesNotContain("t0ken");
    }

    @Test
    void aFailureNamesTheHopItCameThrough() throws Exception {
      Target app = config.targets().get(0);
      board = List.of(new StatusBoard.TargetStatus(app, "chat", new StatusBoard.LastResult(Result.UPGRADE_REJECTED,
          "got HTTP 426 text/plain instead of 101", 12_340_000L, Hop.VARNISH)));
      assertThat(get("/", Map.of()).body()).contains(
          "<td class=\"bad\">upgrade_rejected</td><td>got HTTP 426 text/plain instead of 101 (through Varnish)</td>");
      // a success shows no hop: nothing to fix
      board = List.of(new StatusBoard.TargetStatus(app, "chat",
          new StatusBoard.LastResult(Result.SUCCESS, "", 12_340_000L, Hop.CADDY)));
      assertThat(get("/", Map.of()).body()).contains("<td class=\"ok\">success</td><td></td>")
          .doesNotContain("Caddy");
    }

    @Test
    void aTargetWhoseModuleIsGoneShowsEveryQueryValueHidden() throws Exception {
      Target app = config.targets().get(0);
      Config before = config;
      config = ConfigLoader.parse("targets: []\n", "fake.yml", Path.of("."), n -> null);
      board = List.of(new StatusBoard.TargetStatus(app, "chat", null));
      assertThat(get("/", Map.of()).body()).contains("<td>ws://app.example/collab?token=&lt;secret&gt;&amp;room=&lt;secret&gt;</td>");
      config = before;
    }
  }
}
