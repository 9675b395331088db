package io.wsprobe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.cli.Agent;
import io.wsprobe.cli.AgentCommand;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.support.NodeServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One target per dialect, from a YAML config, against the real servers: what a user sets up. */
class ProtocolAgentTest {

  @TempDir static Path dir;
  static NodeServer room;
  static NodeServer chat;
  static NodeServer collab;
  static NodeServer yjs;
  static Path config;

  @BeforeAll
  static void start() throws Exception {
    room = NodeServer.start("room-server.js");
    chat = NodeServer.start("socketio-server.js");
    collab = NodeServer.start("hocuspocus-server.js", "--version", "4", "--token", "collab-s3cr3t");
    yjs = NodeServer.start("ywebsocket-server.js");
    Files.writeString(dir.resolve("collab-token"), "collab-s3cr3t\n");
    config = dir.resolve("wsprobe.yml");
    Files.writeString(config, """
        global: { interval: 1s, timeout: 900ms }
        modules:
          room:
            protocol: raw
            broadcast: { receivers: 2, timeout: 500ms }
          chat:
            protocol: socketio
            socketio:
              join: { event: join, args: ["room-a"], ack: true }
              marker: { event: ping-marker, data: {} }
            broadcast: { receivers: 1 }
          collab:
            protocol: hocuspocus
            hocuspocus: { document: judge-doc, token_file: collab-token }
            broadcast: { receivers: 1 }
          yjs:
            protocol: ywebsocket
            broadcast: { receivers: 1 }
        targets:
          - { name: room, url: "ws://127.0.0.1:%d/room-a", module: room }
          - { name: chat, url: "ws://127.0.0.1:%d/socket.io/?EIO=4&transport=websocket", module: chat }
          - { name: collab, url: "ws://127.0.0.1:%d/collab", module: collab }
          - { name: yjs, url: "ws://127.0.0.1:%d/doc-1", module: yjs }
        """.formatted(room.port(), chat.port(), collab.port(), yjs.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    for (NodeServer s : List.of(room, chat, collab, yjs)) {
      s.close();
    }
  }

  @Test
  void everyDialectExportsItsBroadcastDelay() throws Exception {
    Vertx vertx = Vertx.vertx();
    Agent agent = new Agent(vertx, () -> ConfigLoader.load(config), "127.0.0.1:0", null);
    try {
      agent.start().await();
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      String metrics = "";
      List<String> targets = List.of("room", "chat", "collab", "yjs");
      while (System.nanoTime() < deadline) {
        metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        String m = metrics;
        if (targets.stream().allMatch(t -> m.contains("wsprobe_probe_success{module=\"" + t + "\",target=\"" + t + "\"} 1.0")
            && m.contains("wsprobe_broadcast_missing_receivers{module=\"" + t + "\",target=\"" + t + "\"} 0.0"))) {
          break;
        }
        Thread.sleep(200);
      }
      for (String t : targets) {
        String labels = "module=\"" + t + "\",target=\"" + t + "\"";
        assertThat(metrics).as(t).contains("wsprobe_probe_success{" + labels + "} 1.0",
            "wsprobe_broadcast_missing_receivers{" + labels + "} 0.0")
            .containsPattern("wsprobe_broadcast_delay_seconds_count\\{" + labels.replace("{", "\\{") + "} [1-9]");
        if (!t.equals("room")) {
          assertThat(metrics).as(t).containsPattern(
              "wsprobe_phase_duration_seconds_count\\{module=\"" + t + "\",phase=\"app_handshake\",target=\"" + t + "\"} [1-9]");
        }
      }
      assertThat(metrics).doesNotContain("collab-s3cr3t");
    } finally {
      agent.stop().await();
      vertx.close().await();
    }
  }

  @Test
  void probeCommandShowsTheHandshakeAndTheBroadcastDelay() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int exit;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      exit = AgentCommand.commandLine().execute("probe", "ws://127.0.0.1:" + collab.port() + "/collab",
          "--config.file", config.toString(), "--module", "collab");
    } finally {
      System.setOut(saved);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(out).isZero();
    assertThat(out).contains("handshake", "hocuspocus: Authenticated read-write, document synced",
        "r1.handshake", "marker wsprobe-", "broadcast", "receiver 1 got the marker")
        .doesNotContain("collab-s3cr3t");
    assertThat(out.strip()).endsWith("result: success");
  }
}
