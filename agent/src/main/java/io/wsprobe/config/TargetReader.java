package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;
import static io.wsprobe.config.NodeReader.item;

import io.wsprobe.config.NodeReader.Entry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The {@code targets:} list, and the lists of targets in {@code target_files} (the same keys);
 * each target resolved against {@link Global} and the modules. The {@code target_files:}
 * patterns themselves are read here too.
 */
final class TargetReader {

  static final List<String> KEYS = List.of("name", "url", "origin_url", "module", "labels", "interval",
      "timeout");

  private final NodeReader reader;
  private final LabelReader labels;
  private final UrlReader urls;
  private final ConfigValidator validator;

  TargetReader(NodeReader reader, LabelReader labels, UrlReader urls, ConfigValidator validator) {
    this.reader = reader;
    this.labels = labels;
    this.urls = urls;
    this.validator = validator;
  }

  List<Target> read(Entry section, Global global, Map<String, Module> modules,
                    Set<String> moduleNames) {
    return section == null ? new ArrayList<>()
        : read(section.value(), "targets", global, modules, moduleNames, new HashMap<>());
  }

  /**
   * The targets of a list at {@code path} ({@code ""} for a target file, which is one list).
   *
   * @param names the names taken so far, each with where it was first written; this list's are
   *              added, and one already there is a duplicate
   */
  List<Target> read(Node list, String path, Global global, Map<String, Module> modules,
                    Set<String> moduleNames, Map<String, String> names) {
    List<Target> targets = new ArrayList<>();
    if (path.isEmpty() && !NodeReader.isNull(list) && !(list instanceof SequenceNode)) {
      reader.error(list, "", "expected a list of targets, got " + NodeReader.kind(list));
      return targets;
    }
    List<Node> items = reader.list(list, path);
    if (items == null) {
      return targets;
    }
    for (int i = 0; i < items.size(); i++) {
      Target target = target(items.get(i), item(path, i), global, modules, moduleNames, names);
      if (target != null) {
        targets.add(target);
      }
    }
    return targets;
  }

  /** The {@code target_files:} patterns; relative ones are resolved against {@code baseDir}. */
  TargetFiles files(Entry section, Path baseDir) {
    if (section == null) {
      return TargetFiles.NONE;
    }
    List<Node> items = reader.list(section.value(), "target_files");
    List<String> patterns = new ArrayList<>();
    for (int i = 0; items != null && i < items.size(); i++) {
      String path = item("target_files", i);
      String pattern = reader.nonEmptyString(items.get(i), path);
      String problem = pattern == null ? null : TargetFiles.problem(pattern);
      if (problem != null) {
        reader.error(items.get(i), path, problem);
      } else if (pattern != null) {
        patterns.add(pattern);
      }
    }
    return new TargetFiles(patterns, baseDir);
  }

  private Target target(Node node, String path, Global global, Map<String, Module> modules,
                        Set<String> moduleNames, Map<String, String> names) {
    Map<String, Entry> keys = reader.mapping(node, path, KEYS);
    if (keys == null) {
      return null;
    }

    String name = null;
    Entry nameKey = keys.get("name");
    if (nameKey == null) {
      reader.error(node, child(path, "name"), "missing required key");
    } else {
      name = reader.nonEmptyString(nameKey.value(), child(path, "name"));
      String unsafe = name == null ? null : LabelReader.unsafeCharacter(name);
      if (unsafe != null) {
        reader.error(nameKey.value(), child(path, "name"), "contains " + unsafe);
        name = null;
      } else if (name != null && name.contains("://")) {
        // /probe?target= takes a value with :// for a URL
        reader.error(nameKey.value(), child(path, "name"), "must not contain \"://\" (a name, not a URL)");
        name = null;
      }
      String first = name == null ? null : names.putIfAbsent(name, path);
      if (first != null) {
        reader.error(nameKey.value(), child(path, "name"),
            "duplicate target name \"" + name + "\" (first at " + first + ")");
      }
    }

    URI url = null;
    Entry urlKey = keys.get("url");
    if (urlKey == null) {
      reader.error(node, child(path, "url"), "missing required key");
    } else {
      url = urls.ws(urlKey.value(), child(path, "url"));
    }
    URI originUrl = null;
    Entry originKey = keys.get("origin_url");
    if (originKey != null) {
      originUrl = urls.ws(originKey.value(), child(path, "origin_url"));
      if (originUrl != null && originUrl.equals(url)) {
        reader.error(originKey.value(), child(path, "origin_url"), "is the same as url: set the"
            + " app's own address, behind the proxies (e.g. ws://app:3000/collab)");
        originUrl = null;
      }
    }

    String moduleName = Module.DEFAULT_NAME;
    Entry moduleKey = keys.get("module");
    if (moduleKey != null) {
      String modulePath = child(path, "module");
      moduleName = reader.nonEmptyString(moduleKey.value(), modulePath);
      String unsafe = moduleName == null ? null : LabelReader.unsafeCharacter(moduleName);
      if (unsafe != null) {
        reader.error(moduleKey.value(), modulePath, "contains " + unsafe);
        moduleName = null;
      } else if (moduleName != null && !moduleNames.contains(moduleName)) {
        reader.error(moduleKey.value(), modulePath, "unknown module \"" + moduleName
            + "\" (known: " + String.join(", ", moduleNames) + ")");
        moduleName = null;
      }
    }

    Map<String, String> labelValues = new LinkedHashMap<>(global.labels());
    Entry labelsKey = keys.get("labels");
    if (labelsKey != null) {
      labelValues.putAll(labels.labels(labelsKey.value(), child(path, "labels")));
    }

    Entry intervalKey = keys.get("interval");
    Entry timeoutKey = keys.get("timeout");
    Duration interval = reader.duration(intervalKey, path, global.interval());
    Duration timeout = reader.duration(timeoutKey, path, global.timeout());
    Module module = moduleName == null ? null : modules.get(moduleName);
    validator.targetTimeout(new ConfigValidator.Timing(node, path, intervalKey, timeoutKey,
        moduleKey), interval, timeout, moduleName, module);

    return new Target(name, url, moduleName, Collections.unmodifiableMap(labelValues), interval,
        timeout, originUrl);
  }
}
