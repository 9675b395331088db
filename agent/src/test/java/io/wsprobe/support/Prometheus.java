package io.wsprobe.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus (the Debian package) on a loopback port, with its own data directory, the
 * configuration the test writes and the rule files it passes. Fails, never skips, when it is
 * missing: scripts/test installs it.
 */
public final class Prometheus implements AutoCloseable {

  private final HttpClient http = HttpClient.newHttpClient();
  private final ServerProcess process;

  private Prometheus(ServerProcess process) {
    this.process = process;
  }

  /**
   * @param config    prometheus.yml; {@code rule_files} may name the files of {@code ruleFiles}
   * @param ruleFiles file name → content, written next to prometheus.yml
   */
  public static Prometheus start(Path dir, String config, Map<String, String> ruleFiles) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("prometheus.yml"), config);
    for (Map.Entry<String, String> f : ruleFiles.entrySet()) {
      Files.writeString(dir.resolve(f.getKey()), f.getValue());
    }
    int port = Nginx.freePort();
    return new Prometheus(ServerProcess.start("prometheus", List.of(Binaries.prometheus(),
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--web.console.templates=" + dir.resolve("consoles"),
        "--web.console.libraries=" + dir.resolve("console_libraries"),
        "--log.level=warn"), dir, port, "/-/ready"));
  }

  public int port() {
    return process.port;
  }

  /** GET /api/v1/{path}?params; the whole JSON answer, whatever its status. */
  public JsonObject api(String path, Map<String, String> params) throws Exception {
    StringBuilder q = new StringBuilder();
    params.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port() + "/api/v1/" + path + q)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body());
  }

  /** An instant query now: the answer's {@code data.result}, or an AssertionError with Prometheus' error. */
  public JsonArray query(String promql) throws Exception {
    JsonObject answer = api("query", Map.of("query", promql));
    if (!"success".equals(answer.getString("status"))) {
      throw new AssertionError("query failed: " + promql + "\n" + answer.encodePrettily());
    }
    return answer.getJsonObject("data").getJsonArray("result");
  }

  public String output() {
    return process.output();
  }

  @Override
  public void close() throws Exception {
    process.close();
  }
}
