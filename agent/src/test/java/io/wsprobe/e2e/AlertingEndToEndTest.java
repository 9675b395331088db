package io.wsprobe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.Alertmanager;
import io.wsprobe.support.Dashboards;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.NodeServer;
import io.wsprobe.support.Prometheus;
import io.wsprobe.support.Repo;
import io.wsprobe.support.RuleFiles;
import io.wsprobe.support.TestCerts;
import io.wsprobe.support.WebhookReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped alerts, end to end with the real binaries, all on loopback: nginx with a GOOD site
 * (TLS, Upgrade lines) and a BROKEN one (no Upgrade lines) in front of an in-test app, the agent
 * probing both every second, Prometheus scraping it every second with the shipped rule files
 * (windows and {@code for:} divided by {@value #SPEEDUP}), and Alertmanager paging
 * {@code severity="critical"} to a webhook served here.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertingEndToEndTest {

  /** 5m windows become 10s, {@code for: 2m} becomes 4s. */
  static final long SPEEDUP = 30;

  static Vertx vertx;
  static HttpServer app;
  static Nginx good;
  static Nginx broken;
  static Agent agent;
  static WebhookReceiver webhook;
  static Alertmanager alertmanager;
  static Prometheus prometheus;
  static String brokenUrl;
  static NodeServer room;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    app = AppServer.start(vertx);
    int appPort = app.actualPort();

    TestCerts.Issued cert = TestCerts.create(dir).localhost();
    int tlsPort = Nginx.freePort();
    good = Nginx.start(Files.createDirectories(dir.resolve("nginx-good")), """
            listen 127.0.0.1:%d ssl;
            ssl_certificate %s;
            ssl_certificate_key %s;
        """.formatted(tlsPort, cert.certPem(), cert.keyPem()) + Nginx.proxyWithUpgrade(appPort));
    broken = Nginx.start(Files.createDirectories(dir.resolve("nginx-broken")), Nginx.proxyWithoutUpgrade(appPort));
    brokenUrl = "ws://127.0.0.1:" + broken.port() + "/collab";
    room = NodeServer.start("room-server.js");

    String config = """
        global:
          interval: 1s
          timeout: 800ms
          labels: { location: loopback }
        modules:
          echo_hold:
            tls: { ca_file: ca.pem }
            messages:
              - send: hello
                expect: { echo: true }
            hold: { duration: 200ms }
          room:
            broadcast: { receivers: 2, timeout: 500ms }
        targets:
          - name: good
            url: wss://127.0.0.1:%d/collab
            module: echo_hold
          - name: broken
            url: %s
            origin_url: ws://127.0.0.1:%d/collab
          - name: good-room
            url: ws://127.0.0.1:%d/room-e2e
            module: room
        """.formatted(tlsPort, brokenUrl, appPort, room.port());
    agent = new Agent(vertx, () -> ConfigLoader.parse(config, "e2e.yml", dir, n -> null), "127.0.0.1:0", null);
    agent.start().await();
    awaitGoodProbe();

    webhook = WebhookReceiver.start(vertx);
    alertmanager = Alertmanager.start(dir.resolve("alertmanager"), """
        route:
          receiver: queue
          group_by: [alertname, target]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
          routes:
            - receiver: pager
              matchers: ['severity="critical"']
        receivers:
          - name: queue
          - name: pager
            webhook_configs:
              - url: %s
                send_resolved: true
        """.formatted(webhook.url()));

    Map<String, String> rules = new LinkedHashMap<>();
    for (String f : List.of("wsprobe-rules.yml", "wsprobe-alerts.yml")) {
      rules.put(f, RuleFiles.scaleDurations(Files.readString(Repo.file("alerts/" + f)), SPEEDUP, 1));
    }
    prometheus = Prometheus.start(dir.resolve("prometheus"), """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files: [wsprobe-rules.yml, wsprobe-alerts.yml]
        alerting:
          alertmanagers:
            - static_configs:
                - targets: ['127.0.0.1:%d']
        scrape_configs:
          - job_name: wsprobe
            static_configs:
              - targets: ['127.0.0.1:%d']
        """.formatted(alertmanager.port(), agent.port()), rules);
  }

  /** Prometheus starts once the good target has passed a probe: the run observes steady state. */
  static void awaitGoodProbe() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI metrics = URI.create("http://127.0.0.1:" + agent.port() + "/metrics");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String body = "";
    while (System.nanoTime() < deadline) {
      body = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
      if (body.lines().anyMatch(l -> l.startsWith("wsprobe_probe_success{") && l.contains("target=\"good\"")
          && l.endsWith(" 1.0"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the good target never passed a probe; status page:\n"
        + http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/")).build(),
            HttpResponse.BodyHandlers.ofString()).body());
  }

  @AfterAll
  static void stop() throws Exception {
    List<AutoCloseable> all = new ArrayList<>();
    all.add(prometheus);
    all.add(alertmanager);
    all.add(agent == null ? null : () -> agent.stop().await());
    all.add(good);
    all.add(broken);
    all.add(room);
    all.add(vertx == null ? null : () -> vertx.close().await());
    Exception first = null;
    for (AutoCloseable c : all) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** The alerts of every notification the webhook got, each with the notification's status. */
  static List<JsonObject> notifiedAlerts() {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject n : webhook.notifications()) {
      for (Object a : n.getJsonArray("alerts")) {
        out.add((JsonObject) a);
      }
    }
    return out;
  }

  static Optional<JsonObject> notified(String alertname, String target, String status) {
    return notifiedAlerts().stream()
        .filter(a -> alertname.equals(a.getJsonObject("labels").getString("alertname"))
            && target.equals(a.getJsonObject("labels").getString("target"))
            && status.equals(a.getString("status")))
        .findFirst();
  }

  static <T> T await(String what, Duration timeout, Supplier<Optional<T>> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<T> v = probe.get();
      if (v.isPresent()) {
        return v.get();
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what
        + "\nwebhook got: " + webhook.notifications()
        + "\nPrometheus alerts: " + prometheus.api("alerts", Map.of()).encode()
        + "\nPrometheus output:\n" + prometheus.output() + "\nAlertmanager output:\n" + alertmanager.output());
  }

  @Test
  @Order(1)
  void theUpgradeAlertPagesForTheBrokenProxyOnly() throws Exception {
    JsonObject alert = await("WsprobeUpgradeIgnored for broken to reach the webhook", Duration.ofSeconds(60),
        () -> notified("WsprobeUpgradeIgnored", "broken", "firing"));

    JsonObject labels = alert.getJsonObject("labels");
    assertThat(labels.getMap()).containsEntry("severity", "critical").containsEntry("target", "broken")
        .containsEntry("result", "upgrade_ignored").containsEntry("module", "default")
        .containsEntry("location", "loopback").containsEntry("job", "wsprobe").containsEntry("url", brokenUrl);
    JsonObject ann = alert.getJsonObject("annotations");
    assertThat(ann.getString("summary"))
        .isEqualTo("WebSocket upgrades are served as plain HTTP; a proxy is not forwarding Upgrade.");
    // the page alone says which target, how it broke, which proxy, and the lines to add to it
    assertThat(ann.getString("description")).startsWith("broken (" + brokenUrl + ") from loopback: ")
        .contains("HTTP 200 instead of 101 (result upgrade_ignored)", "The answer came through nginx; its fix:",
            "proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\";",
            "Its origin_url upgrades when probed directly: a proxy between the public URL and the origin drops the"
                + " upgrade.");
    assertThat(ann.getString("runbook_url")).endsWith("alerts/runbook.md#wsprobeupgradeignored");

    assertThat(notifiedAlerts()).as("pages so far").allSatisfy(a ->
        assertThat(a.getJsonObject("labels").getString("target")).isEqualTo("broken"));
  }

  /**
   * Panels allowed to return no data here, with the reason. Failure-only panels (failures by
   * result, failing locations) must return data: the broken proxy is failing while this runs.
   */
  /** Panels allowed to return no data in this run, with the reason (none: every panel has data). */
  static final Map<String, String> NO_DATA_EXPECTED = Map.of();

  static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*), *(\\w+)\\)");

  @Test
  @Order(2)
  void everyDashboardQueryRunsOnPrometheus() throws Exception {
    List<String> panels = new ArrayList<>();
    List<String> empty = new ArrayList<>();
    for (Path f : Dashboards.files()) {
      JsonObject d = Dashboards.load(f);
      for (Dashboards.Panel p : Dashboards.panels(d)) {
        if (p.targets().isEmpty()) {
          continue;
        }
        panels.add(p.toString());
        boolean data = false;
        for (JsonObject t : p.targets()) {
          // fails with Prometheus' error when the query does not parse or evaluate
          data |= !prometheus.query(Dashboards.substitute(t.getString("expr"), "30s")).isEmpty();
        }
        if (!data) {
          empty.add(p.toString());
        }
      }
      // the variables' label_values(selector, label) queries, as Grafana runs them
      for (Object o : d.getJsonObject("templating").getJsonArray("list")) {
        JsonObject v = (JsonObject) o;
        if ("query".equals(v.getString("type"))) {
          Matcher m = LABEL_VALUES.matcher(v.getString("definition"));
          assertThat(m.matches()).as(v.getString("definition")).isTrue();
          JsonObject answer = prometheus.api("label/" + m.group(2) + "/values",
              Map.of("match[]", Dashboards.substitute(m.group(1), "30s")));
          assertThat(answer.getJsonArray("data")).as(d.getString("uid") + " variable " + v.getString("name") + ": " + answer).isNotEmpty();
        }
      }
    }
    assertThat(panels).containsAll(NO_DATA_EXPECTED.keySet());
    assertThat(empty).as("panels without data").containsExactlyInAnyOrderElementsOf(NO_DATA_EXPECTED.keySet());
  }

  @Test
  @Order(3)
  void fixingTheProxyResolvesTheAlert() throws Exception {
    broken.reload(Nginx.proxyWithUpgrade(app.actualPort()));
    JsonObject resolved = await("the resolved notification for broken", Duration.ofSeconds(60),
        () -> notified("WsprobeUpgradeIgnored", "broken", "resolved"));
    assertThat(resolved.getJsonObject("labels").getString("result")).isEqualTo("upgrade_ignored");
    assertThat(resolved.getString("endsAt")).doesNotStartWith("0001");
    assertThat(prometheus.query("ALERTS{alertname=\"WsprobeUpgradeIgnored\"}")).isEmpty();
    assertThat(prometheus.query("wsprobe_probe_success{target=\"broken\"} == 1")).hasSize(1);
  }

  @Test
  @Order(4)
  void noAlertEverConcernedTheGoodTarget() throws Exception {
    // ALERTS holds pending and firing alerts; over the whole run (well under 10m)
    assertThat(prometheus.query("count_over_time(ALERTS{target=\"good\"}[10m])")).isEmpty();
    assertThat(notifiedAlerts()).allSatisfy(a ->
        assertThat(a.getJsonObject("labels").getString("target")).isEqualTo("broken"));
    // and the only alert that fired at all is the broken proxy's
    JsonArray fired = prometheus.query("count by (alertname, target) (count_over_time(ALERTS{alertstate=\"firing\"}[10m]))");
    assertThat(fired).hasSize(1);
    assertThat(fired.getJsonObject(0).getJsonObject("metric").getMap())
        .containsEntry("alertname", "WsprobeUpgradeIgnored").containsEntry("target", "broken");
    // the good target was really probed over TLS, with messages and a hold
    assertThat(prometheus.query("wsprobe_tls_cert_expiry_timestamp_seconds{target=\"good\"}")).hasSize(1);
    assertThat(prometheus.query("wsprobe_hold_survived_seconds{target=\"good\"} > 0")).hasSize(1);
  }
}
