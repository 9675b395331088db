package io.wsprobe.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The Grafana dashboards of dashboards/: their panels and each panel's PromQL. */
public final class Dashboards {

  /** One panel, rows' nested panels included. */
  public record Panel(String dashboard, JsonObject json) {
    public String title() {
      return json.getString("title");
    }

    public String type() {
      return json.getString("type");
    }

    public List<JsonObject> targets() {
      List<JsonObject> out = new ArrayList<>();
      JsonArray t = json.getJsonArray("targets");
      if (t != null) {
        t.forEach(o -> out.add((JsonObject) o));
      }
      return out;
    }

    @Override
    public String toString() {
      return dashboard + " / " + title();
    }
  }

  private Dashboards() {}

  public static List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(Repo.file("dashboards"))) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  public static JsonObject load(Path file) throws IOException {
    return new JsonObject(Files.readString(file));
  }

  public static List<Panel> panels(JsonObject dashboard) {
    List<Panel> out = new ArrayList<>();
    collect(dashboard.getString("uid"), dashboard.getJsonArray("panels"), out);
    return out;
  }

  private static void collect(String uid, JsonArray panels, List<Panel> out) {
    if (panels == null) {
      return;
    }
    for (Object o : panels) {
      JsonObject p = (JsonObject) o;
      out.add(new Panel(uid, p));
      collect(uid, p.getJsonArray("panels"), out);
    }
  }

  /**
   * The expression as Grafana would send it with every variable at "All" ({@code .*}) and
   * {@code $__rate_interval} at {@code rateInterval}.
   */
  public static String substitute(String expr, String rateInterval) {
    return expr.replace("$__rate_interval", rateInterval)
        .replaceAll("\\$\\{?(location|module|target|agent)\\}?", ".*");
  }
}
