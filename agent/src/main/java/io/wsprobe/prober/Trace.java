package io.wsprobe.prober;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one probe did, step by step, for a human: {@code wsprobe probe} prints it, the log keeps
 * its summary. Everything added here is already redacted; callers never put secrets in.
 */
public final class Trace {

  /** One line; {@code atNanos} is the time since the probe started. */
  public record Entry(long atNanos, String kind, String text) {}

  private final long startNanos;
  private final List<Entry> entries = new ArrayList<>();

  public Trace(long startNanos) {
    this.startNanos = startNanos;
  }

  public void step(String name, long durationNanos, String text) {
    add("step", String.format(Locale.ROOT, "%-12s %9s  %s", name, millis(durationNanos), text));
  }

  public void note(String text) {
    add("note", text);
  }

  public void sent(String text) {
    add("sent", text);
  }

  public void received(String text) {
    add("received", text);
  }

  private void add(String kind, String text) {
    entries.add(new Entry(System.nanoTime() - startNanos, kind, text));
  }

  public List<Entry> entries() {
    return entries;
  }

  public static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
  }

  /** The trace as indented text lines, one entry per line (multi-line entries indented). */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Entry e : entries) {
      String prefix = switch (e.kind()) {
        case "sent" -> "  > ";
        case "received" -> "  < ";
        case "note" -> "  - ";
        default -> "";
      };
      for (String line : e.text().split("\n", -1)) {
        out.append(prefix).append(line).append('\n');
      }
    }
    return out.toString();
  }
}
