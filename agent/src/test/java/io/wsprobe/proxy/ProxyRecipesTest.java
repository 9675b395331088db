package io.wsprobe.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Target;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.wsprobe.prober.WebSocketProber;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.HAProxy;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.Repo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy recipes in deploy/proxy, as users get them: nginx and HAProxy run from the shipped
 * files (placeholders filled with loopback addresses) in front of a Docmost-shaped app, and the
 * prober goes through them on Docmost's WebSocket paths.
 */
class ProxyRecipesTest {

  static final String NGINX = "deploy/proxy/nginx/docmost.conf";
  static final String HAPROXY = "deploy/proxy/haproxy/docmost.cfg";
  static final String CADDY = "deploy/proxy/caddy/Caddyfile";
  static final String TRAEFIK = "deploy/proxy/traefik/traefik.yml";
  static final List<String> WEBSOCKET_PATHS = List.of("/collab", "/socket.io/?EIO=4&transport=websocket");
  static final Duration IDLE_SESSION = Duration.ofHours(1);

  static Vertx vertx;
  static HttpServer app;
  static WebSocketProber prober;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    app = AppServer.start(vertx);
    prober = new WebSocketProber(vertx);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static ProbeResult probe(int port, String path) throws Exception {
    return AppServer.echoProbe(prober, port, path);
  }

