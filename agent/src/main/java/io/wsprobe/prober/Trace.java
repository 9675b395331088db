package io.wsprobe.prober;

import io.wsprobe.config.Redactor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What one probe did, step by step, for a human: {@code wsprobe probe} prints it, the log keeps
 * its summary. Callers put no secret in on purpose; what a server echoed may still hold one, so
 * every entry goes through the probe's {@link Redactor} when it is put into words.
 */
public final class Trace {

  /**
   * One line; {@code atNanos} is the time since the probe started. A step keeps its name and
   * duration apart and is formatted only when shown: most traces never are (scheduled probes).
   */
  public record Entry(long atNanos, String kind, String name, long durationNanos, Supplier<String> detail) {
    public String text() {
      return kind.equals("step")
          ? String.format(Locale.ROOT, "%-12s %9s  %s", name, millis(durationNanos), detail.get()) : detail.get();
    }
  }

  private final long startNanos;
  private final Redactor redactor;
  /** False for a trace nobody will read (a scheduled probe's): what is put in is dropped. */
  private final boolean kept;
  private final List<Entry> entries;

  public Trace(long startNanos, Redactor redactor) {
    this(startNanos, redactor, true);
  }

  private Trace(long startNanos, Redactor redactor, boolean kept) {
    this.startNanos = startNanos;
    this.redactor = redactor;
    this.kept = kept;
    this.entries = kept ? new ArrayList<>() : List.of();
  }

  /**
   * A trace that keeps nothing, for a probe whose trace no one reads: the scheduler's (only
   * {@code wsprobe probe} and {@code /probe} show one), which would otherwise pay for its entries
   * on every probe.
   */
  public static Trace discarded(long startNanos) {
    return new Trace(startNanos, Redactor.NONE, false);
  }

  public void step(String name, long durationNanos, String text) {
    if (!kept) {
      return;
    }
    entries.add(new Entry(System.nanoTime() - startNanos, "step", name, durationNanos,
        () -> redactor.applyToReport(text)));
  }

  /** A step whose text is put into words only if the trace is shown (most never are). */
  public void step(String name, long durationNanos, Supplier<String> text) {
    if (!kept) {
      return;
    }
    entries.add(new Entry(System.nanoTime() - startNanos, "step", name, durationNanos,
        () -> redactor.applyToReport(text.get())));
  }

  public void note(String text) {
    add("note", () -> text);
  }

  public void sent(String text) {
    add("sent", () -> text);
  }

  /** What was sent, put into words only if the trace is shown. */
  public void sent(Supplier<String> text) {
    add("sent", text);
  }

  public void received(String text) {
    add("received", () -> text);
  }

  /** What was received, put into words only if the trace is shown. */
  public void received(Supplier<String> text) {
    add("received", text);
  }

  private void add(String kind, Supplier<String> text) {
    if (!kept) {
      return;
    }
    // what was received is the peer's own text: every secret goes, however short
    entries.add(new Entry(System.nanoTime() - startNanos, kind, null, 0, kind.equals("received")
        ? () -> redactor.apply(text.get()) : () -> redactor.applyToReport(text.get())));
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
