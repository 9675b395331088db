package io.wsprobe.metrics;

import java.util.List;

/** A classic histogram: a count per bucket (not cumulative) and the sum, in nanoseconds. */
final class Histogram {

  /** Bucket upper bounds in seconds and nanoseconds, +Inf last. */
  static final class Bounds {
    final long[] nanos;
    /** {@code ,le="0.005"} for each bucket, +Inf last. */
    final byte[][] le;

    Bounds(List<Double> bounds) {
      nanos = new long[bounds.size()];
      le = new byte[bounds.size() + 1][];
      for (int i = 0; i < bounds.size(); i++) {
        nanos[i] = Math.round(bounds.get(i) * 1e9);
        le[i] = ProbeFamily.ascii(",le=\"" + bounds.get(i) + "\"} ");
      }
      le[bounds.size()] = ProbeFamily.ascii(",le=\"+Inf\"} ");
    }
  }

  final Bounds bounds;
  final long[] counts;
  long sumNanos;

  Histogram(Bounds bounds) {
    this.bounds = bounds;
    this.counts = new long[bounds.le.length];
  }

  private Histogram(Histogram h) {
    this.bounds = h.bounds;
    this.counts = h.counts.clone();
    this.sumNanos = h.sumNanos;
  }

  void observe(long nanos) {
    long[] upper = bounds.nanos;
    int i = 0;
    while (i < upper.length && nanos > upper[i]) {
      i++;
    }
    counts[i]++;
    sumNanos += nanos;
  }

  Histogram copy() {
    return new Histogram(this);
  }

  /** Its bucket, {@code _count} and {@code _sum} lines, the same in both exposition formats. */
  void write(TextOut out, ProbeFamily family, byte[] labels) {
    long cumulative = 0;
    for (int i = 0; i < counts.length; i++) {
      cumulative += counts[i];
      out.bytes(family.bucket);
      out.bytes(labels);
      out.bytes(bounds.le[i]);
      out.number(cumulative);
      out.write('\n');
    }
    out.bytes(family.count);
    out.bytes(labels);
    out.bytes(ProbeMetrics.CLOSE);
    out.number(cumulative);
    out.write('\n');
    ProbeMetrics.sample(out, family.sum, labels, sumNanos / 1e9);
  }
}
