package io.wsprobe.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed reads from a composed YAML node tree. Every read that fails records a {@link ConfigError}
 * with the node's line and returns null, so the caller carries on and more mistakes are found in
 * one pass.
 */
final class NodeReader {

  /** A key of a mapping, where it was written, and its value. */
  record Entry(String key, Node keyNode, Node value) {}

  private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
  private static final Pattern DECIMAL =
      Pattern.compile("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");

  /**
   * Values read in one file: mapping entries (merged ones too) and list items. YAML aliases let
   * a small file name the same large mapping or list many times, so this bounds the work.
   */
  static final long MAX_VALUES = 1_000_000;
  /** Errors reported before reading stops: a long list of wrong items is one mistake repeated. */
  static final int MAX_ERRORS = 100;

  /** Thrown once a limit is reached, after reporting it: the reading stops there. */
  static final class Stopped extends RuntimeException {
    Stopped() {
      super(null, null, false, false);
    }
  }

  private final String source;
  private final List<ConfigError> errors = new ArrayList<>();
  private long read;

  NodeReader(String source) {
    this.source = source;
  }

  List<ConfigError> errors() {
    return errors;
  }

  void error(Node at, String path, String message) {
    error(line(at), path, message);
  }

  void error(int line, String path, String message) {
    if (errors.size() >= MAX_ERRORS) {
      errors.add(new ConfigError(source, line, "", "more than " + MAX_ERRORS
          + " errors; stopped reading here"));
      throw new Stopped();
    }
    errors.add(new ConfigError(source, line, path, message));
  }

  /** Counts {@code count} values read at {@code at}; stops the reading past {@link #MAX_VALUES}. */
  private void charge(int count, Node at, String path) {
    read += count;
    if (read > MAX_VALUES) {
      errors.add(new ConfigError(source, line(at), path,
          "expands to more than " + MAX_VALUES + " values"));
      throw new Stopped();
    }
  }

