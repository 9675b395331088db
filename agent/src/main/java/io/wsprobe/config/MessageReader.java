package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;
import static io.wsprobe.config.NodeReader.item;

import io.wsprobe.config.Module.Expect;
import io.wsprobe.config.Module.Message;
import io.wsprobe.config.NodeReader.Entry;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * A module's {@code messages:}: each with its {@code expect:} and {@code capture:}, and the
 * {@code ${capture:name}} references between them (a name must be captured by an earlier step).
 */
final class MessageReader {

  static final List<String> KEYS = List.of("send", "send_base64", "expect", "count", "capture");
  static final Pattern CAPTURE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final List<String> EXPECT_KEYS = List.of("echo", "contains", "regex", "json");
  static final List<String> JSON_KEYS = List.of("path", "equals");
  static final int MAX_MESSAGE_COUNT = 1000;

  private final NodeReader reader;

  MessageReader(NodeReader reader) {
    this.reader = reader;
  }

  /** A message as read, with where its {@code send} is for the errors of its references. */
  private record Read(Message message, Node send, String path) {}

  /** The list's messages, in order, without those in error. */
  List<Message> readAll(List<Node> items, String path) {
    List<Read> read = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Read r = readOne(items.get(i), item(path, i));
      if (r != null) {
        read.add(r);
      }
    }
    Set<String> all = new TreeSet<>();
    read.forEach(r -> all.addAll(r.message().capture().keySet()));
    Set<String> before = new HashSet<>();
    List<Message> out = new ArrayList<>();
    for (Read r : read) {
      Message m = r.message();
      if (m.sends() && !m.binary()) {
        Matcher ref = Message.REFERENCE.matcher(m.payload());
        while (ref.find()) {
          String name = ref.group(1);
          if (!before.contains(name)) {
            reader.error(r.send(), child(r.path(), "send"), all.contains(name)
                ? "${capture:" + name + "} is used before a step captures it (a capture is kept from"
                    + " an earlier step's answer)"
                : "unknown capture '" + name + "'" + (all.isEmpty() ? " (no step has a capture)"
                    : " (captured: " + String.join(", ", all) + ")"));
          }
        }
      }
      before.addAll(m.capture().keySet());
      out.add(m);
    }
    return out;
  }

  Message read(Node node, String path) {
    Read r = readOne(node, path);
    return r == null ? null : r.message();
  }

  private Read readOne(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, KEYS);
    if (keys == null) {
      return null;
    }
    Entry text = keys.get("send");
    Entry binary = keys.get("send_base64");
    String payload = null;
    if (text != null && binary != null) {
      reader.error(binary.keyNode(), path, "set exactly one of send and send_base64, not both");
    } else if (text != null) {
      payload = reader.string(text.value(), child(path, "send"));
    } else if (binary != null) {
      String binaryPath = child(path, "send_base64");
      payload = reader.string(binary.value(), binaryPath);
      if (payload != null) {
        try {
          Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
          reader.error(binary.value(), binaryPath, "not valid base64");
          payload = null;
        }
      }
    }
    Entry expectKey = keys.get("expect");
    boolean waits = text == null && binary == null;
    if (waits && expectKey == null && !NodeReader.hasUnknown(keys, KEYS)) {
      reader.error(node, path, "set one of send and send_base64, or expect alone to wait for the"
          + " server's next message");
      return null;
    }

    Expect expect = new Expect(Expect.Kind.ANY, null, null);
    if (expectKey != null) {
      expect = expect(expectKey.value(), child(path, "expect"));
      if (waits && expect != null && expect.kind() == Expect.Kind.ECHO) {
        reader.error(expectKey.value(), child(path, "expect"),
            "echo needs a send (a step without send waits for the server's next message)");
        expect = null;
      }
    }

    Map<String, String> capture = Map.of();
    Entry captureKey = keys.get("capture");
    if (captureKey != null) {
      capture = capture(captureKey.value(), child(path, "capture"));
    }

    int count = 1;
    Entry countKey = keys.get("count");
    if (countKey != null) {
      String countPath = child(path, "count");
      Long value = reader.integer(countKey.value(), countPath);
      if (value != null && (value < 1 || value > MAX_MESSAGE_COUNT)) {
        reader.error(countKey.value(), countPath,
            "must be between 1 and " + MAX_MESSAGE_COUNT + ", got " + value);
      } else if (value != null) {
        count = value.intValue();
      }
    }
    if ((payload == null && !waits) || expect == null || capture == null) {
      return null;
    }
    return new Read(new Message(payload, binary != null, expect, count, capture),
        text == null ? null : text.value(), path);
  }

  /** {@code name: regex} pairs; each regex has exactly one group, the value kept. */
  private Map<String, String> capture(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, null);
    if (keys == null) {
      return null;
    }
    if (keys.isEmpty()) {
      reader.error(node, path, "name at least one capture, as name: regex with one group");
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    boolean ok = true;
    for (Entry e : keys.values()) {
      String at = child(path, e.key());
      if (!CAPTURE_NAME.matcher(e.key()).matches()) {
        reader.error(e.keyNode(), at, "invalid capture name; it must match " + CAPTURE_NAME.pattern());
        ok = false;
        continue;
      }
      String regex = reader.nonEmptyString(e.value(), at);
      Pattern compiled = regex == null ? null : compile(regex, e.value(), at);
      if (compiled == null) {
        ok = false;
      } else if (compiled.matcher("").groupCount() != 1) {
        reader.error(e.value(), at, "the regex must have exactly one group (the value kept), it has "
            + compiled.matcher("").groupCount() + "; make other groups non-capturing: (?:...)");
        ok = false;
      } else {
        out.put(e.key(), regex);
      }
    }
    return ok ? Collections.unmodifiableMap(out) : null;
  }

  private Pattern compile(String regex, Node at, String path) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      reader.error(at, path, "invalid regex: " + e.getDescription()
          + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
      return null;
    }
  }

  private Expect expect(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, EXPECT_KEYS);
    if (keys == null) {
      return null;
    }
    List<Entry> kinds = keys.values().stream().filter(e -> EXPECT_KEYS.contains(e.key())).toList();
    if (kinds.size() != 1) {
      if (kinds.size() > 1) {
        reader.error(kinds.get(1).keyNode(), path,
            "set exactly one of echo, contains, regex and json, not several");
      } else if (!NodeReader.hasUnknown(keys, EXPECT_KEYS)) {
        reader.error(node, path, "set exactly one of echo, contains, regex and json "
            + "(leave expect out to accept any answer)");
      }
      return null;
    }
    Entry kind = kinds.get(0);
    String kindPath = child(path, kind.key());
    switch (kind.key()) {
      case "echo" -> {
        Boolean echo = reader.bool(kind.value(), kindPath);
        if (Boolean.FALSE.equals(echo)) {
          reader.error(kind.value(), kindPath,
              "only echo: true is meaningful (leave expect out to accept any answer)");
        }
        return Boolean.TRUE.equals(echo) ? Expect.echo() : null;
      }
      case "contains" -> {
        String text = reader.nonEmptyString(kind.value(), kindPath);
        return text == null ? null : new Expect(Expect.Kind.CONTAINS, text, null);
      }
      case "regex" -> {
        String regex = reader.nonEmptyString(kind.value(), kindPath);
        return regex == null || compile(regex, kind.value(), kindPath) == null ? null
            : new Expect(Expect.Kind.REGEX, regex, null);
      }
      default -> {
        return jsonExpect(kind.value(), kindPath);
      }
    }
  }

  private Expect jsonExpect(Node node, String path) {
    Map<String, Entry> keys = reader.mapping(node, path, JSON_KEYS);
    if (keys == null) {
      return null;
    }
    String jsonPath = null;
    String equals = null;
    Entry pathKey = keys.get("path");
    Entry equalsKey = keys.get("equals");
    if (pathKey == null) {
      reader.error(node, child(path, "path"), "missing required key");
    } else {
      jsonPath = reader.nonEmptyString(pathKey.value(), child(path, "path"));
      if (jsonPath != null && List.of(jsonPath.split("\\.", -1)).contains("")) {
        reader.error(pathKey.value(), child(path, "path"),
            "must be field names separated by dots, such as data.status");
        jsonPath = null;
      }
    }
    if (equalsKey == null) {
      reader.error(node, child(path, "equals"), "missing required key");
    } else {
      equals = reader.string(equalsKey.value(), child(path, "equals"));
    }
    return jsonPath == null || equals == null ? null
        : new Expect(Expect.Kind.JSON, equals, jsonPath);
  }
}
