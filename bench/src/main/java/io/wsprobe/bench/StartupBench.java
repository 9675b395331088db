package io.wsprobe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a one-shot {@code wsprobe probe} and {@code wsprobe --version} take from the shell,
 * through the launcher as users run them (wall time by hyperfine, CPU by hyperfine's user and
 * system times), with the class-data archive and without it ({@code WSPROBE_CDS=off}), and
 * optionally the same for another checkout ({@code --before DIR}, built there by its own
 * launcher); then whether the one probe's figures stay right: the measured minus the injected
 * delay of the only probe of fresh processes, on the echo round trip and the upgrade.
 * The variants alternate in rounds, so a change of load hits them alike; the load average is
 * noted with each round.
 *
 * <p>{@code bench/startup.sh [--runs 5] [--rounds 3] [--accuracy-runs 5] [--before DIR]}
 */
public final class StartupBench {

  private record Variant(String name, Path launcher, Map<String, String> env) {}

  private record Kind(String what, String path, String measured, Pattern line, double injectedMs, List<String> extra) {}

  private static final List<Kind> KINDS = List.of(
      new Kind("echo reply +0 ms", "/echo", "message RTT", Pattern.compile("(?m)^message\\s+([\\d.]+)ms"), 0,
          List.of("--send", "startup")),
      new Kind("echo reply +50 ms", "/echo?delay=50", "message RTT", Pattern.compile("(?m)^message\\s+([\\d.]+)ms"), 50,
          List.of("--send", "startup")),
      new Kind("upgrade answer +300 ms", "/?upgrade_delay=300", "upgrade phase",
          Pattern.compile("(?m)^upgrade\\s+([\\d.]+)ms"), 300, List.of()));

