package io.wsprobe.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsprobe.support.Dashboards;
import io.wsprobe.support.Dashboards.Panel;
import io.wsprobe.support.MetricsContract;
import io.wsprobe.support.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The structure of the Grafana dashboards: stable uids, every query through the datasource
 * variable and the location/module/target variables, rates over {@code $__rate_interval}, and
 * only metrics of docs/metrics.md. (AlertingEndToEndTest runs their queries on a real Prometheus.)
 */
class DashboardsTest {

  /** Links and bookmarks depend on these: change them only with the links. */
  static final Set<String> UIDS = Set.of("wsprobe-overview", "wsprobe-target");
  static final String DATASOURCE = "${datasource}";

  /** Per-agent series: they have no location, module or target label. */
  static final Pattern AGENT_METRIC = Pattern.compile(
      "wsprobe_(build_info|config_.*|scheduler_lag_seconds.*|probes_in_flight|targets)");
  static final Pattern SELECTOR = Pattern.compile("(?<![:\\w])(wsprobe_[a-z_]+)(\\{[^}]*\\})?");
  static final Pattern RANGE = Pattern.compile("\\[([^\\]]*)\\]");

  static List<JsonObject> dashboards = new ArrayList<>();

  @BeforeAll
  static void load() throws Exception {
    for (Path f : Dashboards.files()) {
      dashboards.add(Dashboards.load(f));
    }
  }

  static List<Panel> queryPanels(JsonObject d) {
    return Dashboards.panels(d).stream().filter(p -> !p.targets().isEmpty()).toList();
  }

