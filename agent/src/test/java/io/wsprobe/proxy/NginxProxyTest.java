package io.wsprobe.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.cli.AgentCommand;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Target;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.wsprobe.prober.WebSocketProber;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.ProbeCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classic failure, for real: nginx in front of an app, with and without the Upgrade lines. */
class NginxProxyTest {

  static Vertx vertx;
  static HttpServer app;
  static Nginx good;
  static Nginx broken;
  static WebSocketProber prober;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    app = AppServer.start(vertx);
    good = Nginx.start(Files.createDirectories(dir.resolve("good")), Nginx.proxyWithUpgrade(app.actualPort()));
    broken = Nginx.start(Files.createDirectories(dir.resolve("broken")), Nginx.proxyWithoutUpgrade(app.actualPort()));
    prober = new WebSocketProber(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    good.close();
    broken.close();
    vertx.close().await();
  }

  static ProbeResult probe(int port, String path) throws Exception {
    return AppServer.echoProbe(prober, port, path);
  }

  @Test
  void goodProxyPassesTheSessionThrough() throws Exception {
    ProbeResult r = probe(good.port(), "/collab");
    assertThat(r.result()).as(r.trace().render()).isEqualTo(Result.SUCCESS);
    assertThat(r.statusCode()).isEqualTo(101);
    assertThat(r.rttNanos()).hasSize(1);
  }

  @Test
  void proxyWithoutUpgradeLinesServesThePageInstead() throws Exception {
    ProbeResult r = probe(broken.port(), "/collab");
    assertThat(r.result()).as(r.trace().render()).isEqualTo(Result.UPGRADE_IGNORED);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.detail()).isEqualTo("got HTTP 200 text/html instead of 101: a proxy is not forwarding Upgrade");
    assertThat(r.diagnosis()).contains("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection \"upgrade\";");
    assertThat(r.trace().render()).contains("Server: nginx", "<div id=\"root\">");
  }

  @Test
  void proxyWithoutUpgradeLinesGetsSocketIoBadRequest() throws Exception {
    ProbeResult r = probe(broken.port(), "/socket.io/?EIO=4&transport=websocket");
    assertThat(r.result()).as(r.trace().render()).isEqualTo(Result.UPGRADE_REJECTED);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.diagnosis()).contains("not forwarding the Upgrade and Connection headers",
        "proxy_set_header Upgrade $http_upgrade;");
    assertThat(r.trace().render()).contains("{\"code\":3,\"message\":\"Bad request\"}");
  }

  @Test
  void probeCommandNamesTheMissingProxyLines() throws Exception {
    String url = "ws://127.0.0.1:" + broken.port() + "/collab";
    ProbeCli.Run run = ProbeCli.run("probe", url, "--timeout", "3s");
    String out = run.out();
    assertThat(run.exit()).as(out).isEqualTo(1);
    assertThat(out).contains("> GET /collab HTTP/1.1", "> upgrade: websocket", "< HTTP/1.1 200 OK",
        "diagnosis:", "Got HTTP 200 text/html instead of 101", "proxy_set_header Upgrade $http_upgrade;");
    assertThat(out.strip()).endsWith("result: upgrade_ignored");
  }

  @Test
  void probeCommandSucceedsThroughTheGoodProxy() throws Exception {
    String url = "ws://127.0.0.1:" + good.port() + "/collab";
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int exit;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      exit = AgentCommand.commandLine().execute("probe", url, "--send", "hi", "--expect", "hi",
          "--header", "Authorization: Bearer very-secret-token");
    } finally {
      System.setOut(saved);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(out).isZero();
    assertThat(out).contains("Authorization: <secret>", "message", "sent 'hi', got 'hi'")
        .doesNotContain("very-secret-token");
    assertThat(out.strip()).endsWith("result: success");
  }
}