  public static void main(String[] args) throws Exception {
    int runs = 5;
    int rounds = 3;
    int accuracyRuns = 5;
    Path before = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--accuracy-runs" -> accuracyRuns = Integer.parseInt(args[i + 1]);
        case "--before" -> before = Path.of(args[i + 1]).toAbsolutePath().normalize();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path root = Bench.root();
    Path dir = Bench.workDir("startup");
    List<Variant> variants = new ArrayList<>(List.of(
        new Variant("archive", root.resolve("wsprobe"), Map.of()),
        new Variant("no archive", root.resolve("wsprobe"), Map.of("WSPROBE_CDS", "off"))));
    if (before != null) {
      variants.add(new Variant("before (" + revision(before) + ")", before.resolve("wsprobe"), Map.of("WSPROBE_CDS", "off")));
    }
    Bench.log("%s", Bench.machine());
    String startLoad = Bench.load();
    List<String> loads = new ArrayList<>();
    try (Bench.Child server = Bench.Child.java("server", dir, BenchServer.class, List.of("-Xmx256m"), "--threads", "1")) {
      int port = server.awaitListening();
      String url = "ws://127.0.0.1:" + port;
      // each launcher builds its jar when stale, and the server's JVM warms its own first handshakes
      for (Variant v : variants) {
        Bench.log("%s: first run (builds when needed)", v.name);
        for (Kind k : KINDS) {
          run(v, dir, probe(url, k));
        }
      }

      Map<String, List<Double>> wall = new LinkedHashMap<>();
      Map<String, double[]> cpu = new LinkedHashMap<>();
      List<String> commands = List.of("--version", "probe " + url + "/echo");
      for (int round = 0; round < rounds; round++) {
        Bench.log("timing round %d/%d, %s", round + 1, rounds, Bench.load());
        loads.add(Bench.load().replace("load average ", ""));
        List<String> cmds = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (String c : commands) {
          for (Variant v : variants) {
            cmds.add(shell(v, c));
            keys.add(c.startsWith("probe") ? "probe ws://127.0.0.1:P/echo" : c);
          }
        }
        Path json = dir.resolve("hyperfine-" + round + ".json");
        List<String> hyperfine = new ArrayList<>(List.of("hyperfine", "--style", "basic", "--warmup", "1",
            "--runs", String.valueOf(runs), "--export-json", json.toString()));
        hyperfine.addAll(cmds);
        Process p = new ProcessBuilder(hyperfine).redirectErrorStream(true)
            .redirectOutput(dir.resolve("hyperfine-" + round + ".log").toFile()).start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
          throw new IllegalStateException("hyperfine failed: " + Files.readString(dir.resolve("hyperfine-" + round + ".log")));
        }
        List<Result> results = parse(Files.readString(json));
        for (int i = 0; i < results.size(); i++) {
          String key = keys.get(i) + "\u0000" + variants.get(i % variants.size()).name;
          wall.computeIfAbsent(key, x -> new ArrayList<>()).addAll(results.get(i).times);
          double[] c = cpu.computeIfAbsent(key, x -> new double[2]);
          c[0] += (results.get(i).user + results.get(i).system) * results.get(i).times.size();
          c[1] += results.get(i).times.size();
        }
      }

      Bench.Table times = new Bench.Table("Wall time from the shell (hyperfine; target for probe: ≤ 1.5 s)",
          "command", "variant", "runs", "mean", "min", "median", "max", "CPU (user+sys)");
      wall.forEach((key, t) -> {
        String[] kv = key.split("\u0000");
        double[] s = t.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double mean = Arrays.stream(s).average().orElse(0);
        double[] c = cpu.get(key);
        times.row("`wsprobe " + kv[0] + "`", kv[1], s.length, "**" + sec(mean) + "**", sec(s[0]), sec(s[s.length / 2]),
            sec(s[s.length - 1]), sec(c[0] / c[1]));
      });
      times.note("Each round runs every command and variant " + runs + " times (after one uncounted run), in turn;"
          + " " + rounds + " rounds; the load average at the start of each round: " + String.join("; ", loads) + "."
          + " The server is BenchServer on loopback (another JVM, warm). \"archive\" is ./wsprobe as built (with"
          + " agent/target/wsprobe.jsa), \"no archive\" the same with WSPROBE_CDS=off"
          + (before == null ? "" : ", \"before\" the launcher and jar of " + before.getFileName()) + ".");

      Bench.Table accuracy = new Bench.Table("The only probe of a fresh process: measured minus injected, in ms",
          "injected", "measured as", "variant", "errors", "worst");
      Map<String, List<Double>> errors = new LinkedHashMap<>();
      for (int r = 0; r < accuracyRuns; r++) {
        Bench.log("accuracy run %d/%d", r + 1, accuracyRuns);
        for (Kind k : KINDS) {
          for (Variant v : variants) {
            String out = run(v, dir, probe(url, k));
            Matcher m = k.line.matcher(out);
            List<Double> list = errors.computeIfAbsent(k.what + "\u0000" + v.name, x -> new ArrayList<>());
            if (m.find()) {
              list.add(Double.parseDouble(m.group(1)) - k.injectedMs);
            } else {
              Bench.log("%s %s: no %s in the output:%n%s", v.name, k.what, k.measured, out);
            }
          }
        }
      }
      for (Kind k : KINDS) {
        for (Variant v : variants) {
          List<Double> e = errors.get(k.what + "\u0000" + v.name);
          double worst = e.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
          accuracy.row(k.what, k.measured, v.name, String.join(", ", e.stream().map(StartupBench::ms).toList()),
              "**" + ms(worst) + "**");
        }
      }
      accuracy.note("Each run is a new `wsprobe probe` process; for echo its first round trip. The agent's own"
          + " first probes are bench/accuracy.sh's (target there: within 2 ms).");
      // the other checkout's path is this machine's: the report names it by its revision
      String[] shown = args.clone();
      for (int i = 0; i + 1 < shown.length; i++) {
        if (shown[i].equals("--before")) {
          shown[i + 1] = "<checkout of " + revision(before) + ">";
        }
      }
      Bench.publish("startup", "bench/startup.sh " + String.join(" ", shown), List.of(times, accuracy));
      Bench.log("load average at the start: %s, at the end: %s", startLoad, Bench.load());
    }
  }

  private static List<String> probe(String url, Kind k) {
    List<String> a = new ArrayList<>(List.of("probe", url + k.path));
    a.addAll(k.extra);
    return a;
  }

  /** The command line as hyperfine's shell runs it: environment, launcher, arguments. */
  private static String shell(Variant v, String args) {
    StringBuilder s = new StringBuilder();
    v.env.forEach((k, val) -> s.append(k).append('=').append(val).append(' '));
    return s.append(v.launcher).append(' ').append(args).toString();
  }

  /** One run of the launcher; its stdout (stderr must stay empty). */
  private static String run(Variant v, Path dir, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(v.launcher.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("WSPROBE_JAVA_OPTS");
    pb.environment().putAll(v.env);
    Path err = dir.resolve("stderr.txt");
    Process p = pb.redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(cmd + " did not finish");
    }
    String stderr = Files.readString(err);
    if (!stderr.isBlank() && !stderr.startsWith("wsprobe: building")) {
      Bench.log("%s %s wrote on stderr: %s", v.name, args, stderr.strip());
    }
    return out;
  }

  private record Result(List<Double> times, double user, double system) {}

  /** The per-command results of hyperfine's JSON export, in command order. */
  private static List<Result> parse(String json) {
    List<Result> out = new ArrayList<>();
    for (Object o : new io.vertx.core.json.JsonObject(json).getJsonArray("results")) {
      io.vertx.core.json.JsonObject r = (io.vertx.core.json.JsonObject) o;
      List<Double> times = new ArrayList<>();
      r.getJsonArray("times").forEach(t -> times.add(((Number) t).doubleValue()));
      out.add(new Result(times, r.getDouble("user"), r.getDouble("system")));
    }
    return out;
  }

  private static String revision(Path checkout) {
    try {
      Process p = new ProcessBuilder("git", "-C", checkout.toString(), "rev-parse", "--short", "HEAD")
          .redirectErrorStream(true).start();
      String rev = new String(p.getInputStream().readAllBytes()).strip();
      return p.waitFor() == 0 ? rev : checkout.getFileName().toString();
    } catch (IOException | InterruptedException e) {
      return checkout.getFileName().toString();
    }
  }

  private static String sec(double s) {
    return String.format(Locale.ROOT, "%.2f s", s);
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
