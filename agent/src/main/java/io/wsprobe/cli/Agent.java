package io.wsprobe.cli;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsprobe.EventLoops;
import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
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
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent, and the one place its parts are wired: config source → scheduler → prober,
 * the scheduler's results → series, status board and result log, and the web port on narrow
 * {@link Endpoints}. Loads the config, probes on schedule, serves {@code /metrics}, and reloads on
 * request; a config that fails to load leaves the running one in place.
 */
public final class Agent {

  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private final Vertx vertx;
  private final Callable<Config> configSource;
  private final String listenAddress;
  private final ResultListener extraListener;
  private final Shard shard;
  private final StatusBoard statusBoard = new StatusBoard();
  private volatile Config config;
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
    this.vertx = vertx;
    this.configSource = configSource;
    this.listenAddress = listenAddress;
    this.extraListener = listener;
    this.shard = shard;
  }

  public Future<Agent> start() {
    context = vertx.getOrCreateContext();
    Config first;
    try {
      first = configSource.call();
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    config = first;
    metrics = new AgentMetrics(first.global().buckets(), shard.index(), shard.count());
    metrics.reloaded(true);
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
      return web.listen(listenAddress).map(port -> {
        var event = LOG.atInfo().addKeyValue("address", listenAddress).addKeyValue("port", port)
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
   * Loads the config again; on failure the running config stays and the reload gauge drops to 0.
   * Reading and checking a file is blocking work of up to the size limit, so it runs on a worker
   * thread, one reload at a time in the order asked (SIGHUP and {@code POST /-/reload} alike);
   * the result is applied on the agent's context.
   */
  public Future<Config> reload() {
    return context.executeBlocking(configSource, true).andThen(loaded -> {
      if (loaded.succeeded()) {
        Config next = loaded.result();
        config = next;
        int mine = schedule(next);
        metrics.reloaded(true);
        var event = LOG.atInfo().addKeyValue("targets", next.targets().size());
        if (shard.sharded()) {
          event = event.addKeyValue("shard", shard).addKeyValue("shard_targets", mine);
        }
        event.addKeyValue("config", next.source()).log("configuration reloaded");
      } else {
        metrics.reloaded(false);
        LOG.atError().addKeyValue("err", loaded.cause().getMessage())
            .log("configuration reload failed; keeping the running configuration");
      }
    });
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

  public Future<Void> stop() {
    scheduler.stop();
    return web.close().eventually(() -> {
      metrics.close();
      return Future.succeededFuture();
    });
  }
}
