package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.config.TargetFileSet.Discovered;
import io.wsprobe.config.TargetFileSet.FileStatus;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code target_files}: the patterns ({@link TargetReader}) and the files ({@link TargetFileSet}). */
class TargetFileSetTest {

  @TempDir Path dir;
  final TargetFileSet set = new TargetFileSet();

  static final String MAIN = """
      global:
        interval: 30s
        labels: { location: lab }
      modules:
        echo: {}
      targets:
        - name: main
          url: ws://main.example.com/
      target_files:
        - targets/*.yml
        - targets/*.json
      """;

  Config main() throws Exception {
    Files.createDirectories(dir.resolve("targets"));
    Files.writeString(dir.resolve("wsprobe.yml"), MAIN);
    return ConfigLoader.load(dir.resolve("wsprobe.yml"));
  }

  Path write(String name, String text) throws Exception {
    Path file = dir.resolve("targets").resolve(name);
    Files.writeString(file, text);
    return file;
  }

  static List<String> names(Discovered found) {
    return found.config().targets().stream().map(Target::name).toList();
  }

  static List<String> errors(FileStatus file) {
    return file.errors().stream().map(ConfigError::toString).toList();
  }

  @Nested
  class Patterns {

    @Test
    void resolveAgainstTheConfigDirectory() throws Exception {
      Config config = main();
      assertThat(config.targetFiles().patterns()).containsExactly("targets/*.yml", "targets/*.json");
      assertThat(config.targetFiles().directories()).containsExactly(dir.resolve("targets").toAbsolutePath());
    }

    @Test
    void eachMistakeIsNamed() {
      assertThat(ConfigTesting.errors("""
          target_files:
            - targets/*.txt
            - "*/targets.yml"
            - ""
            - "targets/[a.yml"
            - { a: b }
          """)).containsExactly(
          "test.yml:2: target_files[0]: must end in .yml, .yaml or .json",
          "test.yml:3: target_files[1]: a pattern may only be in the file name, not in the directories (as in Prometheus' file_sd)",
          "test.yml:4: target_files[2]: must not be empty",
          "test.yml:5: target_files[3]: not a valid glob: Missing ']",
          "test.yml:6: target_files[4]: expected a string, got a mapping");
    }

    @Test
    void mustBeAList() {
      assertThat(ConfigTesting.errors("target_files: targets/*.yml\n"))
          .containsExactly("test.yml:1: target_files: expected a list, got a string");
    }
  }

  @Nested
  class Files_ {

    @Test
    void yamlAndJsonListsOfTargetsJoinTheConfigsAfterIt() throws Exception {
      Config config = main();
      write("b.json", """
          [
          \t{"name": "from-json", "url": "ws://json.example.com/", "module": "echo",
          \t "labels": {"team": "web"}, "interval": "20s"}
          ]
          """);
      write("a.yml", """
          - name: from-yaml
            url: wss://yaml.example.com/
          """);
      Discovered found = set.read(config);
      assertThat(found.files()).allSatisfy(f -> assertThat(f.ok()).as(f.message()).isTrue());
      assertThat(names(found)).containsExactly("main", "from-yaml", "from-json");
      Target json = found.config().targets().get(2);
      assertThat(json.url()).isEqualTo(URI.create("ws://json.example.com/"));
      assertThat(json.labels()).isEqualTo(Map.of("location", "lab", "team", "web"));
      assertThat(json.interval()).hasSeconds(20);
      assertThat(found.config().targets().get(1).interval()).hasSeconds(30);
      assertThat(found.files()).extracting(FileStatus::ok, FileStatus::targets)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(true, 1), org.assertj.core.groups.Tuple.tuple(true, 1));
    }

    @Test
    void anEmptyFileHasNoTargets() throws Exception {
      Config config = main();
      write("a.yml", "");
      Discovered found = set.read(config);
      assertThat(names(found)).containsExactly("main");
      assertThat(found.files()).singleElement().satisfies(f -> assertThat(f.ok()).isTrue());
    }

    @Test
    void errorsAreReportedAsInTheConfigWithTheFilesName() throws Exception {
      Config config = main();
      Path file = write("a.yml", """
          - name: a
            url: http://a.example.com/
            module: nope
          - name: a
            adress: ws://b.example.com/
          - just a string
          """);
      FileStatus status = set.read(config).files().get(0);
      assertThat(status.ok()).isFalse();
      assertThat(errors(status)).containsExactly(
          file + ":2: [0].url: scheme must be ws or wss, got http",
          file + ":3: [0].module: unknown module \"nope\" (known: default, echo)",
          file + ":4: [1].name: duplicate target name \"a\" (first at [0])",
          file + ":4: [1].url: missing required key",
          file + ":5: [1].adress: unknown key (known: name, url, origin_url, module, labels, interval, timeout)",
          file + ":6: [2]: expected a mapping, got a string");
    }

