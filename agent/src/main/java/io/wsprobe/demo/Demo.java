package io.wsprobe.demo;

import io.wsprobe.config.Buckets;
import io.wsprobe.config.Config;
import io.wsprobe.config.Global;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Trace;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The embedded default: what {@code wsprobe demo} probes, and how it prints each result. */
public final class Demo {

  /** HH:mm:ss always (LocalTime's own text drops :00 seconds, and the columns shift). */
  private static final java.time.format.DateTimeFormatter TIME = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss");

  static final Duration INTERVAL = Duration.ofSeconds(5);
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private Demo() {}

  /** Targets on the demo servers: an echo session, a room broadcast, and a broken proxy. */
  public static Config config(DemoServers servers) {
    Module echo = new Module("echo", Map.of(), null, List.of(), Module.Tls.defaults(),
        Module.IpProtocol.IP4, true, Module.DEFAULT_MAX_MESSAGE_BYTES,
        List.of(new Module.Message("wsprobe-demo", false, Module.Expect.echo(), 3)), null);
    Module room = new Module("room", Map.of(), null, List.of(), Module.Tls.defaults(),
        Module.IpProtocol.IP4, true, Module.DEFAULT_MAX_MESSAGE_BYTES, List.of(), null,
        new Module.App(Module.Protocol.RAW, new Module.Broadcast(2, Duration.ofSeconds(2)), null, null, null));
    Map<String, Module> modules = new LinkedHashMap<>();
    modules.put(Module.DEFAULT_NAME, Module.defaults());
    modules.put(echo.name(), echo);
    modules.put(room.name(), room);
    Map<String, String> labels = Map.of("location", "demo");
    Global global = new Global(INTERVAL, TIMEOUT, labels, 16, Buckets.defaults());
    List<Target> targets = List.of(
        new Target("demo-echo", URI.create("ws://127.0.0.1:" + servers.appPort() + "/echo"),
            "echo", labels, INTERVAL, TIMEOUT),
        new Target("demo-room", URI.create("ws://127.0.0.1:" + servers.appPort() + "/room/demo"),
            "room", labels, INTERVAL, TIMEOUT),
        new Target("demo-broken-proxy",
            URI.create("ws://127.0.0.1:" + servers.brokenProxyPort() + "/collab"),
            Module.DEFAULT_NAME, labels, INTERVAL, TIMEOUT));
    return new Config("embedded demo", global, modules, targets);
  }

  /** One line per result: time, target, result, and the timings or the reason. */
  public static void print(PrintStream out, Target target, ProbeResult r) {
    print(out, LocalTime.now(), target, r);
  }

  static void print(PrintStream out, LocalTime now, Target target, ProbeResult r) {
    StringBuilder line = new StringBuilder()
        .append(TIME.format(now)).append("  ")
        .append(String.format("%-18s %-17s", target.name(), r.result().label()))
        .append(Trace.millis(r.durationNanos()));
    if (r.success()) {
      StringBuilder phases = new StringBuilder();
      r.phases().forEach((p, n) -> phases.append(phases.length() == 0 ? "" : ", ")
          .append(p.label()).append(' ').append(Trace.millis(n)));
      line.append("  (").append(phases);
      if (!r.rttNanos().isEmpty()) {
        line.append(", rtt ").append(Trace.millis(r.rttNanos().get(r.rttNanos().size() - 1)));
      }
      for (long delay : r.broadcastDelaysNanos()) {
        line.append(", broadcast ").append(Trace.millis(delay));
      }
      line.append(')');
    } else {
      line.append("  ").append(r.detail());
    }
    out.println(line);
  }
}
