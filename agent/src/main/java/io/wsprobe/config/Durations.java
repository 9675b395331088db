package io.wsprobe.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus-style durations: one or more {@code <integer><unit>} parts, largest unit first, each
 * unit at most once. Units: {@code y} (365d), {@code w}, {@code d}, {@code h}, {@code m},
 * {@code s}, {@code ms}. Examples: {@code 500ms}, {@code 5s}, {@code 1m30s}, {@code 2h},
 * {@code 1d}.
 */
public final class Durations {

  private static final Pattern DURATION = Pattern.compile(
      "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
  private static final long[] UNIT_MILLIS = {
      365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600L * 1000, 60L * 1000,
      1000L, 1L};

  static final String EXAMPLES = "500ms, 30s, 1m30s, 2h, 1d";

  private Durations() {}

  /**
   * Parses a duration such as {@code 1m30s}.
   *
   * @throws IllegalArgumentException with a message fit for a human when the text is not one
   */
  public static Duration parse(String text) {
    Matcher matcher = DURATION.matcher(text == null ? "" : text);
    if (text == null || text.isEmpty() || !matcher.matches()) {
      throw new IllegalArgumentException(
          "invalid duration \"" + text + "\" (examples: " + EXAMPLES + ")");
    }
    long millis = 0;
    try {
      for (int i = 0; i < UNITS.length; i++) {
        String digits = matcher.group(i + 1);
        if (digits != null) {
          millis = Math.addExact(millis, Math.multiplyExact(Long.parseLong(digits), UNIT_MILLIS[i]));
        }
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration \"" + text + "\" is too long");
    }
    return Duration.ofMillis(millis);
  }

  /**
   * Formats a duration the way {@link #parse} reads it, largest unit first: 90 seconds is
   * {@code 1m30s}, zero is {@code 0s}. Anything below a millisecond is dropped.
   */
  public static String format(Duration duration) {
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    long millis = duration.toMillis();
    if (millis == 0) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < UNITS.length; i++) {
      long count = millis / UNIT_MILLIS[i];
      if (count > 0) {
        text.append(count).append(UNITS[i]);
        millis -= count * UNIT_MILLIS[i];
      }
    }
    return text.toString();
  }
}