  @Test
  void uidsAreTheStableOnesAndUnique() {
    List<String> uids = dashboards.stream().map(d -> d.getString("uid")).toList();
    assertThat(uids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(UIDS);
    for (JsonObject d : dashboards) {
      assertThat(d.getString("title")).startsWith("wsprobe / ");
      assertThat(d.getJsonArray("tags").getList()).contains("wsprobe");
    }
  }

  @Test
  void haveTheDatasourceAndFilterVariables() {
    for (JsonObject d : dashboards) {
      Map<String, JsonObject> vars = new java.util.HashMap<>();
      d.getJsonObject("templating").getJsonArray("list").forEach(v -> vars.put(((JsonObject) v).getString("name"), (JsonObject) v));
      assertThat(vars).as(d.getString("uid")).containsKeys("datasource", "location", "module", "target");
      assertThat(vars.get("datasource").getString("type")).isEqualTo("datasource");
      assertThat(vars.get("datasource").getString("query")).isEqualTo("prometheus");
      vars.values().stream().filter(v -> "query".equals(v.getString("type"))).forEach(v ->
          assertThat(v.getJsonObject("datasource").getString("uid")).as(v.getString("name")).isEqualTo(DATASOURCE));
    }
  }

  @Test
  void everyPanelQueriesThroughTheDatasourceVariable() {
    for (JsonObject d : dashboards) {
      for (Panel p : Dashboards.panels(d)) {
        if (p.type().equals("row") || p.type().equals("text")) {
          assertThat(p.targets()).as(p.toString()).isEmpty();
          continue;
        }
        assertThat(p.targets()).as(p + " has queries").isNotEmpty();
        assertThat(p.json().getJsonObject("datasource").getString("uid")).as(p.toString()).isEqualTo(DATASOURCE);
        for (JsonObject t : p.targets()) {
          assertThat(t.getJsonObject("datasource").getString("uid")).as(p + " " + t.getString("refId")).isEqualTo(DATASOURCE);
          assertThat(t.getString("expr")).as(p + " " + t.getString("refId")).isNotBlank();
        }
      }
    }
  }

  /** Anywhere in the JSON: a datasource is the variable, never a uid of some Grafana instance. */
  @Test
  void noHardCodedDatasource() {
    List<String> found = new ArrayList<>();
    for (JsonObject d : dashboards) {
      walk(d, d.getString("uid"), found);
    }
    assertThat(found).isEmpty();
  }

  private static void walk(Object node, String path, List<String> found) {
    if (node instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        Object v = o.getValue(k);
        if (k.equals("datasource")) {
          boolean ok = v instanceof JsonObject ds && DATASOURCE.equals(ds.getString("uid"))
              && "prometheus".equals(ds.getString("type"));
          if (!ok) {
            found.add(path + "." + k + " = " + v);
          }
        } else {
          walk(v, path + "." + k, found);
        }
      }
    } else if (node instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        walk(a.getValue(i), path + "[" + i + "]", found);
      }
    }
  }

  @Test
  void everyRangeIsTheRateInterval() {
    for (JsonObject d : dashboards) {
      for (Panel p : queryPanels(d)) {
        for (JsonObject t : p.targets()) {
          Matcher m = RANGE.matcher(t.getString("expr"));
          while (m.find()) {
            assertThat(m.group(1)).as(p + ": " + t.getString("expr")).isEqualTo("$__rate_interval");
          }
        }
      }
    }
  }

  @Test
  void everyPerTargetSelectorHonoursTheVariables() {
    for (JsonObject d : dashboards) {
      for (Panel p : queryPanels(d)) {
        for (JsonObject t : p.targets()) {
          Matcher m = SELECTOR.matcher(t.getString("expr"));
          while (m.find()) {
            String name = m.group(1);
            String selector = m.group(2) == null ? "" : m.group(2);
            if (AGENT_METRIC.matcher(name).matches()) {
              assertThat(selector).as(p + ": " + name).contains("job=\"wsprobe\"");
            } else {
              assertThat(selector).as(p + ": " + name)
                  .contains("location=~\"$location\"", "module=~\"$module\"", "target=~\"$target\"");
            }
          }
        }
      }
    }
  }

  @Test
  void onlyMetricsOfTheContract() throws Exception {
    Set<String> used = new TreeSet<>();
    for (JsonObject d : dashboards) {
      for (Panel p : queryPanels(d)) {
        p.targets().forEach(t -> used.addAll(MetricsContract.used(t.getString("expr"))));
      }
    }
    assertThat(used).contains("wsprobe_probes_total", "wsprobe_broadcast_delay_seconds");
    assertThat(MetricsContract.documented()).containsAll(used);
  }

  @Test
  void panelsHaveUniqueIdsTitlesAndADescription() {
    for (JsonObject d : dashboards) {
      Set<Integer> ids = new HashSet<>();
      Set<String> titles = new HashSet<>();
      for (Panel p : Dashboards.panels(d)) {
        assertThat(ids.add(p.json().getInteger("id"))).as(p + " id").isTrue();
        assertThat(titles.add(p.title())).as(p + " title").isTrue();
        assertThat(p.json().getJsonObject("gridPos")).as(p.toString()).isNotNull();
        if (!p.type().equals("row")) {
          assertThat(p.json().getString("description")).as(p + " description").isNotBlank();
        }
      }
    }
  }

  @Test
  void linksPointAtShippedDashboards() {
    Pattern link = Pattern.compile("/d/([a-z0-9-]+)/");
    for (JsonObject d : dashboards) {
      Matcher m = link.matcher(d.encode());
      int n = 0;
      while (m.find()) {
        assertThat(UIDS).as(d.getString("uid") + " links to " + m.group()).contains(m.group(1));
        n++;
      }
      assertThat(n).as(d.getString("uid") + " links to the other dashboard").isPositive();
    }
  }

  @Test
  void theTargetDashboardLinksToTheAgentsTrace() {
    JsonObject d = dashboards.stream().filter(x -> x.getString("uid").equals("wsprobe-target")).findFirst().orElseThrow();
    Panel text = Dashboards.panels(d).stream().filter(p -> p.type().equals("text")).findFirst().orElseThrow();
    assertThat(text.json().getJsonObject("options").getString("content"))
        .contains("http://$agent/probe?target=$target", "http://$agent/", "./wsprobe probe");
  }

  @Test
  @SuppressWarnings("unchecked")
  void provisioningLoadsThemWithAPrometheusDatasource() throws Exception {
    Map<String, Object> ds = new Yaml().load(Files.readString(Repo.file("deploy/grafana/provisioning/datasources/wsprobe.yml")));
    List<Map<String, Object>> sources = (List<Map<String, Object>>) ds.get("datasources");
    assertThat(sources).anySatisfy(s -> assertThat(s).containsEntry("type", "prometheus"));
    Map<String, Object> db = new Yaml().load(Files.readString(Repo.file("deploy/grafana/provisioning/dashboards/wsprobe.yml")));
    List<Map<String, Object>> providers = (List<Map<String, Object>>) db.get("providers");
    assertThat(providers).singleElement().satisfies(p -> {
      assertThat(p).containsEntry("type", "file");
      assertThat((Map<String, Object>) p.get("options")).containsKey("path");
    });
  }
}
