package io.wsprobe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.support.Dockerfile;
import io.wsprobe.support.Dockerfile.Instruction;
import io.wsprobe.support.Repo;
import io.wsprobe.support.RunningAgent;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker/Dockerfile against the repository and the agent: what can drift from the code.
 * {@link ContainerImageTest} builds and runs the image for real where podman is installed.
 */
class DockerfileTest {

  static Dockerfile dockerfile;

  @BeforeAll
  static void read() throws Exception {
    dockerfile = Dockerfile.read();
  }

  /** COPY sources from the build context (the repository's root), not from another stage. */
  static List<String> contextSources() {
    List<String> sources = new ArrayList<>();
    for (Instruction copy : dockerfile.all("COPY")) {
      if (copy.args().startsWith("--from=")) {
        continue;
      }
      List<String> words = Arrays.stream(copy.args().split("\\s+")).filter(w -> !w.startsWith("--")).toList();
      sources.addAll(words.subList(0, words.size() - 1));
    }
    return sources;
  }

  @Test
  void everyCopiedFileIsInTheRepositoryAndNotDockerignored() throws Exception {
    List<String> sources = contextSources();
    assertThat(sources).contains("pom.xml", "agent/pom.xml", "agent/src/main");
    List<String> ignore = Repo.read(".dockerignore").lines()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    for (String source : sources) {
      assertThat(Repo.file(source)).as("COPY source %s", source).exists();
      assertThat(ignored(ignore, source)).as("%s excluded by .dockerignore", source).isFalse();
    }
    // and the build output and dependencies stay out of the context
    assertThat(ignored(ignore, "agent/target/wsprobe.jar")).isTrue();
    assertThat(ignored(ignore, "agent/src/test/node/node_modules")).isTrue();
  }

  /** .dockerignore semantics: the last matching pattern wins, "!" re-includes, a directory covers its files. */
  static boolean ignored(List<String> patterns, String path) {
    boolean ignored = false;
    for (String pattern : patterns) {
      boolean include = pattern.startsWith("!");
      String glob = (include ? pattern.substring(1) : pattern).replaceAll("/$", "");
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      for (Path p = Path.of(path); p != null; p = p.getParent()) {
        if (m.matches(p)) {
          ignored = !include;
          break;
        }
      }
    }
    return ignored;
  }

  @Test
  void theImageRunsTheJarMavenBuilds() throws Exception {
    var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Repo.file("agent/pom.xml").toFile());
    String finalName = pom.getElementsByTagName("finalName").item(0).getTextContent().strip();
    String workdir = dockerfile.all("WORKDIR").get(0).args();
    Instruction fromBuild = dockerfile.all("COPY").stream().filter(c -> c.args().startsWith("--from=build "))
        .findFirst().orElseThrow(() -> new AssertionError("no COPY --from=build"));
    String[] words = fromBuild.args().split("\\s+");
    assertThat(words[1]).isEqualTo(workdir + "/agent/target/" + finalName + ".jar");
    List<String> entrypoint = dockerfile.execForm("ENTRYPOINT");
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint.subList(entrypoint.indexOf("-jar"), entrypoint.size())).containsExactly("-jar", words[2]);
    assertThat(dockerfile.baseImage(dockerfile.last("FROM"))).contains("jre");
  }

  /**
   * The run stage makes the class-data archive of the jar it runs, with its own JVM (an archive
   * holds for one JVM and one jar path), before it drops root; the ENTRYPOINT maps it quietly
   * (a refused archive must not print), and the build stage does not make one it would throw away.
   */
  @Test
  void theRunStageMakesTheClassDataArchiveTheEntrypointMaps() {
    List<String> entrypoint = dockerfile.execForm("ENTRYPOINT");
    String jar = entrypoint.get(entrypoint.indexOf("-jar") + 1);
    String archive = jar.replaceAll("\\.jar$", ".jsa");
    assertThat(entrypoint.subList(0, entrypoint.indexOf("-jar"))).contains("-XX:SharedArchiveFile=" + archive,
        "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    List<Instruction> all = dockerfile.instructions();
    int lastFrom = all.lastIndexOf(all.stream().filter(i -> i.keyword().equals("FROM")).reduce((x, y) -> y).orElseThrow());
    int training = -1;
    for (int i = lastFrom; i < all.size(); i++) {
      if (all.get(i).keyword().equals("RUN") && all.get(i).args().contains("cds-training")) {
        training = i;
      }
    }
    assertThat(training).as("a RUN of cds-training in the run stage").isPositive();
    assertThat(all.get(training).args()).contains("-XX:ArchiveClassesAtExit=" + archive, "-jar " + jar);
    int user = all.indexOf(all.stream().filter(i -> i.keyword().equals("USER")).findFirst().orElseThrow());
    assertThat(training).as("the archive is written before USER drops root").isLessThan(user);
    assertThat(all.subList(0, lastFrom)).filteredOn(i -> i.keyword().equals("RUN") && i.args().contains(" package"))
        .singleElement().satisfies(i -> assertThat(i.args()).contains("-Dcds.skip=true"));
  }

  /** Both stages start from build arguments, the ones deploy/docker/local-base fills in. */
  @Test
  void theBaseImagesAreTheArgumentsLocalBaseSets() throws Exception {
    List<String> bases = dockerfile.all("FROM").stream().map(f -> f.args().split("\\s+")[0]).toList();
    assertThat(bases).containsExactly("${BUILD_IMAGE}", "${JRE_IMAGE}");
    assertThat(dockerfile.globalArgs()).containsEntry("BUILD_IMAGE", "maven:3.9-eclipse-temurin-17")
        .containsEntry("JRE_IMAGE", "eclipse-temurin:17-jre");
    String script = Repo.read("deploy/docker/local-base");
    assertThat(script).contains("--build-arg BUILD_IMAGE=$build --build-arg JRE_IMAGE=$jre");
  }

  @Test
  void exposesTheAgentsDefaultPort() {
    assertThat(dockerfile.last("EXPOSE")).isEqualTo(Integer.toString(RunningAgent.defaultPort()));
  }

  @Test
  void theHealthcheckAsksARealEndpoint() throws Exception {
    String check = dockerfile.last("HEALTHCHECK");
    Matcher url = Pattern.compile("http://[^\\s]+").matcher(check);
    assertThat(url.find()).as(check).isTrue();
    URI uri = URI.create(url.group());
    assertThat(uri.getPort()).isEqualTo(RunningAgent.defaultPort());
    assertThat(check).startsWith("--interval=").contains(" CMD wget ");
    try (RunningAgent agent = new RunningAgent()) {
      assertThat(agent.get(uri.getPath())).as("GET %s", uri.getPath()).isEqualTo(200);
    }
  }

  @Test
  void runsAsAnUnprivilegedUser() {
    String user = dockerfile.last("USER");
    assertThat(user).doesNotStartWith("root").doesNotStartWith("0:").isNotEqualTo("0");
    assertThat(dockerfile.uid()).isGreaterThanOrEqualTo(1000);
  }

  @Test
  void readsTheConfigurationFromTheDocumentedPath() throws Exception {
    assertThat(dockerfile.configPath()).isEqualTo("/etc/wsprobe/wsprobe.yml");
    assertThat(Repo.read(Dockerfile.PATH)).contains("-v \"$PWD/wsprobe.yml:" + dockerfile.configPath() + ":ro\"");
    assertThat(Files.readString(Repo.file("docs/deploy.md"))).contains(dockerfile.configPath());
  }
}
