package io.wsprobe.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code target_files:} patterns, as Prometheus' {@code file_sd} has them: a path whose last
 * part may be a glob ({@code targets/*.yml}), ending in {@code .yml}, {@code .yaml} or
 * {@code .json}; relative ones resolve against the config file's directory.
 *
 * @param patterns as written
 * @param baseDir  what relative patterns resolve against
 */
public record TargetFiles(List<String> patterns, Path baseDir) {

  public static final TargetFiles NONE = new TargetFiles(List.of(), Path.of(""));

  private static final List<String> EXTENSIONS = List.of(".yml", ".yaml", ".json");

  public TargetFiles {
    patterns = List.copyOf(patterns);
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** What is wrong with a pattern, or null. */
  static String problem(String pattern) {
    Path path;
    try {
      path = Path.of(pattern);
    } catch (RuntimeException e) { // InvalidPathException: a NUL character
      return "not a file path";
    }
    Path name = path.getFileName();
    if (name == null) {
      return "names no file";
    }
    if (path.getParent() != null && hasGlob(path.getParent().toString())) {
      return "a pattern may only be in the file name, not in the directories (as in Prometheus' file_sd)";
    }
    String lower = name.toString().toLowerCase(java.util.Locale.ROOT);
    if (EXTENSIONS.stream().noneMatch(lower::endsWith)) {
      return "must end in .yml, .yaml or .json";
    }
    try {
      FileSystems.getDefault().getPathMatcher("glob:" + name);
    } catch (PatternSyntaxException e) {
      return "not a valid glob: " + e.getDescription();
    }
    return null;
  }

  private static boolean hasGlob(String text) {
    return text.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  /** The directories the patterns look in: what to watch. */
  public Set<Path> directories() {
    Set<Path> dirs = new LinkedHashSet<>();
    for (String pattern : patterns) {
      Path dir = resolve(pattern).getParent();
      if (dir != null) {
        dirs.add(dir);
      }
    }
    return dirs;
  }

  /**
   * The regular files (symbolic links followed, as a Kubernetes ConfigMap mounts them) that match
   * now, in path order, each once. A directory that cannot be listed matches nothing.
   */
  public List<Path> files() {
    Set<Path> files = new TreeSet<>();
    for (String pattern : patterns) {
      Path path = resolve(pattern);
      String glob = path.getFileName().toString();
      Path dir = path.getParent() == null ? Path.of("") : path.getParent();
      if (!hasGlob(glob)) {
        if (Files.isRegularFile(path)) {
          files.add(path);
        }
        continue;
      }
      try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, glob)) {
        for (Path file : found) {
          if (Files.isRegularFile(file)) {
            files.add(file);
          }
        }
      } catch (IOException | RuntimeException e) {
        // gone or unreadable: no files from it until it is back (the next re-read sees it)
      }
    }
    return List.copyOf(files);
  }

  private Path resolve(String pattern) {
    return baseDir.resolve(pattern).normalize();
  }
}
