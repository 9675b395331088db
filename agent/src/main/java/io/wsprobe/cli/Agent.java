package io.wsprobe.cli;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsprobe.EventLoops;
import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.config.TargetFileSet;
import io.wsprobe.config.TargetFileSet.Discovered;
import io.wsprobe.config.TargetFileSet.FileStatus;
import io.wsprobe.config.WebConfig;
import io.wsprobe.metrics.AgentMetrics;
import io.wsprobe.metrics.SeriesRecorder;
import io.wsprobe.prober.Warmup;
import io.wsprobe.prober.WebSocketProber;
import io.wsprobe.results.ResultListener;
import io.wsprobe.results.ResultLog;
import io.wsprobe.results.Results;
import io.wsprobe.results.StatusBoard;
import io.wsprobe.scheduler.Scheduler;
import io.wsprobe.scheduler.Shard;
import io.wsprobe.web.Endpoints;
import io.wsprobe.web.WebServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent, and the one place its parts are wired: config source → scheduler → prober,
 * the scheduler's results → series, status board and result log, and the web port on narrow
 * {@link Endpoints}. Loads the config, probes on schedule, serves {@code /metrics}, and reloads on
 * request; a config that fails to load leaves the running one in place. The targets of its
 * {@code target_files} join the config's (see {@link TargetFileSet}), read at every load and
 * again when the files change, through the same path as a reload.
 */
public final class Agent {

  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  /** How often the target files are read even when no change was seen (Prometheus' default). */
  static final Duration TARGET_FILES_REFRESH = Duration.ofMinutes(5);

  private final Vertx vertx;
  private final Callable<Config> configSource;
  private final List<String> listenAddresses;
  private final Callable<WebConfig> webConfigSource;
  private final ResultListener extraListener;
  private final Shard shard;
  private final StatusBoard statusBoard = new StatusBoard();
  /** What is probed: the config with the files' targets. */
  private volatile Config config;
  /** The config as loaded, without the files' targets; set on the ordered worker. */
  private volatile Config loaded;
  private final TargetFileSet targetFiles = new TargetFileSet();
  private TargetFileWatcher watcher;
  /** Where reloads are loaded (its worker pool, in order) and applied (its event loop). */
  private Context context;
  private AgentMetrics metrics;
  private WebSocketProber prober;
  private Scheduler scheduler;
  private Endpoints endpoints;
  private WebServer web;

  /**
   * @param configSource  loads (and validates) the config; called at start and on every reload
   * @param listenAddress {@code [host]:port} for the web endpoint
   * @param listener      also told of every result (the demo prints them), or null
   */
  public Agent(Vertx vertx, Callable<Config> configSource, String listenAddress,
               ResultListener listener) {
    this(vertx, configSource, listenAddress, listener, Shard.ALL);
  }

  /** @param shard this replica's share of the targets when several agents split one config */
  public Agent(Vertx vertx, Callable<Config> configSource, String listenAddress,
               ResultListener listener, Shard shard) {
    this(vertx, configSource, List.of(listenAddress), () -> WebConfig.NONE, listener, shard);
  }

  /**
   * @param listenAddresses each {@code [host]:port} the web port listens on
   * @param webConfigSource loads the web config (TLS, auth, headers); at start and on every reload
   */
  public Agent(Vertx vertx, Callable<Config> configSource, List<String> listenAddresses,
               Callable<WebConfig> webConfigSource, ResultListener listener, Shard shard) {
    this.vertx = vertx;
    this.configSource = configSource;
    this.listenAddresses = List.copyOf(listenAddresses);
    this.webConfigSource = webConfigSource;
    this.extraListener = listener;
    this.shard = shard;
  }

