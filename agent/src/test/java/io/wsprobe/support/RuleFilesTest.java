package io.wsprobe.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rewrites the end-to-end suite applies to the shipped rule files. */
class RuleFilesTest {

  @Test
  void dividesWindowsAndForDurationsOnly() {
    String rule = """
        expr: increase(x[5m]) > 0 and rate(y[1h30m]) > 0 and z[10m:1m] and t - time() < 14 * 86400
        for: 2m
        description: in the last 5m, for: 2m
        """;
    assertThat(RuleFiles.scaleDurations(rule, 30, 1)).isEqualTo("""
        expr: increase(x[10s]) > 0 and rate(y[180s]) > 0 and z[20s:1m] and t - time() < 14 * 86400
        for: 4s
        description: in the last 5m, for: 2m
        """);
    assertThat(RuleFiles.scaleDurations("for: 15s\nexpr: rate(x[45s])\n", 30, 1))
        .isEqualTo("for: 1s\nexpr: rate(x[1500ms])\n");
  }

  @Test
  void theScaledShippedRulesAreStillValid(@TempDir Path dir) throws Exception {
    for (String f : new String[] {"wsprobe-rules.yml", "wsprobe-alerts.yml"}) {
      String scaled = RuleFiles.scaleDurations(Files.readString(Repo.file("alerts/" + f)), 30, 1);
      assertThat(scaled).doesNotContain("[5m]", "[10m]", "[30m]", "[1h]", "for: 2m", "for: 5m");
      Files.writeString(dir.resolve(f), scaled);
    }
    Promtool.Run r = Promtool.run(dir, "check", "rules", "wsprobe-rules.yml", "wsprobe-alerts.yml");
    assertThat(r.exit()).as(r.output()).isZero();
  }

  @Test
  void setsTheLocationQuorum() throws Exception {
    String rules = Files.readString(Repo.file("alerts/wsprobe-rules.yml"));
    assertThat(RuleFiles.withQuorum(rules, 3))
        .contains("expr: target:wsprobe_upgrade_failing_locations:count >= 3    # N")
        .doesNotContain("count >= 1");
    assertThatThrownBy(() -> RuleFiles.withQuorum("groups: []", 2)).hasMessageContaining("no quorum rule");
  }
}
