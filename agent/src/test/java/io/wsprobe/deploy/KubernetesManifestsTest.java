package io.wsprobe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.openshift.api.model.monitoring.v1.Probe;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.config.ProbeAllow;
import io.wsprobe.config.TargetFileSet;
import io.wsprobe.config.TargetFiles;
import io.wsprobe.scheduler.Shard;
import io.wsprobe.support.Dockerfile;
import io.wsprobe.support.Repo;
import io.wsprobe.support.RunningAgent;
import io.wsprobe.support.Binaries;
import io.wsprobe.support.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes: every overlay renders with kubectl's kustomize into typed Kubernetes
 * objects (fabric8's model, the Prometheus Operator's kinds included) that agree with the agent,
 * the image and each other; the PrometheusRule and dashboard ConfigMaps are what
 * deploy/kubernetes/generate makes of alerts/ and dashboards/, whatever files are there.
 */
class KubernetesManifestsTest {

  static final String DIR = "deploy/kubernetes";
  static final String GENERATED = DIR + "/base/generated";
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  static final ObjectMapper JSON = new ObjectMapper();

  static String kubectl;

  @BeforeAll
  static void findKubectl() throws Exception {
    kubectl = Binaries.find("kubectl (or kubernetes-client)", "kubectl");
    Tools.Run version = Tools.run(Repo.root(), Map.of(), kubectl, "version", "--client").ok("kubectl version");
    Matcher m = Pattern.compile("Kustomize Version: v(\\d+)").matcher(version.out());
    assertThat(m.find() && Integer.parseInt(m.group(1)) >= 5)
        .as("kubectl %s must embed kustomize v5 or later (kubectl 1.27+): the manifests use"
            + " directory resources and labels.includeTemplates", version.out().strip()).isTrue();
  }