  static int line(Node node) {
    return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String item(String path, int index) {
    return path + "[" + index + "]";
  }

  static boolean isNull(Node node) {
    return node == null || node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  /** What a node is, for "expected X, got Y" messages. Never the value: it may be a secret. */
  static String kind(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    Tag tag = node.getTag();
    if (Tag.NULL.equals(tag)) {
      return "null";
    }
    if (Tag.BOOL.equals(tag)) {
      return "a boolean";
    }
    if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
      return "a number";
    }
    return "a string";
  }

  /** For fields that cannot hold a secret: the scalar as written, else its kind. */
  private static String shown(Node node) {
    return node instanceof ScalarNode scalar && !isNull(node)
        ? "\"" + scalar.getValue() + "\"" : kind(node);
  }

  /**
   * The entries of a mapping in document order, YAML merge keys ({@code <<: *anchor}) applied.
   * Keys not in {@code known} (null = any key allowed) are reported and still returned, so that
   * callers can tell "nothing set" from "only a typo set". A YAML null is an empty mapping.
   *
   * @return null when the node is not a mapping (reported)
   */
  Map<String, Entry> mapping(Node node, String path, List<String> known) {
    if (isNull(node)) {
      return new LinkedHashMap<>();
    }
    if (!(node instanceof MappingNode mapping)) {
      error(node, path, "expected a mapping, got " + kind(node));
      return null;
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    flatten(mapping, path, known, entries, Collections.newSetFromMap(new IdentityHashMap<>()));
    return entries;
  }

  private void flatten(MappingNode mapping, String path, List<String> known,
                       Map<String, Entry> into, Set<Node> seen) {
    if (!seen.add(mapping)) {
      return;
    }
    Map<String, Entry> own = new LinkedHashMap<>();
    List<Node> merges = new ArrayList<>();
    charge(mapping.getValue().size(), mapping, path);
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (Tag.MERGE.equals(keyNode.getTag())) {
        merges.add(tuple.getValueNode());
        continue;
      }
      if (!(keyNode instanceof ScalarNode scalarKey) || isNull(keyNode)) {
        error(keyNode, path, "keys must be strings, got " + kind(keyNode));
        continue;
      }
      String key = scalarKey.getValue();
      Entry first = own.get(key);
      if (first != null) {
        error(keyNode, child(path, key), "duplicate key (first at line " + line(first.keyNode()) + ")");
        continue;
      }
      if (known != null && !known.contains(key)) {
        error(keyNode, child(path, key), "unknown key (known: " + String.join(", ", known) + ")");
      }
      own.put(key, new Entry(key, keyNode, tuple.getValueNode()));
    }
    into.putAll(own);
    for (Node merge : merges) {
      List<Node> sources = merge instanceof SequenceNode list ? list.getValue() : List.of(merge);
      for (Node source : sources) {
        if (!(source instanceof MappingNode sourceMapping)) {
          error(source, path, "<< merges a mapping or a list of mappings, got " + kind(source));
          continue;
        }
        Map<String, Entry> merged = new LinkedHashMap<>();
        flatten(sourceMapping, path, known, merged, seen);
        merged.forEach(into::putIfAbsent);
      }
    }
  }

  /** Keys of {@code entries} that are not in {@code known}: typos, already reported. */
  static boolean hasUnknown(Map<String, Entry> entries, List<String> known) {
    return !known.containsAll(entries.keySet());
  }

  /** The items of a list; a YAML null is an empty list. Null when not a list (reported). */
  List<Node> list(Node node, String path) {
    if (isNull(node)) {
      return List.of();
    }
    if (node instanceof SequenceNode sequence) {
      charge(sequence.getValue().size(), node, path);
      return sequence.getValue();
    }
    error(node, path, "expected a list, got " + kind(node));
    return null;
  }

  /** Any non-null scalar, as written ({@code 5} and {@code "5"} both give "5"). */
  String string(Node node, String path) {
    if (node instanceof ScalarNode scalar && !isNull(node)) {
      return scalar.getValue();
    }
    error(node, path, "expected a string, got " + kind(node));
    return null;
  }

  /** A string that is not empty. */
  String nonEmptyString(Node node, String path) {
    String value = string(node, path);
    if (value != null && value.isEmpty()) {
      error(node, path, "must not be empty");
      return null;
    }
    return value;
  }

  Boolean bool(Node node, String path) {
    if (node instanceof ScalarNode scalar) {
      String text = scalar.getValue().toLowerCase(Locale.ROOT);
      boolean yamlBool = Tag.BOOL.equals(node.getTag());
      if (text.equals("true") || yamlBool && (text.equals("yes") || text.equals("on"))) {
        return true;
      }
      if (text.equals("false") || yamlBool && (text.equals("no") || text.equals("off"))) {
        return false;
      }
    }
    error(node, path, "expected true or false, got " + shown(node));
    return null;
  }

  Long integer(Node node, String path) {
    if (node instanceof ScalarNode scalar && INTEGER.matcher(scalar.getValue()).matches()) {
      try {
        return Long.parseLong(scalar.getValue());
      } catch (NumberFormatException e) {
        error(node, path, "integer " + scalar.getValue() + " is too large");
        return null;
      }
    }
    error(node, path, "expected an integer, got " + shown(node));
    return null;
  }

  Double number(Node node, String path) {
    if (node instanceof ScalarNode scalar && DECIMAL.matcher(scalar.getValue()).matches()) {
      double value = Double.parseDouble(scalar.getValue());
      if (Double.isFinite(value)) {
        return value;
      }
    }
    error(node, path, "expected a finite number, got " + shown(node));
    return null;
  }

  /** A duration of zero or more. */
  Duration durationOrZero(Node node, String path) {
    String text = string(node, path);
    if (text == null) {
      return null;
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      error(node, path, e.getMessage());
      return null;
    }
  }

  /** The duration of {@code entry}, a key of {@code parentPath}; {@code inherited} when not set. */
  Duration duration(Entry entry, String parentPath, Duration inherited) {
    return entry == null ? inherited : duration(entry.value(), child(parentPath, entry.key()));
  }

  /** A duration above zero. */
  Duration duration(Node node, String path) {
    Duration duration = durationOrZero(node, path);
    if (duration != null && duration.isZero()) {
      error(node, path, "must be greater than 0");
      return null;
    }
    return duration;
  }

  /** A size in bytes, see {@link Sizes}. */
  Long size(Node node, String path) {
    String text = string(node, path);
    if (text == null) {
      return null;
    }
    try {
      return Sizes.parse(text);
    } catch (IllegalArgumentException e) {
      error(node, path, e.getMessage());
      return null;
    }
  }
}
