package io.wsprobe.config;

import java.time.Duration;
import java.util.Map;

/**
 * The {@code global:} section.
 *
 * @param interval             default time between two probes of a target
 * @param timeout              default limit for one whole probe; below {@code interval}
 * @param labels               extra labels put on every target's series (e.g. {@code location})
 * @param maxConcurrentProbes  probes in flight at once, over all targets
 * @param buckets              histogram bucket boundaries, in seconds
 */
public record Global(Duration interval, Duration timeout, Map<String, String> labels,
                     int maxConcurrentProbes, Buckets buckets) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_CONCURRENT_PROBES = 256;

  public static Global defaults() {
    return new Global(DEFAULT_INTERVAL, DEFAULT_TIMEOUT, Map.of(), DEFAULT_MAX_CONCURRENT_PROBES,
        Buckets.defaults());
  }
}
