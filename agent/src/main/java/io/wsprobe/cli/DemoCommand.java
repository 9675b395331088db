package io.wsprobe.cli;

import io.vertx.core.Vertx;
import io.wsprobe.demo.Demo;
import io.wsprobe.demo.DemoServers;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wsprobe demo}: the agent against demo targets it starts itself, on loopback. */
@Command(name = "demo", mixinStandardHelpOptions = true, subcommands = DemoAppCommand.class,
    description = "Start a healthy WebSocket app and a broken proxy on loopback, probe both every"
        + " few seconds, print each result and serve /metrics. Stop with Ctrl-C.")
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--web.listen-address", paramLabel = "[HOST]:PORT", defaultValue = "127.0.0.1:9747",
      description = "where /metrics is served (default: ${DEFAULT-VALUE})")
  String listenAddress;

  @Mixin
  LogOptions log;

  @Override
  public Integer call() throws Exception {
    log.level = log.level.equals("info") ? "error" : log.level; // the printed lines are the demo's output
    log.apply();
    Vertx vertx = io.wsprobe.EventLoops.create();
    DemoServers servers = new DemoServers(vertx);
    servers.start().await();
    Agent agent = new Agent(vertx, () -> Demo.config(servers), listenAddress,
        (target, module, result) -> Demo.print(System.out, target, result));
    agent.start().await();
    System.out.println("wsprobe demo: probing a healthy app (echo ws://127.0.0.1:" + servers.appPort()
        + "/echo, room broadcast ws://127.0.0.1:" + servers.appPort() + "/room/demo) and a broken proxy"
        + " (ws://127.0.0.1:" + servers.brokenProxyPort() + "/collab)");
    System.out.println("metrics: http://" + hostForUrl(listenAddress) + ":" + agent.port()
        + "/metrics   status: http://" + hostForUrl(listenAddress) + ":" + agent.port() + "/   (Ctrl-C stops)");
    Signals.runUntilStopped(vertx, () -> {
      agent.stop().await();
      return servers.stop();
    });
    return 0;
  }

  private static String hostForUrl(String listen) {
    String host = io.wsprobe.web.ListenAddress.parse(listen).host();
    return host.equals("0.0.0.0") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
  }
}