  public Future<Agent> start() {
    context = vertx.getOrCreateContext();
    Discovered found;
    WebConfig webConfig;
    try {
      webConfig = webConfigSource.call();
      loaded = configSource.call();
      found = targetFiles.read(loaded);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    Config first = found.config();
    config = first;
    metrics = new AgentMetrics(first.global().buckets(), shard.index(), shard.count());
    metrics.reloaded(true);
    report(found);
    watch(loaded);
    prober = new WebSocketProber(vertx);
    // in this order: a listener finds the series and the status page up to date
    scheduler = new Scheduler(vertx, prober, metrics, Results.of(new SeriesRecorder(metrics), statusBoard,
        new ResultLog(LOG), Results.listener(extraListener)));
    endpoints = new Endpoints(this::config, metrics::scrape, this::reload, scheduler::probeNow,
        statusBoard::status);
    web = new WebServer(vertx, endpoints);
    List<Module.Tls> tls = first.targets().stream().filter(Target::tls)
        .map(t -> first.moduleOf(t).tls()).toList();
    return Warmup.run(vertx, prober, tls).compose(v -> {
      int mine = schedule(first);
      return web.listen(listenAddresses, webConfig).map(ports -> {
        var event = LOG.atInfo().addKeyValue("address", String.join(",", listenAddresses))
            .addKeyValue("port", ports.size() == 1 ? ports.get(0) : ports)
            .addKeyValue("tls", webConfig.tls() != null).addKeyValue("basic_auth", webConfig.basicAuth())
            .addKeyValue("targets", first.targets().size())
            .addKeyValue("transport", EventLoops.transport(vertx));
        if (shard.sharded()) {
          event = event.addKeyValue("shard", shard).addKeyValue("shard_targets", mine);
        }
        event.addKeyValue("config", first.source()).log("wsprobe started");
        return this;
      });
    });
  }

  /**
   * Loads the config and the web config again; a file that fails keeps its running version and
   * drops the reload gauge to 0. The two are independent: a bad web config does not stop a good
   * config from being applied, nor the reverse; the reload fails when either does. Reading and
   * checking the files is blocking work of up to the size limit, so it runs on a worker thread,
   * one reload at a time in the order asked (SIGHUP and {@code POST /-/reload} alike); the
   * result is applied on the agent's context.
   */
  public Future<Config> reload() {
    return context.executeBlocking(this::load, true).compose(read -> {
      Future<Void> webApplied = read.web() != null ? web.apply(read.web()) : Future.failedFuture(read.webError());
      return webApplied.transform(w -> {
        if (w.failed()) {
          LOG.atError().addKeyValue("err", w.cause().getMessage())
              .log("web configuration reload failed; keeping the running web configuration");
        }
        Config next = read.found() == null ? null : read.found().config();
        if (next != null) {
          config = next;
          int mine = schedule(next);
          report(read.found());
          watch(loaded);
          var event = LOG.atInfo().addKeyValue("targets", next.targets().size());
          if (shard.sharded()) {
            event = event.addKeyValue("shard", shard).addKeyValue("shard_targets", mine);
          }
          event.addKeyValue("config", next.source()).log("configuration reloaded");
        } else {
          LOG.atError().addKeyValue("err", read.configError().getMessage())
              .log("configuration reload failed; keeping the running configuration");
        }
        metrics.reloaded(next != null && w.succeeded());
        if (next == null) {
          return Future.failedFuture(read.configError());
        }
        return w.succeeded() ? Future.succeededFuture(next) : Future.failedFuture(new IllegalStateException(
            w.cause().getMessage() + "\nThe running web configuration stays; the configuration was reloaded ("
                + next.targets().size() + " targets)."));
      });
    });
  }

  /** Both files read and checked, each with its error, and the target files read. On a worker thread. */
  private Loaded load() {
    WebConfig w = null;
    Exception webError = null;
    try {
      w = webConfigSource.call();
      web.check(w);
    } catch (Exception e) {
      webError = e;
      w = null;
    }
    try {
      Config next = configSource.call();
      loaded = next;
      return new Loaded(targetFiles.read(next), null, w, webError);
    } catch (Exception e) {
      return new Loaded(null, e, w, webError);
    }
  }

  private record Loaded(Discovered found, Exception configError, WebConfig web, Exception webError) {}

  /**
   * Reads the target files again (the watcher saw a change, or it is time), on the same ordered
   * worker as a reload, and applies what changed on the agent's context.
   */
  private void rediscover() {
    context.executeBlocking(() -> targetFiles.read(loaded), true).onSuccess(found -> {
      report(found);
      if (!found.config().targets().equals(config.targets())) {
        config = found.config();
        int mine = schedule(found.config());
        var event = LOG.atInfo().addKeyValue("targets", found.config().targets().size());
        if (shard.sharded()) {
          event = event.addKeyValue("shard", shard).addKeyValue("shard_targets", mine);
        }
        event.log("target files changed");
      }
    });
  }

  /** Each file's state as series, and as a log line when it changed. */
  private void report(Discovered found) {
    metrics.targetFiles(found.files());
    for (FileStatus file : found.files()) {
      if (!file.changed()) {
        continue;
      }
      if (file.ok()) {
        LOG.atInfo().addKeyValue("file", file.file()).addKeyValue("targets", file.targets())
            .log("target file read");
      } else {
        LOG.atError().addKeyValue("file", file.file()).addKeyValue("err", file.message())
            .addKeyValue("kept_targets", file.targets())
            .log("target file not used; keeping its last good content");
      }
    }
    for (Path gone : found.gone()) {
      LOG.atInfo().addKeyValue("file", gone).log("target file gone; its targets are removed");
    }
  }

  /** Watches the directories of {@code loaded}'s target files (the watcher starts with the first). */
  private synchronized void watch(Config loaded) {
    if (watcher == null && !loaded.targetFiles().isEmpty()) {
      try {
        watcher = new TargetFileWatcher(this::rediscover, TARGET_FILES_REFRESH);
      } catch (IOException e) {
        LOG.atError().addKeyValue("err", e.toString())
            .log("cannot watch the target files; they are read again on reload only");
      }
    }
    if (watcher != null) {
      watcher.watch(loaded.targetFiles().directories());
    }
  }

  /** Hands this shard's targets to the scheduler; returns how many that is. */
  private int schedule(Config full) {
    Config mine = shard.filter(full);
    metrics.targets(full.targets().size());
    scheduler.apply(mine);
    return mine.targets().size();
  }

  public Config config() {
    return config;
  }

  public AgentMetrics metrics() {
    return metrics;
  }

  public WebSocketProber prober() {
    return prober;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  /** Each scheduled target's last result, as the status page shows it. */
  public StatusBoard statusBoard() {
    return statusBoard;
  }

  /** What the web port serves, wired to this agent's parts (after {@link #start}). */
  public Endpoints endpoints() {
    return endpoints;
  }

  public Shard shard() {
    return shard;
  }

  public int port() {
    return web.port();
  }

  /** Each {@code --web.listen-address}'s port, in the order given. */
  public List<Integer> ports() {
    return web.ports();
  }

  public Future<Void> stop() {
    synchronized (this) {
      if (watcher != null) {
        watcher.close();
      }
    }
    // after a start that failed half-way (a bad config, a port in use), only what was made is stopped
    if (scheduler != null) {
      scheduler.stop();
    }
    Future<Void> closed = web != null ? web.close() : Future.succeededFuture();
    return closed.eventually(() -> {
      if (metrics != null) {
        metrics.close();
      }
      return Future.succeededFuture();
    });
  }
}
