package io.wsprobe.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What every bench main shares: the machine's description, child processes, /proc, tables. */
final class Bench {

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
  static final long TICKS = 100;

  private Bench() {}

  /** The repository root: {@code -Dbench.root}, set by the scripts, or the working directory. */
  static Path root() {
    return Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
  }

  /** Where a bench keeps its logs and generated files (under bench/target, not committed). */
  static Path workDir(String bench) throws IOException {
    Path dir = root().resolve("bench/target/run").resolve(bench);
    Files.createDirectories(dir);
    return dir;
  }

  /** Cores, CPU model, JVM, kernel and the load average right now: the first lines of a table. */
  static String machine() {
    String model = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          model = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException ignored) {
      // not Linux
    }
    long memMiB = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          memMiB = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (IOException ignored) {
      // not Linux
    }
    return String.format(Locale.ROOT, "machine: %d cores, %s, %d MiB RAM; %s %s (%s); Linux %s; %s",
        Runtime.getRuntime().availableProcessors(), model, memMiB, System.getProperty("java.vm.name"),
        System.getProperty("java.version"), System.getProperty("java.vendor"),
        System.getProperty("os.version"), load());
  }

  /** {@code load average 1.23 0.98 0.75} (1, 5, 15 minutes), to judge the noise of other work. */
  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return "load average " + f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "load average unknown";
    }
  }

  static double load1() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException e) {
      return 0;
    }
  }

  /** User plus system CPU time of a process (all its threads), in nanoseconds. */
  static long cpuNanos(long pid) {
    long[] split = cpuSplit(pid);
    return split[0] + split[1];
  }

  /** {user, system} CPU time of a process (all its threads), in nanoseconds. */
  static long[] cpuSplit(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // the command name (field 2) may hold spaces: count fields after its closing parenthesis
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // utime, stime: fields 14 and 15
      return new long[] {Long.parseLong(f[11]) * (1_000_000_000L / TICKS), Long.parseLong(f[12]) * (1_000_000_000L / TICKS)};
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone", e);
    }
  }

  /** Resident set size of a process, in bytes. */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone", e);
    }
    return 0;
  }

  static int openFiles(long pid) {
    String[] fds = Path.of("/proc/" + pid + "/fd").toFile().list();
    return fds == null ? -1 : fds.length;
  }

  static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** Reads a whole answer as a scraper would, without keeping it: its size in bytes. */
  static long download(String url) throws IOException, InterruptedException {
    HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
    long n = 0;
    byte[] chunk = new byte[1 << 16];
    try (java.io.InputStream in = r.body()) {
      for (int k; (k = in.read(chunk)) > 0; ) {
        n += k;
      }
    }
    return n;
  }

  static String post(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("POST " + url + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /**
   * Sum of the samples of {@code name} in Prometheus text whose labels contain every
   * {@code filters} entry (written {@code key="value"}).
   */
  static double sum(String metrics, String name, String... filters) {
    double total = 0;
    for (String line : metrics.split("\n")) {
      if (!line.startsWith(name) || line.length() <= name.length()) {
        continue;
      }
      char next = line.charAt(name.length());
      if (next != '{' && next != ' ') {
        continue;
      }
      boolean all = true;
      for (String f : filters) {
        all &= line.contains(f);
      }
      if (all) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  static void sleep(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  static String ms(double nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static void log(String format, Object... args) {
    System.err.println(Instant.now().toString().substring(11, 19) + " " + String.format(Locale.ROOT, format, args));
  }

  /** A child process whose output goes to a file; {@link #close} ends it (and its JVM hook ends it too). */
  static final class Child implements AutoCloseable {
    final String name;
    final Process process;
    final Path log;

    Child(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      this.log = log;
    }

    static Child start(String name, Path dir, List<String> command) throws IOException {
      Path log = dir.resolve(name + ".log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      Child c = new Child(name, pb.start(), log);
      Runtime.getRuntime().addShutdownHook(new Thread(c::close));
      return c;
    }

    /**
     * Starts a JVM on the bench's own class path running {@code main}; it prints
     * {@code LISTENING <port>} and dies with its stdin. Returns once it listens.
     */
    static Child java(String name, Path dir, Class<?> main, List<String> jvmArgs, String... args) throws Exception {
      return java(List.of(), name, dir, main, jvmArgs, args);
    }

    /** As {@link #java(String, Path, Class, List, String...)}, the command run through {@code prefix} ({@code nice -n -5}, say). */
    static Child java(List<String> prefix, String name, Path dir, Class<?> main, List<String> jvmArgs, String... args)
        throws Exception {
      List<String> cmd = new ArrayList<>(prefix);
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvmArgs);
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
      cmd.addAll(List.of(args));
      Path log = dir.resolve(name + ".log");
      Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
      Child c = new Child(name, p, log);
      Runtime.getRuntime().addShutdownHook(new Thread(c::close));
      return c;
    }

    /** For {@link #java} children: the port from their {@code LISTENING} line. */
    int awaitListening() throws Exception {
      CompletableFuture<Integer> port = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith("LISTENING ")) {
              port.complete(Integer.parseInt(line.substring(10).trim()));
            } else {
              System.err.println(name + ": " + line);
            }
          }
        } catch (IOException ignored) {
          // ended
        }
        port.completeExceptionally(new IllegalStateException(name + " exited before listening"));
      }, name + "-stdout");
      reader.setDaemon(true);
      reader.start();
      return port.get(60, TimeUnit.SECONDS);
    }

    long pid() {
      return process.pid();
    }

    /** Waits until {@code url} answers 200, or fails with the child's log. */
    void awaitHttp(String url, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited:\n" + Files.readString(log));
        }
        try {
          get(url);
          return;
        } catch (IOException notYet) {
          Thread.sleep(200);
        }
      }
      throw new IllegalStateException(name + " did not answer " + url + ":\n" + Files.readString(log));
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroy();
        try {
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
          }
        } catch (InterruptedException e) {
          process.destroyForcibly();
        }
      }
    }
  }

  /** A Markdown table, printed and written to {@code bench/results/<name>.md}. */
  static final class Table {
    private final String title;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Table(String title, String... header) {
      this.title = title;
      this.header = List.of(header);
    }

    Table row(Object... cells) {
      List<String> r = new ArrayList<>();
      for (Object c : cells) {
        r.add(String.valueOf(c));
      }
      rows.add(r);
      return this;
    }

    Table note(String text) {
      notes.add(text);
      return this;
    }

    String render() {
      StringBuilder out = new StringBuilder("## ").append(title).append("\n\n");
      out.append("| ").append(String.join(" | ", header)).append(" |\n|");
      out.append("---|".repeat(header.size())).append('\n');
      for (List<String> r : rows) {
        out.append("| ").append(String.join(" | ", r)).append(" |\n");
      }
      out.append('\n');
      for (String n : notes) {
        out.append(n).append("\n\n");
      }
      return out.toString();
    }
  }

  /** Prints the report and writes it to {@code bench/results/<name>.md}. */
  static void publish(String name, String command, List<Table> tables) throws IOException {
    StringBuilder out = new StringBuilder("# ").append(name).append("\n\n");
    out.append("`").append(command).append("`, ").append(Instant.now().toString(), 0, 16).append("Z\n\n");
    out.append(machine()).append(" (at the end of the run)\n\n");
    for (Table t : tables) {
      out.append(t.render());
    }
    System.out.print(out);
    Path dir = root().resolve("bench/results");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name + ".md"), out.toString());
    log("written to bench/results/%s.md", name);
  }

  /** Sorted copy; quantile by nearest rank. */
  static double quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  }
  /** Cumulative bucket counts of a histogram without extra labels: {le → count}, le ascending, +Inf last. */
  static java.util.TreeMap<Double, Double> buckets(String metrics, String name) {
    java.util.TreeMap<Double, Double> out = new java.util.TreeMap<>();
    String prefix = name + "_bucket{";
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)) {
        int le = line.indexOf("le=\"") + 4;
        String bound = line.substring(le, line.indexOf('"', le));
        double b = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
        out.merge(b, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
      }
    }
    return out;
  }

  /** {@code after − before}, bucket by bucket. */
  static java.util.TreeMap<Double, Double> delta(java.util.TreeMap<Double, Double> after,
                                                 java.util.TreeMap<Double, Double> before) {
    java.util.TreeMap<Double, Double> out = new java.util.TreeMap<>();
    after.forEach((le, n) -> out.put(le, n - before.getOrDefault(le, 0.0)));
    return out;
  }

  /** Quantile of cumulative buckets, interpolated inside a bucket as Prometheus' histogram_quantile. */
  static double histogramQuantile(java.util.TreeMap<Double, Double> cumulative, double q) {
    double total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    double below = 0;
    for (var e : cumulative.entrySet()) {
      if (e.getValue() >= rank) {
        if (e.getKey().isInfinite()) {
          return lower;
        }
        double inBucket = e.getValue() - below;
        return lower + (e.getKey() - lower) * (inBucket == 0 ? 0 : (rank - below) / inBucket);
      }
      lower = e.getKey();
      below = e.getValue();
    }
    return lower;
  }

  /** Share of observations at or below {@code bound} (which must be a bucket bound). */
  static double shareAtOrBelow(java.util.TreeMap<Double, Double> cumulative, double bound) {
    double total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    Double n = cumulative.get(bound);
    return total == 0 || n == null ? Double.NaN : n / total;
  }
}
