package io.wsprobe.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The targets of a configuration's {@code target_files}, as Prometheus' {@code file_sd} keeps
 * them: each file is read whole, within the limits of the main config; a file that cannot be
 * used (unreadable, not YAML, a wrong key, a name already taken) keeps the last content that
 * could, and says why. A target's name is unique over the config and every file: the config's
 * names come first, then the files unchanged since their last good read, then the changed ones,
 * each in path order, so a duplicate is the error of the file that brought it.
 *
 * <p>Not thread-safe: one read at a time (the agent reads on its ordered worker). The last good
 * content is kept as text and read again each time, so that it follows a reloaded config (its
 * modules, global labels and defaults).
 */
public final class TargetFileSet {

  /**
   * One file's state after a read.
   *
   * @param file    as matched by a pattern
   * @param ok      whether its current content is in use
   * @param targets how many targets it gives now (its last good content's when not ok)
   * @param errors  why its current content is not in use; empty when ok
   * @param changed whether this read's outcome (ok, targets or errors) differs from the last one
   */
  public record FileStatus(Path file, boolean ok, int targets, List<ConfigError> errors,
                           boolean changed) {

    /** The errors, one a line, {@code file:line: path: message}. */
    public String message() {
      return String.join("\n", errors.stream().map(ConfigError::toString).toList());
    }
  }

  /**
   * @param config the configuration with the files' targets added after its own
   * @param files  each matched file, in path order
   * @param gone   files matched by the last read and not by this one (their targets left)
   */
  public record Discovered(Config config, List<FileStatus> files, List<Path> gone) {}

  private record Outcome(boolean ok, int targets, List<ConfigError> errors) {}

  private final Map<Path, String> lastGood = new HashMap<>();
  private final Map<Path, Outcome> lastOutcome = new HashMap<>();

  /** Reads every file that {@code main}'s patterns match now; {@code main}'s targets stay first. */
  public Discovered read(Config main) {
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < main.targets().size(); i++) {
      names.put(main.targets().get(i).name(), main.source() + ": targets[" + i + "]");
    }
    Map<Path, String> texts = new LinkedHashMap<>();
    Map<Path, ConfigException> unreadable = new HashMap<>();
    for (Path file : main.targetFiles().files()) {
      try {
        texts.put(file, ConfigLoader.read(file));
      } catch (ConfigException e) {
        texts.put(file, null);
        unreadable.put(file, e);
      }
    }
    List<Path> order = new ArrayList<>(texts.keySet());
    order.sort(Comparator.comparing((Path f) -> !Objects.equals(texts.get(f), lastGood.get(f))));

    Map<Path, List<Target>> found = new HashMap<>();
    Map<Path, FileStatus> statuses = new HashMap<>();
    for (Path file : order) {
      String text = texts.get(file);
      List<ConfigError> errors;
      List<Target> targets;
      try {
        if (text == null) {
          throw unreadable.get(file);
        }
        targets = targets(text, file.toString(), main, names);
        lastGood.put(file, text);
        errors = List.of();
      } catch (ConfigException e) {
        errors = e.errors();
        targets = fallback(file, text, main, names);
      }
      found.put(file, targets);
      Outcome outcome = new Outcome(errors.isEmpty(), targets.size(), errors);
      boolean changed = !outcome.equals(lastOutcome.put(file, outcome));
      statuses.put(file, new FileStatus(file, outcome.ok(), targets.size(), errors, changed));
    }

    List<Path> gone = lastOutcome.keySet().stream().filter(f -> !texts.containsKey(f)).sorted().toList();
    gone.forEach(f -> {
      lastOutcome.remove(f);
      lastGood.remove(f);
    });
    List<Target> all = new ArrayList<>(main.targets());
    List<FileStatus> files = new ArrayList<>();
    for (Path file : texts.keySet()) { // path order
      all.addAll(found.get(file));
      files.add(statuses.get(file));
    }
    return new Discovered(main.withTargets(all), List.copyOf(files), gone);
  }

  /** The last good content of a file whose current one failed, if it still fits; else none. */
  private List<Target> fallback(Path file, String failed, Config main, Map<String, String> names) {
    String good = lastGood.get(file);
    if (good == null || good.equals(failed)) {
      return List.of();
    }
    try {
      return targets(good, file.toString(), main, names);
    } catch (ConfigException e) {
      return List.of(); // no longer fits the config, or a name another file has taken since
    }
  }

  /**
   * The targets of one file's text: a list with the keys of {@code targets:}, resolved against
   * {@code main}. Its names are added to {@code names} only when the whole file is good.
   */
  static List<Target> targets(String text, String source, Config main, Map<String, String> names)
      throws ConfigException {
    // JSON is read as the YAML it is, except that SnakeYAML refuses some tab indentation; a tab
    // in valid JSON is never inside a string (there it is written \t), so it is a space
    boolean json = source.toLowerCase(Locale.ROOT).endsWith(".json");
    Node root = YamlText.compose(json ? text.replace('\t', ' ') : text, source);
    NodeReader reader = new NodeReader(source);
    TargetReader targetReader = new TargetReader(reader, new LabelReader(reader), new UrlReader(reader),
        new ConfigValidator(reader));
    Map<String, String> taken = new HashMap<>(names);
    List<Target> targets;
    try {
      targets = targetReader.read(root, "", main.global(), main.modules(), main.modules().keySet(), taken);
    } catch (NodeReader.Stopped e) {
      targets = List.of();
    }
    if (!reader.errors().isEmpty()) {
      List<ConfigError> errors = new ArrayList<>(reader.errors());
      errors.sort(Comparator.comparingInt(ConfigError::line));
      throw new ConfigException(errors);
    }
    for (Map.Entry<String, String> e : taken.entrySet()) {
      names.putIfAbsent(e.getKey(), e.getValue().startsWith("[") ? source + ": " + e.getValue() : e.getValue());
    }
    return List.copyOf(targets);
  }
}
