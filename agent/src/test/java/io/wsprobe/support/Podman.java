package io.wsprobe.support;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's podman with runc, as the container tests run it: a containers.conf of the test's own
 * (through {@code CONTAINERS_CONF}, the system one untouched) with runc, cgroupfs, no default
 * ulimits (podman's default nofile limit is refused on the test machines) and file events
 * (no journald). Containers use the host's network: the tests' servers are on loopback.
 */
public final class Podman {

  /** Where the programs are, or why the container tests cannot run here. */
  public record Found(String podman, String reason) {
    public boolean ok() {
      return reason == null;
    }
  }

  private final String binary;
  private final Path conf;

  private Podman(String binary, Path conf) {
    this.binary = binary;
    this.conf = conf;
  }

  /** Where podman is; {@code -Dwsprobe.podman=none} skips the container tests on purpose. */
  public static Found find() {
    if ("none".equals(System.getProperty("wsprobe.podman"))) {
      return new Found(null, "-Dwsprobe.podman=none");
    }
    Optional<String> podman = which("podman");
    if (podman.isEmpty()) {
      return new Found(null, "podman is not installed (Debian packages podman and runc)");
    }
    if (which("runc").isEmpty()) {
      return new Found(null, "runc is not installed (Debian package runc); podman's default crun fails on this"
          + " machine's cgroups");
    }
    return new Found(podman.get(), null);
  }

  public static Optional<String> which(String name) {
    List<Path> dirs = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty()) {
        dirs.add(Path.of(d));
      }
    }
    dirs.addAll(List.of(Path.of("/usr/local/sbin"), Path.of("/usr/local/bin"), Path.of("/usr/sbin"),
        Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin")));
    return dirs.stream().map(d -> d.resolve(name)).filter(Files::isExecutable).map(Path::toString).findFirst();
  }

  /** A podman that reads a containers.conf written in {@code dir}. */
  public static Podman in(String binary, Path dir) throws Exception {
    Path conf = dir.resolve("containers.conf");
    Files.writeString(conf, """
        [containers]
        default_ulimits = []
        netns = "host"

        [engine]
        runtime = "runc"
        cgroup_manager = "cgroupfs"
        events_logger = "file"
        """);
    return new Podman(binary, conf);
  }

  public Path conf() {
    return conf;
  }

  /** What a command printed and how it ended, and how long it took. */
  public record Run(List<String> command, int exit, String out, String err, Duration took) {
    public Run ok() {
      if (exit != 0) {
        throw new AssertionError(String.join(" ", command) + " exited with " + exit + ":\n" + tail(err + out));
      }
      return this;
    }

    static String tail(String text) {
      List<String> lines = text.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
  }

  public Run podman(Duration timeout, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.addAll(List.of(args));
    return run(Repo.root(), timeout, command);
  }

  /** Runs any command with this podman's containers.conf in its environment. */
  public Run run(Path dir, Duration timeout, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().put("CONTAINERS_CONF", conf.toString());
    Path out = Files.createTempFile("wsprobe-podman", ".out");
    Path err = Files.createTempFile("wsprobe-podman", ".err");
    long start = System.nanoTime();
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in " + timeout + ":\n"
            + Run.tail(Files.readString(err, StandardCharsets.UTF_8) + Files.readString(out, StandardCharsets.UTF_8)));
      }
      return new Run(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
