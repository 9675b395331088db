package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonValues} writes with jackson-core what Vert.x's {@code JsonObject.encode()} wrote
 * before config stopped depending on Vert.x: the messages sent depend on it, byte for byte.
 */
class JsonValuesTest {

  private static Map<String, Object> sample() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("quote\"and\\backslash", "line\nbreak\ttab\u0001control\u007fdel");
    inner.put("unicode", "caf\u00e9 \ud83d\ude00 \u2028 </script>");
    inner.put("null", null);
    List<Object> list = new ArrayList<>(Arrays.asList(1, 2_147_483_648L,
        new BigInteger("123456789012345678901234567890"), 0.1, 1.0e10, -0.0, 1.5e-7, true, false,
        null, "", List.of(), Map.of()));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("z", "first");
    root.put("a", list);
    root.put("inner", inner);
    return root;
  }

  @Test
  void anObjectIsTheTextVertxWrote() {
    assertThat(JsonValues.encode(sample())).isEqualTo(new JsonObject(sample()).encode());
  }

  @Test
  void anArrayIsTheTextVertxWrote() {
    List<Object> args = List.of("room-1", 42, Map.of("k", "v"));
    assertThat(JsonValues.encode(args)).isEqualTo(new JsonArray(args).encode());
    assertThat(JsonValues.encode(List.of())).isEqualTo("[]");
  }

  @Test
  void markerDataFromYamlIsTheTextVertxWrote() throws Exception {
    Config config = ConfigTesting.parse("""
        modules:
          chat:
            protocol: socketio
            socketio:
              marker:
                data: { room: "é\\u0001", n: 0x1F, big: 12345678901234567890, f: 1.5e3, ok: yes, nothing: ~ }
        """);
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("room", "\u00e9\u0001");
    expected.put("n", 31);
    expected.put("big", new BigInteger("12345678901234567890"));
    expected.put("f", 1500.0);
    expected.put("ok", true);
    expected.put("nothing", null);
    assertThat(config.modules().get("chat").app().socketio().marker().json())
        .isEqualTo(new JsonObject(expected).encode());
  }
}
