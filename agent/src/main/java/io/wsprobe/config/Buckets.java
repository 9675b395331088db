package io.wsprobe.config;

import java.util.List;

/**
 * Histogram bucket boundaries in seconds ({@code global.buckets}). Small, explicit sets that
 * contain the alert thresholds; at most {@link #MAX_BUCKETS} each.
 */
public record Buckets(List<Double> probeDuration, List<Double> phaseDuration,
                      List<Double> messageRtt, List<Double> schedulerLag,
                      List<Double> broadcastDelay) {

  public static final int MAX_BUCKETS = 12;

  public static Buckets defaults() {
    // 10 bounds per target histogram keep a default ws:// target within 60 series (docs/metrics.md);
    // 0.5 and 1 are the alert thresholds
    return new Buckets(
        List.of(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
        List.of(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5));
  }
}