  static void assertProbesPass(int port) throws Exception {
    for (String path : WEBSOCKET_PATHS) {
      ProbeResult r = probe(port, path);
      assertThat(r.result()).as(path + "\n" + r.trace().render()).isEqualTo(Result.SUCCESS);
      assertThat(r.statusCode()).isEqualTo(101);
      assertThat(r.rttNanos()).hasSize(1);
    }
    // plain pages still pass too
    HttpResponse<String> page = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<div id=\"root\">");
  }

  /** The lines that are not comments: placeholders there must be documented in the comments. */
  static String code(String text, String comment) {
    return String.join("\n", text.lines().filter(l -> !l.strip().startsWith(comment)).toList());
  }

  static String comments(String text, String comment) {
    return String.join("\n", text.lines().filter(l -> l.strip().startsWith(comment)).toList());
  }

  /** nginx time: a number with an optional unit (ms, s, m, h, d); seconds without one. */
  static Duration nginxTime(String value) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(value);
    assertThat(m.matches()).as("nginx time '%s'", value).isTrue();
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "s" : m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** HAProxy time: milliseconds without a unit. */
  static Duration haproxyTime(String value) {
    Matcher m = Pattern.compile("(\\d+)(us|ms|s|m|h|d)?").matcher(value);
    assertThat(m.matches()).as("HAProxy time '%s'", value).isTrue();
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "ms" : m.group(2)) {
      case "us" -> Duration.ofNanos(n * 1000);
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  @Nested
  class NginxRecipe {
    @TempDir Path dir;

    @Test
    void passesDocmostsWebSocketPathsAndPages() throws Exception {
      String recipe = Repo.read(NGINX);
      try (Nginx nginx = Nginx.startHttp(dir, port -> Repo.fill(recipe, Map.of(
          "LISTEN", "127.0.0.1:" + port, "SERVER_NAME", "_", "UPSTREAM", "127.0.0.1:" + app.actualPort())))) {
        assertProbesPass(nginx.port());
      }
    }

    @Test
    void keepsIdleWebSocketsForAnHour() throws Exception {
      String recipe = Repo.read(NGINX);
      for (String location : List.of("/collab", "/socket.io/")) {
        Matcher block = Pattern.compile("location " + Pattern.quote(location) + " \\{([^}]*)}").matcher(recipe);
        assertThat(block.find()).as("location %s in %s", location, NGINX).isTrue();
        String body = block.group(1);
        assertThat(body).contains("proxy_http_version 1.1;", "proxy_set_header Upgrade $websocket_upgrade;",
            "proxy_set_header Connection $connection_upgrade;");
        for (String directive : List.of("proxy_read_timeout", "proxy_send_timeout")) {
          Matcher m = Pattern.compile(directive + "\\s+(\\S+);").matcher(body);
          assertThat(m.find()).as("%s in location %s", directive, location).isTrue();
          assertThat(nginxTime(m.group(1))).as("%s in location %s", directive, location)
              .isGreaterThanOrEqualTo(IDLE_SESSION);
        }
      }
    }

    @Test
    void documentsEveryPlaceholder() throws Exception {
      String recipe = Repo.read(NGINX);
      assertThat(Repo.placeholders(code(recipe, "#"))).containsExactlyInAnyOrder("UPSTREAM", "LISTEN", "SERVER_NAME");
      for (String name : Repo.placeholders(code(recipe, "#"))) {
        assertThat(comments(recipe, "#")).contains("${" + name + "}");
      }
    }
  }

  @Nested
  class HAProxyRecipe {
    @TempDir Path dir;

    @Test
    void passesDocmostsWebSocketPathsAndPages() throws Exception {
      int port = Nginx.freePort();
      Map<String, String> env = Map.of("LISTEN", "127.0.0.1:" + port, "UPSTREAM", "127.0.0.1:" + app.actualPort());
      Path config = Repo.file(HAPROXY);
      HAProxy.check(config, env);
      try (HAProxy haproxy = HAProxy.start(config, env, port, dir.resolve("haproxy.log"))) {
        assertProbesPass(haproxy.port());
      }
    }

    @Test
    void keepsIdleWebSocketsForAnHour() throws Exception {
      Matcher m = Pattern.compile("(?m)^\\s*timeout tunnel\\s+(\\S+)").matcher(Repo.read(HAPROXY));
      assertThat(m.find()).as("timeout tunnel in %s", HAPROXY).isTrue();
      assertThat(haproxyTime(m.group(1))).isGreaterThanOrEqualTo(IDLE_SESSION);
    }

    @Test
    void documentsEveryPlaceholder() throws Exception {
      String recipe = Repo.read(HAPROXY);
      assertThat(Repo.placeholders(code(recipe, "#"))).containsExactlyInAnyOrder("LISTEN", "UPSTREAM");
      for (String name : Repo.placeholders(code(recipe, "#"))) {
        assertThat(comments(recipe, "#")).containsPattern("#\\s+" + name + "\\s");
      }
    }
  }

  /** Caddy and Traefik are not run here; their files are checked for what the recipes promise. */
  @Nested
  class OtherRecipes {
    @Test
    void caddySetsNoTimeoutThatWouldCutSessions() throws Exception {
      String caddy = Repo.read(CADDY);
      assertThat(code(caddy, "#")).contains("reverse_proxy {$UPSTREAM}", "{$SITE} {")
          .doesNotContain("stream_timeout").doesNotContain("read_timeout");
      assertThat(comments(caddy, "#")).contains("SITE", "UPSTREAM");
    }

    @Test
    void traefikKeepsIdleWebSocketsForAnHour() throws Exception {
      Map<String, Object> traefik = new org.yaml.snakeyaml.Yaml().load(Repo.read(TRAEFIK));
      List<Duration> timeouts = new ArrayList<>();
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> entryPoints = (Map<String, Map<String, Object>>) traefik.get("entryPoints");
      for (Map<String, Object> ep : entryPoints.values()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> responding = (Map<String, Object>) ((Map<String, Object>) ep.get("transport")).get("respondingTimeouts");
        timeouts.add(nginxTime(String.valueOf(responding.get("readTimeout"))));
        timeouts.add(nginxTime(String.valueOf(responding.get("writeTimeout"))));
      }
      assertThat(timeouts).isNotEmpty().allSatisfy(t -> assertThat(t).isGreaterThanOrEqualTo(IDLE_SESSION));
      assertThat(Files.exists(Repo.file("deploy/proxy/traefik/docmost.yml"))).isTrue();
    }
  }
}
