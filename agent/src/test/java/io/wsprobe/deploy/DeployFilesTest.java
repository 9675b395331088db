package io.wsprobe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.support.Binaries;
import io.wsprobe.support.Promtool;
import io.wsprobe.support.Repo;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The example Prometheus and Alertmanager configurations of deploy/ are valid for the real tools. */
class DeployFilesTest {

  @Test
  void prometheusConfigIsValidAndLoadsTheRuleFiles() throws Exception {
    Promtool.Run r = Promtool.run(Repo.file("deploy/prometheus"), "check", "config", "prometheus.yml");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("wsprobe-rules.yml", "wsprobe-alerts.yml");
  }

  @Test
  void alertmanagerConfigIsValid() throws Exception {
    Process p = new ProcessBuilder(Binaries.amtool(), "check-config",
        "alertmanager.yml").directory(Repo.file("deploy/alertmanager").toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS", "1 inhibit rules");
  }
}
