package io.wsprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.support.HAProxy;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.NodeServer;
import io.wsprobe.support.ProbeCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wsprobe probe ... --http-version 2} as a user runs it, against a real HAProxy h2c
 * frontend ({@code bind ... proto h2}: HTTP/2 with prior knowledge, RFC 8441 extended CONNECT)
 * in front of the real Node {@code ws} echo server, which HAProxy reaches over HTTP/1.1.
 */
class Http2CliTest {

  static NodeServer ws;
  static HAProxy haproxy;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    ws = NodeServer.start("room-server.js");
    int port = Nginx.freePort();
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, """
        defaults
            mode http
            retries 0
            timeout connect 1s
            timeout client 5s
            timeout server 5s
            timeout tunnel 5s
        frontend h2c
            bind 127.0.0.1:%d proto h2
            default_backend ws
        backend ws
            server ws 127.0.0.1:%d
        """.formatted(port, ws.port()));
    haproxy = HAProxy.start(cfg, Map.of(), port, dir.resolve("haproxy.log"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (haproxy != null) {
      haproxy.close();
    }
    if (ws != null) {
      ws.close();
    }
  }

  @Test
  void echoesThroughAnHaproxyH2cFrontend() {
    ProbeCli.Run run = ProbeCli.run("probe", "ws://127.0.0.1:" + haproxy.port() + "/echo",
        "--http-version", "2", "--send", "x", "--expect", "x", "--timeout", "5s");

    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out()).contains("result: success", "ENABLE_CONNECT_PROTOCOL=1", ":method: CONNECT",
        ":protocol: websocket", "answer HTTP/2 :status 200", "1/1 sent 'x', got 'x'");
  }

  @Test
  void aWrongExpectationFailsOverHttp2() {
    ProbeCli.Run run = ProbeCli.run("probe", "ws://127.0.0.1:" + haproxy.port() + "/echo",
        "--http-version", "2", "--send", "x", "--expect", "y", "--timeout", "2s");

    assertThat(run.exit()).as(run.out()).isEqualTo(1);
    assertThat(run.out()).contains("answer HTTP/2 :status 200", "last frame: 'x'", "result: message_mismatch");
  }
}
