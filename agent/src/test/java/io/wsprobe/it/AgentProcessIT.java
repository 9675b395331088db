package io.wsprobe.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.support.AppServer;
import io.wsprobe.support.Nginx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged agent as a user runs it: a separate process, its output, signals and exit codes. */
class AgentProcessIT {

  @TempDir Path dir;
  final List<Process> processes = new ArrayList<>();
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  static String jar() {
    String jar = System.getProperty("wsprobe.jar");
    assertThat(jar).as("system property wsprobe.jar (set by the failsafe plugin)").isNotNull();
    return jar;
  }

  /** Starts the jar; its stdout and stderr lines are collected in {@code lines}. */
  Process start(List<String> lines, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    processes.add(p);
    collect(p, lines);
    return p;
  }

  /** Adds each line of the process's output to {@code lines} as it comes. */
  static void collect(Process p, List<String> lines) {
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (Exception ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
  }

  static void await(String what, java.util.function.BooleanSupplier done, List<String> lines) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (done.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out waiting for " + what + "; output:\n" + String.join("\n", lines));
  }

  String metrics(int port) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return "";
    }
  }

  /** The target's last probe passed: its wsprobe_probe_success is 1 (other families end in "} 1.0" too). */
  static boolean succeeded(String metrics, String target) {
    return metrics.lines().anyMatch(l -> l.startsWith("wsprobe_probe_success{") && l.endsWith("target=\"" + target + "\"} 1.0"));
  }

  static boolean any(List<String> lines, Predicate<String> p) {
    return lines.stream().anyMatch(p);
  }

  @Test
  void demoShowsASuccessAndANamedFailure() throws Exception {
    int port = Nginx.freePort();
    List<String> lines = new CopyOnWriteArrayList<>();
    start(lines, "demo", "--web.listen-address=127.0.0.1:" + port);
    await("a success and an upgrade_ignored line", () ->
        any(lines, l -> l.contains("demo-echo") && l.contains("success"))
            && any(lines, l -> l.contains("demo-broken-proxy") && l.contains("upgrade_ignored")
                && l.contains("got HTTP 200 text/html instead of 101: a proxy is not forwarding Upgrade")), lines);
    String m = metrics(port);
    assertThat(m).contains("wsprobe_probe_success{location=\"demo\",module=\"echo\",target=\"demo-echo\"} 1.0")
        .containsPattern("wsprobe_probes_total\\{location=\"demo\",module=\"default\",result=\"upgrade_ignored\",target=\"demo-broken-proxy\"} [1-9]")
        .contains("wsprobe_upgrade_status_code{location=\"demo\",module=\"default\",target=\"demo-broken-proxy\"} 200.0");
    assertThat(lines).noneMatch(l -> l.contains("Exception"));
  }

  @Test
  void sighupReloadsAndABadFileKeepsTheRunningConfig() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer app = AppServer.start(vertx);
      Path file = dir.resolve("wsprobe.yml");
      String good = """
          global: { interval: 1s, timeout: 500ms }
          targets:
            - name: first
              url: ws://127.0.0.1:%d/collab
          """.formatted(app.actualPort());
      Files.writeString(file, good);
      int port = Nginx.freePort();
      List<String> lines = new CopyOnWriteArrayList<>();
      Process p = start(lines, "--config.file=" + file, "--web.listen-address=127.0.0.1:" + port, "--log.format=json");
      await("first target probed", () -> succeeded(metrics(port), "first"), lines);

      Files.writeString(file, "targets:\n  - name: broken\n    url: http://nowhere/\n");
      new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
      await("failed reload", () -> metrics(port).contains("wsprobe_config_last_reload_successful 0.0"), lines);
      assertThat(metrics(port)).contains("target=\"first\"").doesNotContain("target=\"broken\"");
      await("error logged", () -> any(lines, l -> l.contains("\"level\":\"error\"")
          && l.contains("targets[0].url: scheme must be ws or wss, got http")), lines);

      Files.writeString(file, good.replace("name: first", "name: second"));
      new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
      await("second target probed", () -> {
        String m = metrics(port);
        return succeeded(m, "second") && !m.contains("target=\"first\"")
            && m.contains("wsprobe_config_last_reload_successful 1.0");
      }, lines);
      assertThat(lines).allMatch(l -> l.startsWith("{") && l.endsWith("}"));
    } finally {
      vertx.close().await();
    }
  }

  /** docker stop, systemctl stop and Kubernetes all send SIGTERM and wait only so long. */
  @Test
  void sigtermStopsTheAgentPromptly() throws Exception {
    Path file = Files.writeString(dir.resolve("wsprobe.yml"), "targets: []\n");
    int port = Nginx.freePort();
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = start(lines, "--config.file=" + file, "--web.listen-address=127.0.0.1:" + port);
    await("started", () -> metrics(port).contains("wsprobe_config_last_reload_successful 1.0"), lines);
    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("exited within 5s of SIGTERM; output:\n" + String.join("\n", lines)).isTrue();
    assertThat(p.exitValue()).as("a clean stop exits 0").isZero();
    assertThat(lines).anyMatch(l -> l.contains("msg=stopping")).noneMatch(l -> l.contains("Exception"));
  }

  /** {@code --shard=1/2}: the process probes and exports only its share of the targets. */
  @Test
  void aShardProbesOnlyItsShare() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer app = AppServer.start(vertx);
      StringBuilder yaml = new StringBuilder("global: { interval: 1s, timeout: 500ms }\ntargets:\n");
      List<String> mine = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        yaml.append("  - { name: t").append(i).append(", url: \"ws://127.0.0.1:").append(app.actualPort()).append("/x\" }\n");
        if (io.wsprobe.scheduler.Shard.owner("t" + i, 2) == 1) {
          mine.add("t" + i);
        }
      }
      Path file = Files.writeString(dir.resolve("wsprobe.yml"), yaml);
      int port = Nginx.freePort();
      List<String> lines = new CopyOnWriteArrayList<>();
      start(lines, "--config.file=" + file, "--web.listen-address=127.0.0.1:" + port, "--shard=1/2");
      await("its share probed", () -> mine.stream().allMatch(n -> succeeded(metrics(port), n)), lines);
      String m = metrics(port);
      assertThat(m.lines().filter(l -> l.startsWith("wsprobe_probe_success{")).count()).isEqualTo(mine.size());
      assertThat(m).contains("wsprobe_shard_info{shard=\"1\",shards=\"2\"} 1", "wsprobe_targets 10.0",
          "wsprobe_shard_targets " + mine.size() + ".0");
      assertThat(lines).anyMatch(l -> l.contains("shard=1/2") && l.contains("shard_targets=" + mine.size()));
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void anInvalidConfigStopsTheStartWithEveryError() throws Exception {
    Path file = dir.resolve("bad.yml");
    Files.writeString(file, """
        global: { interval: 10s, timeout: 20s }
        targets:
          - name: a
            url: http://example.invalid/
        """);
    List<String> lines = new CopyOnWriteArrayList<>();
    Process p = start(lines, "--config.file=" + file, "--web.listen-address=127.0.0.1:0");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(200);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(String.join("\n", lines)).contains(
        "bad.yml:1: global.timeout: 20s must be below the interval 10s",
        "bad.yml:4: targets[0].url: scheme must be ws or wss, got http");
  }

  /** The port in the agent's "wsprobe started" line, once it is there. */
  static int startedPort(List<String> lines) throws Exception {
    java.util.regex.Pattern port = java.util.regex.Pattern.compile("wsprobe started.* port=(\\d+)");
    await("the start line", () -> lines.stream().anyMatch(l -> port.matcher(l).find()), lines);
    return lines.stream().map(port::matcher).filter(java.util.regex.Matcher::find)
        .mapToInt(m -> Integer.parseInt(m.group(1))).findFirst().orElseThrow();
  }

  int status(int port, String password) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/healthy"));
    if (password != null) {
      b.header("Authorization", "Basic " + java.util.Base64.getEncoder()
          .encodeToString(("alice:" + password).getBytes(StandardCharsets.UTF_8)));
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void everyListenAddressServesAndOneTakenIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("wsprobe.yml"), "targets: []\n");
    int first = Nginx.freePort();
    int second = Nginx.freePort();
    List<String> lines = new CopyOnWriteArrayList<>();
    start(lines, "--config.file=" + file, "--web.listen-address=127.0.0.1:" + first,
        "--web.listen-address=127.0.0.1:" + second);
    await("both addresses", () -> metrics(first).contains("wsprobe_config_last_reload_successful 1.0")
        && metrics(second).contains("wsprobe_config_last_reload_successful 1.0"), lines);

    List<String> refused = new CopyOnWriteArrayList<>();
    Process p = start(refused, "--config.file=" + file, "--web.listen-address=127.0.0.1:" + Nginx.freePort(),
        "--web.listen-address=127.0.0.1:" + second);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(200);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(String.join("\n", refused)).contains("wsprobe could not start: cannot listen on 127.0.0.1:" + second + ": ");
  }

  @Test
  void sighupReReadsTheWebConfigAndConfigCheckChecksIt() throws Exception {
    Path file = Files.writeString(dir.resolve("wsprobe.yml"), "targets: []\n");
    Path web = dir.resolve("web.yml");
    Files.writeString(web, "basic_auth_users: { alice: \""
        + at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(4, "one".toCharArray()) + "\" }\n");
    Process check = start(new CopyOnWriteArrayList<>(), "--config.file=" + file, "--web.config.file=" + web, "--config.check");
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).isZero();

    List<String> lines = new CopyOnWriteArrayList<>();
    // the port the agent took itself, from its start line: a port chosen here beforehand could be
    // taken meanwhile by another server, which would then answer these requests
    Process p = start(lines, "--config.file=" + file, "--web.config.file=" + web, "--web.listen-address=127.0.0.1:0");
    int port = startedPort(lines);
    await("started with auth", () -> status(port, "one") == 200, lines);
    assertThat(status(port, null)).isEqualTo(401);
    assertThat(status(port, "two")).isEqualTo(401);

    Files.writeString(web, "basic_auth_users: { alice: \""
        + at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(4, "two".toCharArray()) + "\" }\n");
    new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
    await("the new password", () -> status(port, "two") == 200, lines);
    assertThat(status(port, "one")).isEqualTo(401);
    assertThat(lines).as("no hash logged").noneMatch(l -> l.contains("$2a$"));
  }

  @Test
  void theLauncherRunsTheBuiltJar() throws Exception {
    Path launcher = Path.of("..", "wsprobe").toAbsolutePath().normalize();
    Process p = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true).start();
    processes.add(p);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out).contains("wsprobe version ").doesNotContain("building");
    assertThat(p.exitValue()).isZero();
  }
}
