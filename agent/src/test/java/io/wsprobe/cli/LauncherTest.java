package io.wsprobe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.support.Repo;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./wsprobe} launcher and the class-data archive next to the jar: a good archive is
 * mapped, and a corrupt one, one made for another jar, or one older than the jar never changes
 * what the user sees (the version on stdout, nothing on stderr). The launcher runs from a copy of
 * the repository's layout whose jar is newer than its sources (so it does not build), a jar of
 * this build's classes with the test class path as its {@code Class-Path}.
 */
class LauncherTest {

  @TempDir
  Path root;
  Path jar;
  Path archive;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void layout() throws IOException {
    Files.copy(Repo.file("wsprobe"), root.resolve("wsprobe"));
    root.resolve("wsprobe").toFile().setExecutable(true);
    Files.createDirectories(root.resolve("agent/src/main"));
    Files.createDirectories(root.resolve("agent/target"));
    Files.copy(Repo.file("pom.xml"), root.resolve("pom.xml"));
    Files.copy(Repo.file("agent/pom.xml"), root.resolve("agent/pom.xml"));
    FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
    for (String p : List.of("pom.xml", "agent/pom.xml", "agent/src/main")) {
      Files.setLastModifiedTime(root.resolve(p), old);
    }
    jar = root.resolve("agent/target/wsprobe.jar");
    archive = root.resolve("agent/target/wsprobe.jsa");
    writeJar(jar, "");
  }

  @Test
  void aGoodArchiveIsMappedAndChangesNothingTheUserSees() throws Exception {
    dumpArchive();
    Path classes = root.resolve("classes.log");
    Run run = launch(Map.of("WSPROBE_JAVA_OPTS", "-Xlog:class+load:file=" + classes), "--version");
    assertVersionOnly(run);
    assertThat(Files.readString(classes)).contains("io.wsprobe.cli.Main source: shared objects file (top)");
  }

  @Test
  void aCorruptArchiveIsIgnoredSilently() throws Exception {
    byte[] garbage = new byte[64 * 1024];
    new java.util.Random(14).nextBytes(garbage);
    Files.write(archive, garbage);
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(5)));
    assertVersionOnly(launch(Map.of(), "--version"));
  }

  @Test
  void anArchiveOfAnotherJarIsIgnoredSilently() throws Exception {
    dumpArchive();
    writeJar(jar, "rebuilt"); // as mvn package would, had the archive not been made again
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(5)));
    Path classes = root.resolve("classes.log");
    Run run = launch(Map.of("WSPROBE_JAVA_OPTS", "-Xlog:class+load:file=" + classes), "--version");
    assertVersionOnly(run);
    assertThat(Files.readString(classes)).doesNotContain("shared objects file (top)");
  }

  @Test
  void anArchiveOlderThanTheJarIsNotPassed() throws Exception {
    dumpArchive();
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
    Path classes = root.resolve("classes.log");
    // -Xlog:cds shows what the JVM is given: the launcher must not hand it this archive at all
    Run run = launch(Map.of("WSPROBE_JAVA_OPTS", "-Xlog:class+load:file=" + classes + " -Xlog:cds=info:file="
        + root.resolve("cds.log")), "--version");
    assertVersionOnly(run);
    assertThat(Files.readString(classes)).doesNotContain("shared objects file (top)");
    assertThat(Files.readString(root.resolve("cds.log"))).doesNotContain(archive.toString());
  }

  @Test
  void withoutAnArchiveTheLauncherStartsAsBefore() throws Exception {
    assertThat(archive).doesNotExist();
    assertVersionOnly(launch(Map.of(), "--version"));
  }

  private static void assertVersionOnly(Run run) {
    assertThat(run.err()).isEmpty();
    assertThat(run.exit()).isZero();
    assertThat(run.out()).startsWith("wsprobe version ").doesNotContain("warning").doesNotContain("cds");
  }

  /** The archive, as the build makes it, of this jar (the training run here: --version). */
  private void dumpArchive() throws Exception {
    Run dump = exec(List.of(java(), "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
        "-jar", jar.toString(), "--version"), Map.of());
    assertThat(dump.exit()).as(dump.err()).isZero();
    assertThat(archive).isRegularFile();
    Files.setLastModifiedTime(archive, FileTime.from(Instant.now().plusSeconds(2)));
  }

  private Run launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(root.resolve("wsprobe").toString()));
    command.addAll(List.of(args));
    return exec(command, env);
  }

  private static Run exec(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    // the launcher runs the java on PATH: this JVM's, which the archive was made with
    pb.environment().put("PATH", Path.of(java()).getParent() + File.pathSeparator + System.getenv("PATH"));
    pb.environment().remove("WSPROBE_JAVA_OPTS");
    pb.environment().remove("WSPROBE_CDS");
    pb.environment().putAll(env);
    Path out = Files.createTempFile("launcher-out-", ".txt");
    Path err = Files.createTempFile("launcher-err-", ".txt");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("did not exit within 60 s: " + command);
      }
      return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * This build's classes as a jar (the JVM archives classes from jars only), its dependencies by
   * {@code Class-Path}; {@code extra} becomes an entry of its own, so that a rebuild differs.
   */
  private static void writeJar(Path jar, String extra) throws IOException {
    Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    java.util.Set<String> classPath = new java.util.LinkedHashSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      addJars(Path.of(entry).toAbsolutePath(), classPath);
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
    Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp), manifest);
         Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
      if (!extra.isEmpty()) {
        out.putNextEntry(new JarEntry("rebuild.txt"));
        OutputStream o = out;
        o.write(extra.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    Files.move(tmp, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The jars of a class path entry: itself and its manifest's {@code Class-Path} (Surefire's booter jar has one). */
  private static void addJars(Path entry, java.util.Set<String> jars) throws IOException {
    if (!entry.toString().endsWith(".jar") || !Files.isRegularFile(entry) || !jars.add(entry.toUri().toString())) {
      return;
    }
    try (java.util.jar.JarFile file = new java.util.jar.JarFile(entry.toFile())) {
      Manifest m = file.getManifest();
      String more = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (more != null) {
        for (String ref : more.trim().split("\\s+")) {
          addJars(Path.of(entry.toUri().resolve(ref)), jars);
        }
      }
    }
  }
}
