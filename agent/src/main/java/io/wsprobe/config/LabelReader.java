package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.NodeReader.Entry;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/** {@code labels:} of {@code global} and of a target; and the names shown on dashboards. */
final class LabelReader {

  /** Label names wsprobe or Prometheus set themselves. */
  static final List<String> RESERVED_LABELS = List.of("target", "module", "result", "phase", "url",
      "le", "version", "revision", "instance", "job");

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final NodeReader reader;

  LabelReader(NodeReader reader) {
    this.reader = reader;
  }

  /** Label names checked, values as written; insertion-ordered and unmodifiable. */
  Map<String, String> labels(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, null);
    if (keys == null) {
      return Map.of();
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (Entry entry : keys.values()) {
      String name = entry.key();
      String labelPath = child(path, name);
      if (!LABEL_NAME.matcher(name).matches()) {
        reader.error(entry.keyNode(), labelPath, "invalid label name; it must match "
            + LABEL_NAME.pattern());
      } else if (name.startsWith("__")) {
        reader.error(entry.keyNode(), labelPath,
            "label names starting with __ are reserved for Prometheus");
      } else if (RESERVED_LABELS.contains(name)) {
        reader.error(entry.keyNode(), labelPath, "reserved label name (reserved: "
            + String.join(", ", RESERVED_LABELS) + ")");
      }
      String value = reader.string(entry.value(), labelPath);
      String unsafe = value == null ? null : unsafeCharacter(value);
      if (unsafe != null) {
        reader.error(entry.value(), labelPath, "contains " + unsafe);
      } else if (value != null) {
        labels.put(name, value);
      }
    }
    return Collections.unmodifiableMap(labels);
  }

  /**
   * The first character of a name or label value that a terminal, a dashboard or a log would
   * show wrongly or not at all: C0 and C1 controls, DEL, and the bidirectional formatting
   * characters (which can make {@code prod} read as {@code dorp}). Null when there is none.
   */
  static String unsafeCharacter(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
        return YamlText.codePoint(c) + " (a control character)";
      }
      if (c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 || c == 0x200e || c == 0x200f
          || c == 0x061c) {
        return YamlText.codePoint(c) + " (a bidirectional control character)";
      }
      i += Character.charCount(c);
    }
    return null;
  }
}
