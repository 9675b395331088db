package io.wsprobe.cli;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.demo.DemoServers;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wsprobe cds-training} (hidden): the training run of the class-data archive that the
 * build makes next to the jar ({@code java -XX:ArchiveClassesAtExit=wsprobe.jsa -jar
 * wsprobe.jar cds-training}; see agent/pom.xml and docs/benchmarks.md). It takes the paths a
 * user's commands take, on loopback only, so that the JVM archives the classes they load:
 * {@code --version}, {@code probe} of a ws:// URL with messages, {@code check-config}, and the
 * agent's start from a config file (its warm-up takes wss:// too) up to its first results and a
 * scrape of {@code /metrics}, against the demo's own servers. A few seconds; exit 0 when every
 * step did what it should, 1 otherwise (the build then fails rather than ship a poor archive).
 */
@Command(name = "cds-training", hidden = true,
    description = "The training run of the class-data archive (the build runs it).")
final class CdsTrainingCommand implements Callable<Integer> {

  private static final Duration LIMIT = Duration.ofSeconds(60);

  @Override
  public Integer call() throws Exception {
    Vertx vertx = io.wsprobe.EventLoops.create();
    DemoServers servers = new DemoServers(vertx);
    Path dir = Files.createTempDirectory("wsprobe-cds-training-");
    PrintStream out = System.out;
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    try {
      servers.start().await();
      String app = "127.0.0.1:" + servers.appPort();
      Path config = dir.resolve("wsprobe.yml");
      Files.writeString(config, config(app, servers.brokenProxyPort()));
      System.setOut(quiet);
      StringBuilder steps = new StringBuilder();
      boolean ok = step(steps, "--version", 0, () -> run("--version"))
          & step(steps, "probe ws", 0, () -> run("probe", "ws://" + app + "/echo", "--send", "training",
              "--header", "X-Training: 1"))
          & step(steps, "check-config", 0, () -> run("check-config", config.toString()))
          & step(steps, "agent", 0, () -> agent(vertx, config));
      System.setOut(out);
      out.println("wsprobe cds-training:" + steps + (ok ? ": ok" : ": FAILED"));
      return ok ? 0 : 1;
    } finally {
      System.setOut(out);
      servers.stop().await();
      vertx.close().await();
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  /** Runs one step, notes its exit code and time; true when the code is the expected one. */
  private static boolean step(StringBuilder steps, String name, int expected, Callable<Integer> step) throws Exception {
    long start = System.nanoTime();
    int code = step.call();
    steps.append(steps.length() == 0 ? " " : ", ").append(name).append(' ').append(code)
        .append(code == expected ? "" : " (expected " + expected + ")")
        .append(" in ").append((System.nanoTime() - start) / 1_000_000).append(" ms");
    return code == expected;
  }

  private static int run(String... args) {
    CommandLine cl = AgentCommand.commandLine();
    cl.setOut(new java.io.PrintWriter(System.out, true));
    return cl.execute(args);
  }

  /** The agent from the file, until each of its targets has a result and /metrics answered. */
  private static int agent(Vertx vertx, Path config) {
    io.wsprobe.log.Logging.configure("error", io.wsprobe.log.Logging.Format.LOGFMT); // the broken target warns
    Set<String> seen = ConcurrentHashMap.newKeySet();
    Promise<Void> results = Promise.promise();
    Agent agent = new Agent(vertx, () -> ConfigLoader.load(config), "127.0.0.1:0", (target, module, result) -> {
      if (seen.add(target.name()) && seen.size() == 3) {
        results.tryComplete();
      }
    });
    agent.start().await();
    HttpClient http = vertx.createHttpClient();
    try {
      results.future().timeout(LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).await();
      int metrics = get(http, agent.port(), "/metrics").await();
      int healthy = get(http, agent.port(), "/-/healthy").await();
      return metrics == 200 && healthy == 200 ? 0 : 1;
    } finally {
      http.close().await();
      agent.stop().await();
    }
  }

  private static Future<Integer> get(HttpClient http, int port, String path) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send())
        .compose(res -> res.body().map(b -> res.statusCode()))
        .otherwise(e -> -1);
  }

  /** Three targets on the demo servers, through the modules' common keys. */
  private static String config(String app, int brokenProxyPort) {
    return """
        global:
          interval: 2s
          timeout: 1500ms
          labels: { location: training }
        modules:
          echo:
            headers: { X-Training: "1" }
            messages:
              - send: ping
                expect: { echo: true }
                count: 2
              - send: '{"status":"ok"}'
                expect:
                  json: { path: status, equals: ok }
          room:
            protocol: raw
            broadcast: { receivers: 1, timeout: 1s }
        targets:
          - { name: echo, url: "ws://%1$s/echo", module: echo }
          - { name: room, url: "ws://%1$s/room/training", module: room }
          - { name: broken, url: "ws://127.0.0.1:%2$d/collab" }
        """.formatted(app, brokenProxyPort);
  }
}
