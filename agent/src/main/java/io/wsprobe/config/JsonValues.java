package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;
import static io.wsprobe.config.NodeReader.item;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.wsprobe.config.NodeReader.Entry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * {@code <json>} values (socketio join args, marker data, the connect auth): YAML nodes
 * converted to a JSON tree within the expansion limits, and written as JSON text by jackson-core's
 * streaming generator. The tree is plain Java: {@code Map} (insertion-ordered), {@code List},
 * String, Boolean, a number or null.
 */
final class JsonValues {

  /** A {@code <json>} value (join.args, marker.data), with YAML aliases expanded. */
  static final int MAX_JSON_VALUES = 10_000;
  static final long MAX_JSON_BYTES = 1024 * 1024;

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private final NodeReader reader;
  private final Scalars scalars = new Scalars();
  /** Every {@code <json>} node converted so far, by identity: an alias is converted once. */
  private final Map<Node, Json> converted = new IdentityHashMap<>();

  JsonValues(NodeReader reader) {
    this.reader = reader;
  }

  /**
   * A {@code <json>} value converted, with the size of its JSON text once YAML aliases are
   * expanded: {@code values} counts every JSON value in it, {@code bytes} about its encoded
   * length. Both stop growing just past the limits.
   */
  record Json(Object value, long values, long bytes) {
  }

  static Set<Node> newIdentitySet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }

  static long capped(long a, long b) {
    return Math.min(a + b, MAX_JSON_BYTES + 1L);
  }

  static boolean pastLimits(long values, long bytes) {
    return values > MAX_JSON_VALUES || bytes > MAX_JSON_BYTES;
  }

  /**
   * Whether a whole {@code <json>} value fits the limits; reported when not. Aliases let a short
   * file name a value that is exponentially larger (25 levels of {@code [*prev, *prev]} are 2^25
   * values), and it is encoded whole into every message sent.
   */
  boolean fits(Json json, Node at, String path) {
    if (json.values() > MAX_JSON_VALUES) {
      reader.error(at, path, "expands to more than " + MAX_JSON_VALUES + " values");
      return false;
    }
    if (json.bytes() > MAX_JSON_BYTES) {
      reader.error(at, path, "expands to more than " + Sizes.format(MAX_JSON_BYTES) + " of JSON");
      return false;
    }
    return true;
  }

  /**
   * A YAML value as a JSON value. Scalars keep their YAML type ({@code 5} is a number, {@code "5"}
   * a string); a scalar of another type (a date, say) is its text as written. A node reached again
   * through an alias is converted once ({@link #converted}), so the work is the file's size, not
   * the expansion's; a collection stops being converted once it is past the limits.
   *
   * @param open the collections being converted, to catch an alias to an enclosing one
   */
  Json convert(Node node, String path, Set<Node> open) {
    Json done = converted.get(node);
    if (done != null) {
      return done;
    }
    Json json;
    if (node instanceof MappingNode || node instanceof SequenceNode) {
      if (!open.add(node)) {
        reader.error(node, path, "a YAML alias to an enclosing value cannot be written as JSON");
        return new Json(null, 1, 4);
      }
      long values = 1;
      long bytes = 2;
      if (node instanceof MappingNode) {
        Map<String, Object> object = new LinkedHashMap<>();
        Map<String, Entry> entries = reader.mapping(node, path, null);
        for (Entry entry : entries == null ? List.<Entry>of() : entries.values()) {
          Json value = convert(entry.value(), child(path, entry.key()), open);
          object.put(entry.key(), value.value());
          values = capped(values, value.values());
          bytes = capped(bytes, entry.key().length() + 4 + value.bytes());
          if (pastLimits(values, bytes)) {
            break;
          }
        }
        json = new Json(object, values, bytes);
      } else {
        List<Object> array = new ArrayList<>();
        for (Node item : ((SequenceNode) node).getValue()) {
          Json value = convert(item, item(path, array.size()), open);
          array.add(value.value());
          values = capped(values, value.values());
          bytes = capped(bytes, value.bytes() + 1);
          if (pastLimits(values, bytes)) {
            break;
          }
        }
        json = new Json(array, values, bytes);
      }
      open.remove(node);
    } else {
      ScalarNode scalar = (ScalarNode) node;
      Object value = scalar(scalar, path);
      json = new Json(value, 1, scalar.getValue().length() + 2L);
    }
    converted.put(node, json);
    return json;
  }

  private Object scalar(ScalarNode scalar, String path) {
    Tag tag = scalar.getTag();
    if (Tag.NULL.equals(tag)) {
      return null;
    }
    if (Tag.BOOL.equals(tag) || Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
      Object value;
      try {
        value = scalars.construct(scalar);
      } catch (YAMLException | NumberFormatException e) {
        reader.error(scalar, path, "cannot read " + NodeReader.kind(scalar) + " \""
            + scalar.getValue() + "\"");
        return null;
      }
      if (value instanceof Double number && !Double.isFinite(number)) {
        reader.error(scalar, path, "JSON has no infinity or NaN, got \"" + scalar.getValue() + "\"");
        return null;
      }
      return value;
    }
    return scalar.getValue();
  }

  /** Builds the value of a bool, int or float scalar the way YAML defines it (0x1F, 1_000, ...). */
  private static final class Scalars extends SafeConstructor {
    Scalars() {
      super(new LoaderOptions());
    }

    Object construct(ScalarNode node) {
      return constructObject(node);
    }
  }

  /** The JSON text of a tree built here: compact, fields in insertion order. */
  static String encode(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(value, generator);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static void write(Object value, JsonGenerator out) throws IOException {
    if (value == null) {
      out.writeNull();
    } else if (value instanceof Map<?, ?> map) {
      out.writeStartObject();
      for (Map.Entry<?, ?> field : map.entrySet()) {
        out.writeFieldName((String) field.getKey());
        write(field.getValue(), out);
      }
      out.writeEndObject();
    } else if (value instanceof List<?> list) {
      out.writeStartArray();
      for (Object item : list) {
        write(item, out);
      }
      out.writeEndArray();
    } else if (value instanceof String text) {
      out.writeString(text);
    } else if (value instanceof Boolean bool) {
      out.writeBoolean(bool);
    } else if (value instanceof Integer || value instanceof Long) {
      out.writeNumber(((Number) value).longValue()); // the same digits as writeNumber(int)
    } else if (value instanceof Double number) {
      out.writeNumber(number);
    } else if (value instanceof BigInteger number) {
      out.writeNumber(number);
    } else {
      out.writeString(value.toString());
    }
  }
}
