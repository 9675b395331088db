package io.wsprobe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.Scrape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Target discovery from files under a running agent: a file added, changed, broken and fixed is
 * seen without a reload, and its targets are probed within one interval.
 */
class TargetFilesAgentTest {

  static final Duration INTERVAL = Duration.ofSeconds(2);

  @TempDir Path dir;
  Vertx vertx;
  HttpServer app;
  Agent agent;
  Path targets;
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    app = AppServer.start(vertx);
    targets = Files.createDirectories(dir.resolve("targets"));
    Files.writeString(targets.resolve("a.yml"), target("one", "docs"));
    Path file = dir.resolve("wsprobe.yml");
    Files.writeString(file, """
        global: { interval: 2s, timeout: 1s }
        target_files: [ "targets/*.yml" ]
        """);
    logs.start();
    root.addAppender(logs);
    agent = new Agent(vertx, () -> ConfigLoader.load(file), "127.0.0.1:0", null);
    agent.start().await();
  }

  @AfterEach
  void stop() {
    root.detachAppender(logs);
    agent.stop().await();
    vertx.close().await();
  }

  String target(String name, String team) {
    return """
        - name: %s
          url: ws://127.0.0.1:%d/collab
          labels: { team: %s }
        """.formatted(name, app.actualPort(), team);
  }

  @Test
  void filesAreWatchedAddedChangedBrokenAndFixed() throws Exception {
    Path a = targets.resolve("a.yml").toAbsolutePath();
    String fileA = "{file=\"" + a + "\"}";
    awaitMetrics(INTERVAL.plusSeconds(2), m -> Scrape.value(m, "wsprobe_probe_success{module=\"default\",target=\"one\",team=\"docs\"}") == 1
        && Scrape.value(m, "wsprobe_target_file_last_read_successful" + fileA) == 1
        && Scrape.value(m, "wsprobe_target_file_targets" + fileA) == 1);

    // added: probed within one interval (and the watcher's settling)
    Path b = targets.resolve("b.yml");
    Files.writeString(b, target("two", "web"));
    awaitMetrics(INTERVAL.plusMillis(900), m -> m.contains("wsprobe_probe_success{module=\"default\",target=\"two\",team=\"web\"} 1.0"));
    assertThat(agent.config().targets()).extracting(t -> t.name()).containsExactly("one", "two");

    // changed: the target's series follow its new labels
    Files.writeString(a, target("one", "ops"));
    awaitMetrics(INTERVAL.plusMillis(900), m -> m.contains("wsprobe_probe_success{module=\"default\",target=\"one\",team=\"ops\"} 1.0")
        && !m.contains("team=\"docs\""));

    // broken: the last good content stays, the file's series says 0, the log names the mistake
    Files.writeString(a, target("one", "ops") + "  adress: oops\n");
    String broken = awaitMetrics(Duration.ofSeconds(3),
        m -> Scrape.value(m, "wsprobe_target_file_last_read_successful" + fileA) == 0);
    assertThat(Scrape.value(broken, "wsprobe_target_file_targets" + fileA)).isEqualTo(1);
    assertThat(agent.config().targets()).extracting(t -> t.name()).containsExactly("one", "two");
    assertThat(logLines()).anySatisfy(line -> assertThat(line)
        .contains("target file not used", "file=" + a, a + ":4: [0].adress: unknown key"));
    long probesBefore = probes(broken, "one");
    awaitMetrics(INTERVAL.plusSeconds(1), m -> probes(m, "one") > probesBefore);

    // fixed: 1 again, with the new content
    Files.writeString(a, target("one", "ops") + target("three", "ops"));
    awaitMetrics(INTERVAL.plusSeconds(1), m -> Scrape.value(m, "wsprobe_target_file_last_read_successful" + fileA) == 1
        && Scrape.value(m, "wsprobe_target_file_targets" + fileA) == 2
        && m.contains("wsprobe_probe_success{module=\"default\",target=\"three\",team=\"ops\"} 1.0"));

    // removed: its targets and its series go
    Files.delete(b);
    awaitMetrics(Duration.ofSeconds(3), m -> !m.contains("target=\"two\"")
        && !m.contains("wsprobe_target_file_last_read_successful{file=\"" + b.toAbsolutePath() + "\"}"));
  }

  static long probes(String scrape, String target) {
    return (long) Scrape.sum(scrape, l -> l.startsWith("wsprobe_probes_total{") && l.contains("target=\"" + target + "\""));
  }

  String awaitMetrics(Duration within, Predicate<String> ready) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/metrics")).build();
    String body = "";
    while (System.nanoTime() < deadline) {
      body = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
      if (ready.test(body)) {
        return body;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("metrics did not match within " + within + "; last scrape:\n" + body);
  }

  /** Each log event with its key-value pairs, as the structured log shows them. */
  List<String> logLines() {
    List<ILoggingEvent> events;
    synchronized (logs) { // what AppenderBase appends under
      events = List.copyOf(logs.list);
    }
    return events.stream().map(e -> {
      StringBuilder line = new StringBuilder(e.getFormattedMessage());
      if (e.getKeyValuePairs() != null) {
        e.getKeyValuePairs().forEach(kv -> line.append(' ').append(kv.key).append('=').append(kv.value));
      }
      return line.toString();
    }).toList();
  }
}
