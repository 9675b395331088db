package io.wsprobe.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's own files (alerts/, dashboards/, deploy/) as the tests see them. */
public final class Repo {

  private Repo() {}

  /** The repository root: the nearest directory above the working directory holding alerts/. */
  public static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("alerts/wsprobe-alerts.yml")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root with alerts/ above " + Path.of("").toAbsolutePath());
  }

  public static Path file(String relative) {
    return root().resolve(relative);
  }
}
