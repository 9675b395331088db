package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void echo() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer()
        .webSocketHandler(ws -> ws.handler(ws::write))
        .requestHandler(r -> r.response().putHeader("content-type", "text/html").end("<html>app</html>"))
        .listen(0, "127.0.0.1").await();
    WebSocketProber prober = new WebSocketProber(vertx);
    Module m = new Module("echo", Map.of(), null, List.of(), Module.Tls.defaults(), Module.IpProtocol.IP4, true,
        1 << 20, List.of(new Module.Message("hello", false, Module.Expect.echo(), 3)), null);
    Target t = new Target("t", URI.create("ws://localhost:" + server.actualPort() + "/echo?token=abc"), "echo", Map.of(),
        Duration.ofSeconds(10), Duration.ofSeconds(5));
    ProbeResult r = prober.probe(t, m).await();
    System.out.println(r.trace().render());
    System.out.println(r);
    assertThat(r.result()).isEqualTo(Result.SUCCESS);
    vertx.close().await();
  }
}