  /** {@code kubectl kustomize dir}, parsed; kustomize must not warn either. */
  static List<HasMetadata> render(Path dir) throws Exception {
    Tools.Run r = Tools.run(dir, Map.of(), kubectl, "kustomize", dir.toString()).ok("kubectl kustomize " + dir);
    assertThat(r.err()).as("kustomize's warnings for %s", dir).isEmpty();
    return parse(r.out());
  }

  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> !l.isBlank() && !l.strip().startsWith("#"))) {
        objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
      }
    }
    return objects;
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    assertThat(found).as("objects of type %s", type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  static List<Path> overlays() throws IOException {
    try (Stream<Path> dirs = Files.list(Repo.file(DIR + "/overlays"))) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml"))).sorted().toList();
    }
  }

  static Tools.Run generate(Path alerts, Path dashboards, Path out) throws Exception {
    return Tools.run(Repo.root(), Map.of(), Repo.file(DIR + "/generate").toString(),
        "--alerts", alerts.toString(), "--dashboards", dashboards.toString(), "--out", out.toString())
        .ok("deploy/kubernetes/generate");
  }

  // --- what the tests compare: rule groups and dashboards as plain data ----------------------

  /** The groups of every rule file in {@code dir}, in file-name order, scalars as strings. */
  static List<Object> ruleGroups(Path dir) throws IOException {
    List<Object> groups = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList()) {
        Map<String, Object> doc = new Yaml().load(Files.readString(f));
        Object g = doc == null ? null : doc.get("groups");
        if (g != null) {
          groups.addAll((List<?>) plain(g));
        }
      }
    }
    return groups;
  }

  /** The PrometheusRule's groups as the same plain data, through the typed model. */
  @SuppressWarnings("unchecked")
  static List<Object> ruleGroups(PrometheusRule rule) {
    Object groups = new Yaml().load(SERIALIZATION.asJson(rule.getSpec().getGroups()));
    return groups == null ? List.of() : (List<Object>) plain(groups);
  }

  /** Maps sorted, nulls and empty collections dropped, every scalar a string. */
  static Object plain(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      m.forEach((k, v) -> {
        Object p = plain(v);
        if (p != null && !(p instanceof Map<?, ?> pm && pm.isEmpty()) && !(p instanceof List<?> pl && pl.isEmpty())) {
          out.put(String.valueOf(k), p);
        }
      });
      return out;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(KubernetesManifestsTest::plain).toList();
    }
    return o == null ? null : String.valueOf(o);
  }

  /** Dashboard file name → its JSON, for every dashboard in {@code dir}. */
  static Map<String, JsonNode> dashboards(Path dir) throws IOException {
    Map<String, JsonNode> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        out.put(f.getFileName().toString(), JSON.readTree(f.toFile()));
      }
    }
    return out;
  }

  /** The same, from the ConfigMaps labelled for Grafana's dashboard sidecar. */
  static Map<String, JsonNode> dashboards(List<HasMetadata> objects) throws IOException {
    Map<String, JsonNode> out = new TreeMap<>();
    for (ConfigMap cm : all(objects, ConfigMap.class)) {
      Map<String, String> labels = cm.getMetadata().getLabels();
      if (labels != null && "1".equals(labels.get("grafana_dashboard"))) {
        assertThat(cm.getMetadata().getName()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(253);
        for (var e : cm.getData().entrySet()) {
          out.put(e.getKey(), JSON.readTree(e.getValue()));
        }
      }
    }
    return out;
  }

  // --- the tests ------------------------------------------------------------------------------

  @Test
  void theCommittedGeneratedFilesAreWhatTheGeneratorMakesOfTheRepository(@TempDir Path out) throws Exception {
    generate(Repo.file("alerts"), Repo.file("dashboards"), out);
    Set<String> names = new HashSet<>();
    try (Stream<Path> files = Files.list(out)) {
      files.forEach(f -> names.add(f.getFileName().toString()));
    }
    Set<String> committed = new HashSet<>();
    try (Stream<Path> files = Files.list(Repo.file(GENERATED))) {
      files.forEach(f -> committed.add(f.getFileName().toString()));
    }
    String hint = "run deploy/kubernetes/generate and commit " + GENERATED;
    assertThat(committed).as(hint).isEqualTo(names);
    for (String name : names) {
      assertThat(Files.readString(Repo.file(GENERATED + "/" + name))).as(name + ": " + hint)
          .isEqualTo(Files.readString(out.resolve(name)));
    }
  }

  /**
   * Stand-ins for the repository's rule files and dashboards (two indentation styles, comments, a
   * block scalar, a JSON with tabs and leading blank space) through the generator and kustomize.
   */
  @Test
  void theGeneratorCarriesEveryRuleGroupAndDashboardThroughKustomize(@TempDir Path tmp) throws Exception {
    Path alerts = Files.createDirectories(tmp.resolve("alerts"));
    Path dashboards = Files.createDirectories(tmp.resolve("dashboards"));
    Files.writeString(alerts.resolve("wsprobe-targets.yml"), """
        # targets
        groups:
        - name: wsprobe-targets
          rules:
          - alert: WsprobeUpgradeIgnored
            expr: |
              wsprobe_upgrade_status_code != 101
                and wsprobe_upgrade_status_code > 0
            for: 5m
            labels:
              severity: critical
            annotations:
              summary: A proxy does not forward the WebSocket upgrade.
              description: '{{ $labels.target }} answered HTTP {{ $value }} instead of 101.'
              runbook_url: https://example.com/runbook.md#wsprobeupgradeignored
        """);
    Files.writeString(alerts.resolve("agent.yaml"), """
        ---
        groups:
            - name: wsprobe-agent   # the agent itself
              rules:
                  - alert: WsprobeDown
                    expr: absent(up{job="wsprobe"} == 1)
                    for: 10m
                    labels: { severity: critical }
                    annotations: { summary: wsprobe is down. }
            - name: wsprobe-recording
              interval: 1m
              rules:
                  - record: wsprobe:probe_success:avg_location
                    expr: avg by (target, location) (wsprobe_probe_success)
        """);
    Files.writeString(alerts.resolve("README.md"), "not a rule file\n");
    Files.writeString(dashboards.resolve("wsprobe-overview.json"),
        "\n  {\n\t\"uid\": \"wsprobe-overview\",\n  \"title\": \"wsprobe: overview\",\n  \"tags\": [\"wsprobe\"],\n"
            + "  \"panels\": [{\"type\": \"stat\", \"targets\": [{\"expr\": \"sum(wsprobe_probe_success)\"}]}]\n}\n");
    Files.writeString(dashboards.resolve("Locations.json"), "{\"uid\": \"wsprobe-locations\", \"title\": \"Locations\"}");

    // a copy of deploy/kubernetes whose generated files come from the stand-ins
    Path copy = tmp.resolve("kubernetes");
    copyTree(Repo.file(DIR), copy);
    generate(alerts, dashboards, copy.resolve("base/generated"));

    List<Object> expected = ruleGroups(alerts);
    assertThat(expected).hasSize(3);
    for (Path overlay : List.of(copy.resolve("base"), copy.resolve("overlays/eu-west"))) {
      List<HasMetadata> objects = render(overlay);
      assertThat(ruleGroups(one(objects, PrometheusRule.class))).as("groups in %s", overlay).isEqualTo(expected);
      assertThat(dashboards(objects)).as("dashboards in %s", overlay).isEqualTo(dashboards(dashboards))
          .containsOnlyKeys("wsprobe-overview.json", "Locations.json");
      assertThat(all(objects, ConfigMap.class)).extracting(c -> c.getMetadata().getName())
          .contains("wsprobe-dashboard-overview", "wsprobe-dashboard-locations");
    }
  }

  @Test
  void aRuleFileWithAnotherTopLevelKeyIsRefused(@TempDir Path tmp) throws Exception {
    Path alerts = Files.createDirectories(tmp.resolve("alerts"));
    Files.writeString(alerts.resolve("bad.yml"), "groups: []\nrules: []\n");
    Tools.Run r = Tools.run(Repo.root(), Map.of(), Repo.file(DIR + "/generate").toString(),
        "--alerts", alerts.toString(), "--dashboards", tmp.toString(), "--out", tmp.resolve("out").toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("alerts/bad.yml:2: expected \"groups:\" as the only top-level key");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void everyOverlayRendersIntoTypedObjectsThatAgreeWithTheRepository() throws Exception {
    List<Path> overlays = overlays();
    assertThat(overlays).extracting(p -> p.getFileName().toString()).contains("eu-west", "us-east");
    List<Object> rules = ruleGroups(Repo.file("alerts"));
    Map<String, JsonNode> dashboards = dashboards(Repo.file("dashboards"));
    Set<String> locations = new HashSet<>();
    for (Path overlay : overlays) {
      String where = Repo.root().relativize(overlay).toString();
      List<HasMetadata> objects = render(overlay);
      assertThat(objects).as("untyped objects in %s", where)
          .noneMatch(o -> o instanceof GenericKubernetesResource);

      StatefulSet sts = one(objects, StatefulSet.class);
      Service service = one(objects, Service.class);
      ServiceMonitor monitor = one(objects, ServiceMonitor.class);
      PrometheusRule rule = one(objects, PrometheusRule.class);
      assertThat(ruleGroups(rule)).as("PrometheusRule groups in %s", where).isEqualTo(rules);
      assertThat(dashboards(objects)).as("dashboards in %s", where).isEqualTo(dashboards);

      var pod = sts.getSpec().getTemplate();
      Container c = pod.getSpec().getContainers().get(0);
      List<String> args = c.getArgs();

      // shards: as many as replicas, each pod's ordinal its shard
      Matcher shard = Pattern.compile("--shard=auto/(\\d+)").matcher(String.join(" ", args));
      assertThat(shard.find()).as("--shard=auto/N in %s", where).isTrue();
      assertThat(Integer.parseInt(shard.group(1))).as("shards vs replicas in %s", where)
          .isEqualTo(sts.getSpec().getReplicas());
      assertThat(Shard.parse("auto/" + shard.group(1), () -> sts.getMetadata().getName() + "-0"))
          .isEqualTo(new Shard(0, sts.getSpec().getReplicas()));

      // the configuration: mounted where the agent reads it, valid, and naming the pods' location
      String configPath = Dockerfile.read().configPath();
      assertThat(args).contains("--config.file=" + configPath);
      VolumeMount mount = c.getVolumeMounts().stream().filter(m -> configPath.startsWith(m.getMountPath() + "/"))
          .findFirst().orElseThrow(() -> new AssertionError("nothing mounted at " + configPath + " in " + where));
      Volume volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
      ConfigMap config = all(objects, ConfigMap.class).stream()
          .filter(cm -> cm.getMetadata().getName().equals(volume.getConfigMap().getName())).findFirst()
          .orElseThrow(() -> new AssertionError("no ConfigMap " + volume.getConfigMap().getName() + " in " + where));
      String key = configPath.substring(mount.getMountPath().length() + 1);
      assertThat(config.getData()).containsKey(key);
      Config parsed = ConfigLoader.parse(config.getData().get(key), key, Path.of("."), n -> null);
      String location = parsed.global().labels().get("location");
      assertThat(location).as("global.labels.location in %s", where).isNotBlank();
      assertThat(pod.getMetadata().getLabels()).as("pod labels in %s", where).containsEntry("location", location);
      assertThat(locations.add(location)).as("location %s used by two overlays", location).isTrue();
      targetFilesAreMounted(parsed, pod.getSpec(), c, objects, where);

      // the image's user, port and endpoints
      assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo((long) Dockerfile.read().uid());
      assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
      var port = c.getPorts().get(0);
      assertThat(port.getContainerPort()).isEqualTo(RunningAgent.defaultPort());
      try (RunningAgent agent = new RunningAgent()) {
        assertThat(agent.get(c.getLivenessProbe().getHttpGet().getPath())).isEqualTo(200);
        assertThat(agent.get(c.getReadinessProbe().getHttpGet().getPath())).isEqualTo(200);
      }

      // Service → pods, ServiceMonitor → Service and its port
      assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
      assertThat(sts.getSpec().getServiceName()).isEqualTo(service.getMetadata().getName());
      assertThat(service.getSpec().getPorts()).extracting(p -> p.getName()).contains(port.getName());
      assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
      assertThat(monitor.getSpec().getEndpoints()).extracting(e -> e.getPort()).containsExactly(port.getName());
      assertThat(monitor.getSpec().getEndpoints().get(0).getPath()).isEqualTo("/metrics");

      // Probe → the Service's port, /probe, a module of the configuration, URLs it allows
      Probe probe = one(objects, Probe.class);
      assertThat(probe.getSpec().getProber().getUrl())
          .isEqualTo(service.getMetadata().getName() + ":" + service.getSpec().getPorts().get(0).getPort());
      assertThat(probe.getSpec().getProber().getPath()).isEqualTo("/probe");
      assertThat(parsed.modules()).as("modules in %s", where).containsKey(probe.getSpec().getModule());
      assertThat(probe.getSpec().getTargets().getStaticConfig().getStatic()).isNotEmpty()
          .allSatisfy(url -> assertThat(parsed.probeAllow().refusal(ProbeAllow.url(url)))
              .as("web.probe_allow of %s for %s", where, url).isNull());
    }
  }

  /**
   * Every directory of {@code target_files} is a ConfigMap's mount, that ConfigMap keeps its name
   * (a hash suffix would roll the pods instead of updating the file) and its files are good.
   */
  static void targetFilesAreMounted(Config parsed, io.fabric8.kubernetes.api.model.PodSpec pod, Container c,
                                    List<HasMetadata> objects, String where) throws Exception {
    assertThat(parsed.targetFiles().patterns()).as("target_files in %s", where).isNotEmpty();
    for (Path dir : parsed.targetFiles().directories()) {
      VolumeMount mount = c.getVolumeMounts().stream().filter(m -> Path.of(m.getMountPath()).equals(dir))
          .findFirst().orElseThrow(() -> new AssertionError("nothing mounted at " + dir + " in " + where));
      String name = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
          .orElseThrow().getConfigMap().getName();
      assertThat(name).as("ConfigMap name in %s", where).isEqualTo("wsprobe-targets");
      ConfigMap targets = all(objects, ConfigMap.class).stream().filter(cm -> cm.getMetadata().getName().equals(name))
          .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + name + " in " + where));
      Path copy = Files.createTempDirectory("targets");
      try {
        for (var file : targets.getData().entrySet()) {
          Files.writeString(copy.resolve(file.getKey()), file.getValue());
        }
        List<String> rebased = parsed.targetFiles().patterns().stream()
            .map(p -> copy.resolve(Path.of(p).getFileName()).toString()).toList();
        var found = new TargetFileSet().read(new Config(parsed.source(), parsed.global(), parsed.modules(),
            parsed.targets(), new TargetFiles(rebased, copy)));
        assertThat(found.files()).as("target files in %s", where).isNotEmpty()
            .allSatisfy(f -> assertThat(f.ok()).as(f.message()).isTrue());
      } finally {
        try (Stream<Path> files = Files.list(copy)) {
          for (Path f : files.toList()) {
            Files.delete(f);
          }
        }
        Files.delete(copy);
      }
    }
  }

  @Test
  void theBaseRendersToo() throws Exception {
    List<HasMetadata> objects = render(Repo.file(DIR + "/base"));
    Map<String, Integer> kinds = new LinkedHashMap<>();
    objects.forEach(o -> kinds.merge(o.getKind(), 1, Integer::sum));
    assertThat(kinds).containsKeys("StatefulSet", "Service", "ServiceMonitor", "Probe", "PrometheusRule", "ConfigMap");
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }
}
