package io.wsprobe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsprobe.support.Dockerfile;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.Podman;
import io.wsprobe.support.Repo;
import io.wsprobe.support.RunningAgent;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/docker/Dockerfile built and run for real with podman: the image, started with a
 * configuration mounted where the Dockerfile reads it, probes two nginx on loopback (one with
 * the WebSocket lines in front of an app, one without) and its /metrics, asked from inside the
 * container, shows a success and {@code upgrade_ignored}. Public images cannot be pulled on the
 * test machines: the bases come from deploy/docker/local-base (Debian's packages, made once and
 * kept in podman's storage). Skipped, with the reason printed, where podman or runc is missing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageTest {

  static final String GOOD = "through-nginx";
  static final String BROKEN = "through-nginx-without-upgrade";

  @TempDir
  static Path dir;

  static Podman podman;
  static Vertx vertx;
  static Nginx good;
  static Nginx broken;
  static String image;
  static String container;
  static final List<String> timings = new ArrayList<>();
  /** Debian's Java trust store, where the build base's Maven looks too. */
  static final Path HOST_TRUST_STORE = Path.of("/etc/ssl/certs/java/cacerts");

  /** Skips the class with a reason that reaches Maven's output, not only the test report. */
  static void skip(String reason) {
    String line = "ContainerImageTest skipped: " + reason;
    System.out.println(line);
    Assumptions.abort(line);
  }

  @BeforeAll
  static void buildAndRun() throws Exception {
    Podman.Found found = Podman.find();
    if (!found.ok()) {
      skip(found.reason());
    }
    podman = Podman.in(found.podman(), dir);
    int port = RunningAgent.defaultPort();
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(port));
    } catch (java.io.IOException e) {
      throw new AssertionError("port " + port + " is taken on this machine: the container, on the host's network,"
          + " serves there (its health check asks it)", e);
    }

    Podman.Run base = podman.run(Repo.root(), Duration.ofMinutes(20),
        List.of("bash", "deploy/docker/local-base", "--build-args"));
    timings.add("local-base " + base.took().toSeconds() + "s");
    if (base.exit() == 3) {
      skip("the base images are not there and cannot be made here: " + base.err().strip());
    }
    base.ok();
    System.out.println(base.err());
    List<String> buildArgs = List.of(base.out().strip().split("\\s+"));

    long id = ProcessHandle.current().pid();
    image = "localhost/wsprobe-container-test:" + id;
    container = "wsprobe-container-test-" + id;
    // --layers=false, --force-rm: no intermediate image or container stays behind, even on a failure;
    // --format docker keeps the HEALTHCHECK
    List<String> build = new ArrayList<>(List.of("build", "--pull=never", "--layers=false", "--force-rm",
        "--format", "docker", "--network=host", "-f", Dockerfile.PATH, "--build-arg", "REVISION=container-test", "-t", image));
    build.addAll(buildArgs);
    // the build stage downloads from Maven Central: it trusts the CAs this machine's Java trusts
    // (where a proxy re-signs TLS, its CA is only there)
    if (Files.isRegularFile(HOST_TRUST_STORE)) {
      build.addAll(List.of("-v", HOST_TRUST_STORE + ":" + HOST_TRUST_STORE + ":ro"));
    }
    build.add(".");
    Podman.Run built = podman.podman(Duration.ofMinutes(20), build.toArray(String[]::new)).ok();
    timings.add("image build " + built.took().toSeconds() + "s");

    vertx = Vertx.vertx();
    HttpServer app = io.wsprobe.support.AppServer.start(vertx);
    Path goodDir = Files.createDirectories(dir.resolve("nginx-good"));
    Path brokenDir = Files.createDirectories(dir.resolve("nginx-broken"));
    good = Nginx.start(goodDir, Nginx.proxyWithUpgrade(app.actualPort()));
    broken = Nginx.start(brokenDir, Nginx.proxyWithoutUpgrade(app.actualPort()));
    Path config = dir.resolve("wsprobe.yml");
    Files.writeString(config, """
        global: { interval: 1s, timeout: 900ms }
        targets:
          - name: %s
            url: ws://127.0.0.1:%d/collab
          - name: %s
            url: ws://127.0.0.1:%d/collab
        """.formatted(GOOD, good.port(), BROKEN, broken.port()));
    // the file is read by user 10001 in the container
    config.toFile().setReadable(true, false);

    String mount = config + ":" + Dockerfile.read().configPath() + ":ro";
    // as deploy/kubernetes runs it: read-only root, a writable /tmp (an emptyDir there), no
    // capabilities, no privilege escalation
    podman.podman(Duration.ofMinutes(1), "run", "-d", "--name", container, "--network=host", "-v", mount,
        "--read-only", "--tmpfs", "/tmp:rw,exec,mode=1777", "--cap-drop=ALL", "--security-opt=no-new-privileges",
        image).ok();
  }

  static String inside(String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("exec", container));
    args.addAll(List.of(command));
    return podman.podman(Duration.ofSeconds(30), args.toArray(String[]::new)).ok().out();
  }

  static String await(String what, Duration limit, java.util.concurrent.Callable<String> read,
                      Predicate<String> done) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        last = read.call();
        if (done.test(last)) {
          return last;
        }
      } catch (AssertionError | Exception notYet) {
        last = notYet.toString();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("timed out waiting for " + what + "; last:\n" + last + "\nlogs:\n" + logs());
  }

  static String logs() throws Exception {
    Podman.Run r = podman.podman(Duration.ofSeconds(30), "logs", container);
    return r.out() + r.err();
  }

  static boolean has(String text, String regex) {
    return Pattern.compile(regex, Pattern.MULTILINE).matcher(text).find();
  }

  static final String SUCCESS = "^wsprobe_probe_success\\{[^}]*target=\"" + GOOD + "\"[^}]*} 1\\.0$";
  static final String IGNORED = "^wsprobe_probes_total\\{[^}]*result=\"upgrade_ignored\"[^}]*target=\"" + BROKEN
      + "\"[^}]*} [1-9]";

  @Test
  @Order(1)
  void itsMetricsShowASuccessThroughNginxAndUpgradeIgnoredWithoutTheUpgradeLines() throws Exception {
    String url = "http://127.0.0.1:" + RunningAgent.defaultPort() + "/metrics";
    String metrics = await("a success and an upgrade_ignored in the container's /metrics", Duration.ofSeconds(60),
        () -> inside("wget", "-q", "-O", "-", url), m -> has(m, SUCCESS) && has(m, IGNORED));
    assertThat(metrics).containsPattern(Pattern.compile(SUCCESS, Pattern.MULTILINE))
        .containsPattern(Pattern.compile(IGNORED, Pattern.MULTILINE))
        .containsPattern(Pattern.compile("^wsprobe_probe_success\\{[^}]*target=\"" + BROKEN + "\"[^}]*} 0\\.0$",
            Pattern.MULTILINE));
    metrics.lines().filter(l -> l.startsWith("wsprobe_probe_success{") || l.startsWith("wsprobe_probes_total{"))
        .forEach(l -> System.out.println("ContainerImageTest: from the container's /metrics: " + l));
    // Debian's glibc under the JRE: Netty's native transport loads
    assertThat(logs()).contains("transport=epoll");
  }

  @Test
  @Order(2)
  void theHealthCheckPasses() throws Exception {
    Podman.Run check = podman.podman(Duration.ofSeconds(30), "healthcheck", "run", container);
    assertThat(check.exit()).as("podman healthcheck run: %s%s", check.out(), check.err()).isZero();
    assertThat(podman.podman(Duration.ofSeconds(30), "inspect", "--format", "{{.HealthCheck.Test}}", image)
        .ok().out()).contains("/-/healthy");
  }

  @Test
  @Order(3)
  void theAgentRunsAsTheUnprivilegedUser() throws Exception {
    String status = inside("cat", "/proc/1/status");
    int uid = Dockerfile.read().uid();
    assertThat(status).containsPattern("(?m)^Uid:\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "$");
    assertThat(status).containsPattern("(?m)^CapEff:\\s+0+$");
  }

  @Test
  @Order(4)
  void sigtermStopsItPromptlyWithExitStatus0() throws Exception {
    Podman.Run stop = podman.podman(Duration.ofSeconds(60), "stop", "--time", "20", container).ok();
    timings.add("podman stop " + stop.took().toMillis() + "ms");
    String exit = podman.podman(Duration.ofSeconds(30), "inspect", "--format", "{{.State.ExitCode}}", container)
        .ok().out().strip();
    assertThat(exit).as("exit status; logs:\n%s", logs()).isEqualTo("0");
    assertThat(stop.took()).as("podman stop (SIGKILL after 20s)").isLessThan(Duration.ofSeconds(10));
    assertThat(logs()).doesNotContain("Exception");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (podman != null && container != null) {
      podman.podman(Duration.ofMinutes(1), "rm", "-f", container);
      podman.podman(Duration.ofMinutes(1), "rmi", "-f", image);
    }
    for (AutoCloseable c : new AutoCloseable[] {good, broken}) {
      if (c != null) {
        c.close();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
    if (!timings.isEmpty()) {
      System.out.println("ContainerImageTest: " + String.join(", ", timings));
    }
  }
}
