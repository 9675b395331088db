package io.wsprobe.support;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites of the shipped rule files for tests, made on their text so that the shipped files stay
 * the single source: shorter windows and {@code for:} durations, another location quorum.
 */
public final class RuleFiles {

  /** A Prometheus duration such as 5m, 1h30m or 500ms, in a range selector or as a rule's for:. */
  private static final Pattern DURATION = Pattern.compile(
      "(\\[|^\\s*for: )((?:\\d+(?:ms|[smhdwy]))+)(?=[\\]:\\s])", Pattern.MULTILINE);
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|[smhdwy])");
  private static final Pattern QUORUM = Pattern.compile(
      "(expr: target:wsprobe_upgrade_failing_locations:count >= )(\\d+)");

  private RuleFiles() {}

  /**
   * Divides every range-selector window ({@code [5m]}) and {@code for:} duration by
   * {@code divisor}, never below {@code minSeconds}: 5m / 30 = 10s. Durations elsewhere (in
   * annotations, in thresholds such as {@code 14 * 86400}) are left alone.
   */
  public static String scaleDurations(String yaml, long divisor, long minSeconds) {
    Matcher m = DURATION.matcher(yaml);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      long millis = millis(m.group(2));
      long scaled = Math.max(minSeconds * 1000, millis / divisor);
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + format(scaled)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Sets N, the number of locations that must see a target's upgrades fail. */
  public static String withQuorum(String rulesYaml, int locations) {
    Matcher m = QUORUM.matcher(rulesYaml);
    if (!m.find()) {
      throw new IllegalStateException("no quorum rule (" + QUORUM.pattern() + ") in the rule file");
    }
    return m.replaceFirst(Matcher.quoteReplacement(m.group(1) + locations));
  }

  static long millis(String duration) {
    long total = 0;
    Matcher m = PART.matcher(duration);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total += switch (m.group(2)) {
        case "ms" -> n;
        case "s" -> n * 1000;
        case "m" -> n * 60_000;
        case "h" -> n * 3_600_000;
        case "d" -> n * 86_400_000;
        case "w" -> n * 7 * 86_400_000;
        default -> n * 365 * 86_400_000;
      };
    }
    return total;
  }

  static String format(long millis) {
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