    @Test
    void aFileMustBeAListOfTargets() throws Exception {
      Config config = main();
      Path file = write("a.yml", "name: a\nurl: ws://a/\n");
      assertThat(errors(set.read(config).files().get(0)))
          .containsExactly(file + ":1: expected a list of targets, got a mapping");
    }

    @Test
    void notYamlNotUtf8AndTooLargeAreErrors() throws Exception {
      Config config = main();
      Path syntax = write("a.yml", "- name: [\n");
      Path binary = dir.resolve("targets/b.yml");
      Files.write(binary, new byte[] {'-', ' ', (byte) 0xff, '\n'});
      Path large = dir.resolve("targets/c.yml");
      Files.write(large, new byte[YamlText.MAX_BYTES + 1]);
      List<FileStatus> files = set.read(config).files();
      assertThat(files).extracting(FileStatus::ok).containsExactly(false, false, false);
      assertThat(files.get(0).message()).startsWith(syntax + ":");
      assertThat(errors(files.get(1))).containsExactly(binary + ":1: not valid UTF-8 text (byte 0xFF)");
      assertThat(errors(files.get(2))).containsExactly(large + ": file is 4194305 bytes, more than the 4MiB limit");
    }

    @Test
    void namesAreUniqueOverTheConfigAndTheFiles() throws Exception {
      Config config = main();
      Path file = write("a.yml", "- name: main\n  url: ws://x.example.com/\n");
      assertThat(errors(set.read(config).files().get(0))).containsExactly(file
          + ":1: [0].name: duplicate target name \"main\" (first at " + config.source() + ": targets[0])");
    }

    @Test
    void aDuplicateIsTheErrorOfTheFileThatBroughtIt() throws Exception {
      Config config = main();
      Path b = write("b.yml", "- name: x\n  url: ws://b.example.com/\n");
      set.read(config);
      Path a = write("a.yml", "- name: x\n  url: ws://a.example.com/\n- name: y\n  url: ws://y.example.com/\n");
      Discovered found = set.read(config);
      assertThat(names(found)).containsExactly("main", "x");
      assertThat(found.config().targets().get(1).url()).hasHost("b.example.com");
      assertThat(found.files()).extracting(FileStatus::file, FileStatus::ok)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(a, false), org.assertj.core.groups.Tuple.tuple(b, true));
      assertThat(errors(found.files().get(0))).containsExactly(
          a + ":1: [0].name: duplicate target name \"x\" (first at " + b + ": [0])");
    }
  }

  @Nested
  class Changes {

    @Test
    void aBadFileKeepsItsLastGoodContentUntilItIsFixed() throws Exception {
      Config config = main();
      Path file = write("a.yml", "- name: a\n  url: ws://a.example.com/\n");
      assertThat(set.read(config).files().get(0).changed()).isTrue();
      assertThat(set.read(config).files().get(0).changed()).as("same outcome").isFalse();

      write("a.yml", "- name: a\n  url: ws://a.example.com/\n- name: b\n  url: nope\n");
      Discovered broken = set.read(config);
      assertThat(names(broken)).containsExactly("main", "a");
      FileStatus status = broken.files().get(0);
      assertThat(status.ok()).isFalse();
      assertThat(status.changed()).isTrue();
      assertThat(status.targets()).isOne();
      assertThat(status.message()).startsWith(file + ":4: [1].url: ");

      write("a.yml", "- name: a\n  url: ws://a.example.com/\n- name: b\n  url: ws://b.example.com/\n");
      Discovered fixed = set.read(config);
      assertThat(names(fixed)).containsExactly("main", "a", "b");
      assertThat(fixed.files().get(0).ok()).isTrue();
    }

    @Test
    void aRemovedFileTakesItsTargetsAlong() throws Exception {
      Config config = main();
      Path file = write("a.yml", "- name: a\n  url: ws://a.example.com/\n");
      set.read(config);
      Files.delete(file);
      Discovered found = set.read(config);
      assertThat(names(found)).containsExactly("main");
      assertThat(found.files()).isEmpty();
      assertThat(found.gone()).containsExactly(file);
    }

    @Test
    void theLastGoodContentFollowsAReloadedConfig() throws Exception {
      Config config = main();
      write("a.yml", "- name: a\n  url: ws://a.example.com/\n  module: echo\n");
      set.read(config);
      write("a.yml", "- name: a\n  url: nope\n");
      Files.writeString(dir.resolve("wsprobe.yml"), MAIN.replace("echo: {}", "other: {}"));
      Discovered found = set.read(ConfigLoader.load(dir.resolve("wsprobe.yml")));
      assertThat(names(found)).as("the last good content names a module no longer there").containsExactly("main");
      assertThat(found.files().get(0).targets()).isZero();
    }
  }
}
