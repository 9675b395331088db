package io.wsprobe.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Structured logs on stderr, as logfmt ({@code ts=… level=info msg="…" target=…}) or one JSON
 * object per line, chosen by {@code --log.format}. Key-value pairs come from SLF4J's fluent API
 * ({@code log.atInfo().addKeyValue(..)}); callers never pass secrets in them.
 */
public final class Logging {

  public enum Format { LOGFMT, JSON }

  private Logging() {}

  public static void configure(String level, Format format) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    configure(ctx, level, format);
  }

  /** Logs of {@code io.wsprobe} from {@code level} up, and of the libraries from warn up, on stderr. */
  static void configure(LoggerContext ctx, String level, Format format) {
    LayoutBase<ILoggingEvent> layout = format == Format.JSON ? new JsonLayout() : new LogfmtLayout();
    layout.setContext(ctx);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(ctx);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    Level wanted = Level.toLevel(level, Level.INFO);
    root.setLevel(Level.WARN);
    ctx.getLogger("io.wsprobe").setLevel(wanted);
  }

  /** Parses {@code --log.level}; null when unknown. */
  public static String checkLevel(String level) {
    return switch (level.toLowerCase(Locale.ROOT)) {
      case "debug", "info", "warn", "error" -> level.toLowerCase(Locale.ROOT);
      default -> null;
    };
  }

  private static String shortName(String logger) {
    int dot = logger.lastIndexOf('.');
    return dot < 0 ? logger : logger.substring(dot + 1);
  }

  static final class LogfmtLayout extends LayoutBase<ILoggingEvent> {
    @Override
    public String doLayout(ILoggingEvent e) {
      StringBuilder out = new StringBuilder(160);
      out.append("ts=").append(Instant.ofEpochMilli(e.getTimeStamp()));
      out.append(" level=").append(e.getLevel().toString().toLowerCase(Locale.ROOT));
      out.append(" logger=").append(shortName(e.getLoggerName()));
      pair(out, "msg", e.getFormattedMessage());
      if (e.getKeyValuePairs() != null) {
        for (KeyValuePair kv : e.getKeyValuePairs()) {
          pair(out, kv.key, String.valueOf(kv.value));
        }
      }
      if (e.getThrowableProxy() != null) {
        pair(out, "err", e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage());
      }
      return out.append('\n').toString();
    }

    private static void pair(StringBuilder out, String key, String value) {
      out.append(' ').append(key).append('=');
      boolean quote = value.isEmpty();
      for (int i = 0; i < value.length() && !quote; i++) {
        char c = value.charAt(i);
        quote = c <= ' ' || c == '"' || c == '=' || c == '\\' || Character.isISOControl(c);
      }
      if (!quote) {
        out.append(value);
        return;
      }
      out.append('"');
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            // other control characters (from a peer's close reason, say) would reach the terminal
            if (Character.isISOControl(c)) {
              out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
  }

  static final class JsonLayout extends LayoutBase<ILoggingEvent> {
    @Override
    public String doLayout(ILoggingEvent e) {
      JsonObject o = new JsonObject()
          .put("ts", Instant.ofEpochMilli(e.getTimeStamp()).toString())
          .put("level", e.getLevel().toString().toLowerCase(Locale.ROOT))
          .put("logger", shortName(e.getLoggerName()))
          .put("msg", e.getFormattedMessage());
      if (e.getKeyValuePairs() != null) {
        for (KeyValuePair kv : e.getKeyValuePairs()) {
          o.put(kv.key, kv.value instanceof Number || kv.value instanceof Boolean ? kv.value : String.valueOf(kv.value));
        }
      }
      if (e.getThrowableProxy() != null) {
        o.put("err", e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage());
      }
      return o.encode() + "\n";
    }
  }
}
