package io.wsprobe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.support.Dockerfile;
import io.wsprobe.support.Repo;
import io.wsprobe.support.RunningAgent;
import io.wsprobe.support.Binaries;
import io.wsprobe.support.Tools;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** deploy/systemd/wsprobe.service: valid for systemd, hardened, and pointing where the docs say. */
class SystemdUnitTest {

  static final String UNIT = "deploy/systemd/wsprobe.service";

  /** The [Service] section's keys and values (a repeated key keeps its last value). */
  static Map<String, String> service() throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    String section = "";
    for (String line : Repo.read(UNIT).lines().toList()) {
      String l = line.strip();
      if (l.startsWith("[")) {
        section = l;
      } else if (section.equals("[Service]") && !l.isEmpty() && !l.startsWith("#")) {
        int eq = l.indexOf('=');
        keys.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    return keys;
  }

  @Test
  void systemdAnalyzeVerifyFindsNothingToSay() throws Exception {
    String analyze = Binaries.find("systemd", "systemd-analyze");
    Tools.Run r = Tools.run(Repo.root(), Map.of(), analyze, "verify", Repo.file(UNIT).toString());
    assertThat(r.exit()).as(r.err() + r.out()).isZero();
    assertThat(r.err() + r.out()).as("warnings of systemd-analyze verify").isEmpty();
  }

  @Test
  void isHardened() throws Exception {
    Map<String, String> s = service();
    assertThat(s).containsEntry("DynamicUser", "yes").containsEntry("NoNewPrivileges", "yes")
        .containsEntry("ProtectSystem", "strict").containsEntry("CapabilityBoundingSet", "")
        .containsEntry("AmbientCapabilities", "").containsEntry("ProtectHome", "yes")
        .containsEntry("PrivateTmp", "yes").containsEntry("PrivateDevices", "yes")
        .containsEntry("RestrictSUIDSGID", "yes").containsEntry("SystemCallArchitectures", "native");
    assertThat(s.get("RestrictAddressFamilies").split(" ")).containsExactlyInAnyOrder("AF_INET", "AF_INET6", "AF_UNIX");
    assertThat(s).as("the JIT needs W+X memory").doesNotContainKey("MemoryDenyWriteExecute");
  }

  @Test
  void reloadsWithSighup() throws Exception {
    assertThat(service()).containsEntry("ExecReload", "/bin/kill -HUP $MAINPID");
  }

  @Test
  void runsTheJarWithTheDocumentedConfigAndPort() throws Exception {
    List<String> exec = List.of(service().get("ExecStart").split("\\s+"));
    assertThat(exec.get(0)).isEqualTo("/usr/bin/java");
    assertThat(exec).containsSubsequence("-jar", "/opt/wsprobe/wsprobe.jar")
        .contains("--config.file=" + Dockerfile.read().configPath())
        .contains("--web.listen-address=:" + RunningAgent.defaultPort());
    assertThat(Repo.read(UNIT)).contains("install -D -m 0644 agent/target/wsprobe.jar /opt/wsprobe/wsprobe.jar");
  }

  /** The class-data archive the install lines make is the one the unit maps, quietly (it may be missing or stale). */
  @Test
  void mapsTheClassDataArchiveTheInstallLinesMake() throws Exception {
    List<String> exec = List.of(service().get("ExecStart").split("\\s+"));
    List<String> jvm = exec.subList(0, exec.indexOf("-jar"));
    assertThat(jvm).contains("-XX:SharedArchiveFile=/opt/wsprobe/wsprobe.jsa", "-Xshare:auto", "-Xlog:cds=off",
        "-Xlog:cds+dynamic=off");
    assertThat(Repo.read(UNIT))
        .contains("java -XX:ArchiveClassesAtExit=/opt/wsprobe/wsprobe.jsa -jar /opt/wsprobe/wsprobe.jar cds-training");
  }
}
