package io.wsprobe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.Target;
import io.wsprobe.demo.DemoServers;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import io.wsprobe.prober.WebSocketProber;
import io.wsprobe.support.Dockerfile;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.Repo;
import io.wsprobe.support.RunningAgent;
import io.wsprobe.support.Binaries;
import io.wsprobe.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/compose: valid for Compose, every mounted file in the repository, the services wired to
 * each other as the agent expects, and the demo's green and red targets really green and red
 * (the same nginx configurations and demo app, on loopback: no Docker engine runs here).
 */
class ComposeStackTest {

  static final String DIR = "deploy/compose";
  static final String FILE = DIR + "/docker-compose.yml";

  /** The stack as Compose resolves it (anchors merged, relative paths made absolute). */
  static Map<String, Object> stack;

  @BeforeAll
  static void resolve() throws Exception {
    Tools.Run r = Tools.run(Repo.file(DIR), Map.of(), Binaries.find("docker-compose", "docker-compose"),
        "-f", "docker-compose.yml", "config").ok("docker-compose config");
    stack = new Yaml().load(r.out());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  static Map<String, Object> service(String name) {
    Map<String, Object> s = map(map(stack.get("services")).get(name));
    assertThat(s).as("service %s in %s", name, FILE).isNotNull();
    return s;
  }

  /** A bind mount: where it comes from on the host and where it goes in the container. */
  record Mount(String service, Path source, String target) {}

  static List<Mount> mounts() {
    List<Mount> mounts = new ArrayList<>();
    map(stack.get("services")).forEach((name, s) -> {
      for (Object v : list(map(s).get("volumes"))) {
        if (v instanceof String text) {
          String[] parts = text.split(":");
          mounts.add(new Mount(name, Path.of(parts[0]), parts[1]));
        } else {
          Map<String, Object> m = map(v);
          mounts.add(new Mount(name, Path.of((String) m.get("source")), (String) m.get("target")));
        }
      }
    });
    return mounts;
  }

  static String mountSource(String service, String target) {
    return mounts().stream().filter(m -> m.service().equals(service) && m.target().equals(target))
        .map(m -> Repo.root().relativize(m.source()).toString()).findFirst()
        .orElseThrow(() -> new AssertionError(service + " mounts nothing at " + target));
  }

  @Test
  void composeFindsNothingToSay() throws Exception {
    Tools.Run r = Tools.run(Repo.file(DIR), Map.of(), Binaries.find("docker-compose", "docker-compose"),
        "-f", "docker-compose.yml", "config", "-q").ok("docker-compose config -q");
    assertThat(r.err() + r.out()).isEmpty();
  }

  @Test
  void everyMountedFileIsInTheRepository() {
    List<Mount> mounts = mounts();
    assertThat(mounts).hasSizeGreaterThanOrEqualTo(8);
    for (Mount m : mounts) {
      assertThat(m.source()).as("%s mounts %s", m.service(), m.source()).exists();
      assertThat(m.source().startsWith(Repo.root())).as("%s inside the repository", m.source()).isTrue();
    }
    for (String name : List.of("wsprobe", "demo-app")) {
      Map<String, Object> build = map(service(name).get("build"));
      Path context = Path.of((String) build.get("context"));
      assertThat(context).isEqualTo(Repo.root());
      assertThat(context.resolve((String) build.get("dockerfile"))).isEqualTo(Repo.file(Dockerfile.PATH));
    }
  }

  @Test
  void theServicesMeetWhereTheyExpectEachOther() throws Exception {
    String config = Dockerfile.read().configPath();
    assertThat(mountSource("wsprobe", config)).isEqualTo(DIR + "/wsprobe.yml");
    assertThat(list(service("wsprobe").get("command"))).contains("--config.file=" + config);
    assertThat(list(service("demo-app").get("command"))).startsWith("demo", "app");
    assertThat(mountSource("proxy", "/etc/nginx/templates/default.conf.template")).isEqualTo("deploy/proxy/nginx/docmost.conf");

    Map<String, Object> prometheus = new Yaml().load(Repo.read(DIR + "/prometheus.yml"));
    String scraped = String.valueOf(list(map(list(map(list(prometheus.get("scrape_configs")).get(0))
        .get("static_configs")).get(0)).get("targets")).get(0));
    assertThat(scraped).isEqualTo("wsprobe:" + RunningAgent.defaultPort());
    assertThat(list(prometheus.get("rule_files"))).containsExactly("/etc/prometheus/alerts/*.yml");
    assertThat(mountSource("prometheus", "/etc/prometheus/alerts")).isEqualTo("alerts");
    assertThat(mountSource("prometheus", "/etc/prometheus/prometheus.yml")).isEqualTo(DIR + "/prometheus.yml");

    Map<String, Object> providers = new Yaml().load(Repo.read(DIR + "/grafana/dashboards.yml"));
    String dashboards = (String) map(map(list(providers.get("providers")).get(0)).get("options")).get("path");
    assertThat(mountSource("grafana", dashboards)).isEqualTo("dashboards");
    Map<String, Object> sources = new Yaml().load(Repo.read(DIR + "/grafana/datasources.yml"));
    assertThat(map(list(sources.get("datasources")).get(0)).get("url")).isEqualTo("http://prometheus:9090");
  }

  /**
   * The stack's own wsprobe.yml against the same pieces on loopback: the demo app, nginx with the
   * recipe and nginx without the Upgrade lines. Service names become loopback addresses.
   */
  @Test
  void theDemoTargetsAreGreenExceptTheProxyWithoutUpgrade(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    DemoServers app = new DemoServers(vertx);
    int appPort = app.startApp("127.0.0.1", 0).await();
    String upstream = "127.0.0.1:" + appPort;
    String recipe = Repo.read("deploy/proxy/nginx/docmost.conf");
    String withoutUpgrade = Repo.read(DIR + "/nginx-without-upgrade.conf");
    try (Nginx good = Nginx.startHttp(Files.createDirectories(dir.resolve("good")), port ->
            Repo.fill(recipe, env("proxy", port, upstream)));
         Nginx bad = Nginx.startHttp(Files.createDirectories(dir.resolve("bad")), port ->
            Repo.fill(withoutUpgrade, env("proxy-without-upgrade", port, upstream)))) {
      Map<String, String> hosts = new LinkedHashMap<>();
      hosts.put("ws://proxy-without-upgrade:8080/", "ws://127.0.0.1:" + bad.port() + "/");
      hosts.put("ws://proxy:8080/", "ws://127.0.0.1:" + good.port() + "/");
      hosts.put("ws://demo-app:8080/", "ws://" + upstream + "/");
      String yaml = Repo.read(DIR + "/wsprobe.yml");
      for (var e : hosts.entrySet()) {
        yaml = yaml.replace(e.getKey(), e.getValue());
      }
      assertThat(yaml).doesNotContainPattern("ws://[a-z-]+:8080");
      Config config = ConfigLoader.parse(yaml, "wsprobe.yml", dir, n -> null);
      assertThat(config.targets()).hasSizeGreaterThanOrEqualTo(4);
      WebSocketProber prober = new WebSocketProber(vertx);
      for (Target t : config.targets()) {
        ProbeResult r = prober.probe(t, config.moduleOf(t)).await();
        Result expected = t.name().endsWith("-without-upgrade") ? Result.UPGRADE_IGNORED : Result.SUCCESS;
        assertThat(r.result()).as(t.name() + "\n" + r.trace().render()).isEqualTo(expected);
      }
    } finally {
      vertx.close().await();
    }
  }

  /** What the nginx image fills in from the service's environment, with the port nginx gets here. */
  static Map<String, String> env(String service, int port, String upstream) {
    Map<String, Object> environment = map(service(service).get("environment"));
    Map<String, String> values = new LinkedHashMap<>();
    environment.forEach((k, v) -> values.put(k, String.valueOf(v)));
    assertThat(values).containsKeys("LISTEN", "UPSTREAM");
    assertThat(values.get("UPSTREAM")).isEqualTo("demo-app:8080");
    values.put("LISTEN", "127.0.0.1:" + port);
    values.put("UPSTREAM", upstream);
    return values;
  }
}
