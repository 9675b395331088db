package io.wsprobe.metrics;

import io.wsprobe.config.Config;
import io.wsprobe.config.ConfigException;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.prober.Hop;
import io.wsprobe.prober.Phase;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A config that exercises every per-target family and label rule (extra labels missing on some
 * targets, values to escape, an IP literal, wss, messages, a hold, a broadcast, results never
 * seen), and fixed results for it: the input of the golden scrapes in src/test/resources/metrics.
 */
final class ScrapeFixture {
  private ScrapeFixture() {}

  static Config config() throws ConfigException {
    return ConfigLoader.parse("""
        global:
          labels: { location: "lab \\"7\\"" }
        modules:
          echo:
            messages: [ { send: hi, expect: { echo: true } } ]
          idle:
            hold: { duration: 5s }
          room:
            protocol: raw
            broadcast: { receivers: 2 }
        targets:
          - { name: by-name, url: "wss://app.example:8443/collab?token=s3cret", module: echo, labels: { team: "a\\\\b" } }
          - { name: by-ip, url: "ws://127.0.0.1:9/x" }
          - { name: held, url: "ws://[::1]:9/held", module: idle, labels: { team: docs } }
          - { name: room, url: "ws://room.example/r", module: room }
          - { name: never, url: "ws://never.example/" }
        """, "golden.yml", Path.of("."), n -> null);
  }

  static ProbeResult result(Result result, int status, long nanos) {
    return result(result, status, nanos, Hop.UNKNOWN);
  }

  static ProbeResult result(Result result, int status, long nanos, Hop hop) {
    Map<Phase, Long> phases = new EnumMap<>(Phase.class);
    phases.put(Phase.DNS, 1_000_000L);
    phases.put(Phase.CONNECT, 2_500_000L);
    phases.put(Phase.TLS, 40_000_000L);
    phases.put(Phase.UPGRADE, nanos / 2);
    return new ProbeResult(result, "detail", "", nanos, phases, status, List.of(3_000_000L, 700_000_000L),
        4_200_000_000L, Instant.ofEpochSecond(1_900_000_000L), 1000, "", "", List.of(9_000_000L, 2_000_000_000L),
        1, null, 0, hop);
  }

  /** Feeds the fixed results: every family gets a value, {@code never} none. */
  static void record(java.util.function.BiConsumer<String, ProbeResult> record, Runnable skipByName) {
    // the hop named by the 101 stays while later answers name none
    record.accept("by-name", result(Result.SUCCESS, 101, 120_000_000L, Hop.NGINX));
    record.accept("by-name", result(Result.UPGRADE_REJECTED, 403, 2_000_000_000L));
    record.accept("by-ip", result(Result.SUCCESS, 101, 4_000_000L));
    record.accept("held", result(Result.SUCCESS, 101, 5_100_000_000L));
    record.accept("room", result(Result.CONNECT_REFUSED, 0, 30_000_000L));
    skipByName.run();
  }
}
