package io.wsprobe.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The wsprobe agent as a user runs it: the {@code ./wsprobe} launcher with its default JVM flags
 * (unless {@code extraJvmFlags} are given), a config file, {@code /metrics} on a loopback port.
 * Load is changed by rewriting the config and {@code POST /-/reload}.
 */
final class AgentProcess implements AutoCloseable {

  final Bench.Child child;
  final Path config;
  final int port;

  private AgentProcess(Bench.Child child, Path config, int port) {
    this.child = child;
    this.config = config;
    this.port = port;
  }

  /**
   * @param javaOpts JVM flags instead of the launcher's defaults, or null to keep them
   */
  static AgentProcess start(Path dir, String configYaml, String javaOpts) throws Exception {
    Path config = dir.resolve("wsprobe.yml");
    Files.writeString(config, configYaml);
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of(Bench.root().resolve("wsprobe").toString(),
        "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("wsprobe.log").toFile());
    Map<String, String> env = pb.environment();
    if (javaOpts != null) {
      env.put("WSPROBE_JAVA_OPTS", javaOpts);
    } else {
      env.remove("WSPROBE_JAVA_OPTS");
    }
    Bench.Child child = new Bench.Child("wsprobe", pb.start(), dir.resolve("wsprobe.log"));
    Runtime.getRuntime().addShutdownHook(new Thread(child::close));
    AgentProcess a = new AgentProcess(child, config, port);
    child.awaitHttp(a.url("/-/ready"), Duration.ofSeconds(120));
    return a;
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  long pid() {
    return child.pid(); // the launcher execs java: same process
  }

  String metrics() throws Exception {
    return Bench.get(url("/metrics"));
  }

  void reload(String configYaml) throws Exception {
    Files.writeString(config, configYaml);
    Bench.post(url("/-/reload"));
  }

  /** Probes ended so far, every result together. */
  double probes() throws Exception {
    return Bench.sum(metrics(), "wsprobe_probes_total");
  }

  /**
   * A config of {@code n} targets {@code t00000…} on {@code url} with the default module (upgrade,
   * check, close), every {@code interval}.
   *
   * @param extraGlobal more lines for {@code global:}, indented by two spaces
   */
  static String config(int n, String url, String interval, String timeout, String extraGlobal) {
    StringBuilder y = new StringBuilder("global:\n  interval: ").append(interval)
        .append("\n  timeout: ").append(timeout).append('\n').append(extraGlobal);
    y.append("targets:\n");
    for (int i = 0; i < n; i++) {
      y.append(String.format("  - { name: t%05d, url: \"%s\" }%n", i, url));
    }
    if (n == 0) {
      y.setLength(y.length() - "targets:\n".length());
    }
    return y.toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    child.close();
  }
}
