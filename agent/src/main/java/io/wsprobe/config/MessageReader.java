package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.Module.Expect;
import io.wsprobe.config.Module.Message;
import io.wsprobe.config.NodeReader.Entry;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;

/** One of a module's {@code messages:} and its {@code expect:}. */
final class MessageReader {

  static final List<String> KEYS = List.of("send", "send_base64", "expect", "count");
  static final List<String> EXPECT_KEYS = List.of("echo", "contains", "regex", "json");
  static final List<String> JSON_KEYS = List.of("path", "equals");
  static final int MAX_MESSAGE_COUNT = 1000;

  private final NodeReader reader;

  MessageReader(NodeReader reader) {
    this.reader = reader;
  }

  Message read(Node node, String path) {
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
    } else if (!NodeReader.hasUnknown(keys, KEYS)) {
      reader.error(node, path, "set exactly one of send and send_base64");
    }

    Expect expect = new Expect(Expect.Kind.ANY, null, null);
    Entry expectKey = keys.get("expect");
    if (expectKey != null) {
      expect = expect(expectKey.value(), child(path, "expect"));
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
    return payload == null || expect == null ? null
        : new Message(payload, binary != null, expect, count);
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
        if (regex == null) {
          return null;
        }
        try {
          Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
          reader.error(kind.value(), kindPath, "invalid regex: " + e.getDescription()
              + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
          return null;
        }
        return new Expect(Expect.Kind.REGEX, regex, null);
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
