package io.wsprobe.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The two log layouts, one line per event, fed events as SLF4J's fluent API builds them. */
class LoggingTest {

  static final Instant AT = Instant.parse("2025-03-01T12:34:56.789Z");

  static LoggingEvent event(Level level, String message, Object... keyValues) {
    LoggingEvent e = new LoggingEvent();
    e.setLevel(level);
    e.setLoggerName("io.wsprobe.Agent");
    e.setMessage(message);
    e.setTimeStamp(AT.toEpochMilli());
    for (int i = 0; i < keyValues.length; i += 2) {
      e.addKeyValuePair(new KeyValuePair((String) keyValues[i], keyValues[i + 1]));
    }
    return e;
  }

  @Nested
  class Logfmt {
    final Logging.LogfmtLayout layout = new Logging.LogfmtLayout();

    String line(LoggingEvent e) {
      String text = layout.doLayout(e);
      assertThat(text).endsWith("\n");
      assertThat(text.substring(0, text.length() - 1)).as("one line per event").doesNotContain("\n", "\r");
      return text.substring(0, text.length() - 1);
    }

    @Test
    void plainValuesStayBare() {
      assertThat(line(event(Level.INFO, "started", "port", 9747, "target", "app-collab", "ok", true)))
          .isEqualTo("ts=2025-03-01T12:34:56.789Z level=info logger=Agent msg=started port=9747"
              + " target=app-collab ok=true");
    }

    @Test
    void valuesWithSpacesQuotesOrEqualsAreQuoted() {
      assertThat(line(event(Level.WARN, "target failing", "detail", "got HTTP 200 text/html",
          "said", "he said \"no\"", "query", "a=b", "path", "C:\\dir", "empty", "")))
          .isEqualTo("ts=2025-03-01T12:34:56.789Z level=warn logger=Agent msg=\"target failing\""
              + " detail=\"got HTTP 200 text/html\" said=\"he said \\\"no\\\"\" query=\"a=b\""
              + " path=\"C:\\\\dir\" empty=\"\"");
    }

    @Test
    void lineBreaksAndTabsAreEscapedSoAnEventStaysOnOneLine() {
      assertThat(line(event(Level.ERROR, "reload failed", "err", "wsprobe.yml:3: x\nwsprobe.yml:4: y\r\n\tz")))
          .endsWith(" err=\"wsprobe.yml:3: x\\nwsprobe.yml:4: y\\r\\n\\tz\"");
    }

    @Test
    void otherControlCharactersAreEscapedToo() {
      assertThat(line(event(Level.WARN, "m", "detail", "a\u001b[31mred\u0000\u009b")))
          .endsWith(" detail=\"a\\u001b[31mred\\u0000\\u009b\"");
      assertThat(line(event(Level.WARN, "m", "detail", "bare\u0085"))).endsWith(" detail=\"bare\\u0085\"");
    }

    @Test
    void nullValuesAndExceptionsAreShown() {
      LoggingEvent e = event(Level.ERROR, "failed", "detail", null);
      e.setThrowableProxy(new ThrowableProxy(new IOException("disk full")));
      assertThat(line(e)).endsWith(" msg=failed detail=null err=\"java.io.IOException: disk full\"");
    }
  }

  @Nested
  class Json {
    final Logging.JsonLayout layout = new Logging.JsonLayout();

    JsonObject line(LoggingEvent e) {
      String text = layout.doLayout(e);
      assertThat(text).endsWith("\n");
      assertThat(text.substring(0, text.length() - 1)).as("one line per event").doesNotContain("\n");
      return new JsonObject(text);
    }

    @Test
    void carriesTheStandardFieldsAndTheKeyValues() {
      JsonObject o = line(event(Level.INFO, "target healthy", "target", "app-collab", "status", 101,
          "duration_ms", 12.5, "ok", true));
      assertThat(o.fieldNames()).containsExactly("ts", "level", "logger", "msg", "target", "status", "duration_ms", "ok");
      assertThat(o.getString("ts")).isEqualTo("2025-03-01T12:34:56.789Z");
      assertThat(o.getString("level")).isEqualTo("info");
      assertThat(o.getString("logger")).isEqualTo("Agent");
      assertThat(o.getString("msg")).isEqualTo("target healthy");
      assertThat(o.getString("target")).isEqualTo("app-collab");
      assertThat(o.getInteger("status")).isEqualTo(101);
      assertThat(o.getDouble("duration_ms")).isEqualTo(12.5);
      assertThat(o.getBoolean("ok")).isTrue();
    }

    @Test
    void quotesLineBreaksAndControlCharactersStayInsideTheString() {
      String tricky = "he said \"no\"\nthen \\ left\t\u001b[0m";
      JsonObject o = line(event(Level.WARN, "a \"quoted\" message", "detail", tricky));
      assertThat(o.getString("msg")).isEqualTo("a \"quoted\" message");
      assertThat(o.getString("detail")).isEqualTo(tricky);
    }

    @Test
    void otherValuesBecomeStringsAndExceptionsAField() {
      LoggingEvent e = event(Level.ERROR, "failed", "config", Path.of("wsprobe.yml"), "none", null);
      e.setThrowableProxy(new ThrowableProxy(new IOException("disk full")));
      JsonObject o = line(e);
      assertThat(o.getString("config")).isEqualTo("wsprobe.yml");
      assertThat(o.getString("none")).isEqualTo("null");
      assertThat(o.getString("err")).isEqualTo("java.io.IOException: disk full");
    }
  }
}
