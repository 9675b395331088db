package io.wsprobe.prober;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The {@code expect: json} check: the value at a dotted path ({@code data.items.0.id}) equals a text. */
final class JsonField {
  private JsonField() {}

  static boolean equals(String text, String path, String expected) {
    Object node;
    try {
      node = Json.decodeValue(text);
    } catch (DecodeException e) {
      return false;
    }
    for (String key : path.split("\\.")) {
      if (node instanceof JsonObject o) {
        node = o.getValue(key);
      } else if (node instanceof JsonArray a && key.matches("\\d+") && Integer.parseInt(key) < a.size()) {
        node = a.getValue(Integer.parseInt(key));
      } else {
        return false;
      }
    }
    return node != null && String.valueOf(node).equals(expected);
  }
}
