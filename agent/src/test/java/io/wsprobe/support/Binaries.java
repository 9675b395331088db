package io.wsprobe.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the Debian packages' programs the tests run. Fails, never skips: scripts/test installs them. */
public final class Binaries {

  private Binaries() {}

  /**
   * @param names   the program's names, in order (Debian calls Alertmanager prometheus-alertmanager)
   * @param pkg     the Debian package that provides it, for the error message
   */
  public static String find(String pkg, String... names) {
    List<Path> dirs = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty()) {
        dirs.add(Path.of(d));
      }
    }
    // the sbin directories are often not on a non-root PATH: nginx and haproxy live there
    dirs.addAll(List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin"), Path.of("/bin"), Path.of("/usr/sbin"),
        Path.of("/usr/local/sbin")));
    for (String name : names) {
      for (Path d : dirs) {
        Path candidate = d.resolve(name);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    throw new IllegalStateException(String.join(" or ", names) + " is not installed (Debian package " + pkg
        + "): run scripts/test, which installs it");
  }

  public static String promtool() {
    return find("prometheus", "promtool");
  }

  public static String prometheus() {
    return find("prometheus", "prometheus");
  }

  public static String amtool() {
    return find("prometheus-alertmanager", "amtool");
  }

  public static String alertmanager() {
    return find("prometheus-alertmanager", "prometheus-alertmanager", "alertmanager");
  }
}
