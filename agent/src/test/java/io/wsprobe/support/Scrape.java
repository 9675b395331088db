package io.wsprobe.support;

import java.util.function.Predicate;

/** Reads values out of a {@code /metrics} answer in the text format, as the tests check them. */
public final class Scrape {

  private Scrape() {}

  /** The value of one series, {@code name{labels}} exactly as scraped; -1 when it is absent. */
  public static double value(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElse(-1);
  }

  /** The sum of the values on the sample lines that {@code line} accepts (comments never). */
  public static double sum(String scrape, Predicate<String> line) {
    return scrape.lines().filter(l -> !l.startsWith("#") && line.test(l))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
