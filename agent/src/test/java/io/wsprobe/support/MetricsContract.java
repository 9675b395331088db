package io.wsprobe.support;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names of docs/metrics.md, for checking what alerts and dashboards query. */
public final class MetricsContract {

  /** A wsprobe metric name in PromQL; not a part of a recording rule name (level:metric:ops). */
  private static final Pattern USED = Pattern.compile("(?<![:\\w])(wsprobe_[a-z_]+)(?![:\\w])");

  private MetricsContract() {}

  public static Set<String> documented() throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("`(wsprobe_[a-z_]+)`").matcher(Files.readString(Repo.file("docs/metrics.md")));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The metrics PromQL text uses, histogram series ({@code _bucket}, {@code _count}, …) by their base name. */
  public static Set<String> used(String promql) {
    Set<String> used = new TreeSet<>();
    Matcher m = USED.matcher(promql);
    while (m.find()) {
      used.add(m.group(1).replaceFirst("_(bucket|count|sum|max)$", ""));
    }
    return used;
  }
}
