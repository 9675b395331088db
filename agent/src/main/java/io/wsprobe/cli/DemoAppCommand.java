package io.wsprobe.cli;

import io.vertx.core.Vertx;
import io.wsprobe.demo.DemoServers;
import io.wsprobe.web.ListenAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wsprobe demo app}: only the demo's healthy WebSocket app, on an address of your choice,
 * so that a real proxy can stand in front of it (the Compose stack in deploy/compose runs it
 * behind nginx with and without the Upgrade lines).
 */
@Command(name = "app", mixinStandardHelpOptions = true,
    description = "Serve the demo's WebSocket app: echo on /echo, /collab and /socket.io/, a broadcast"
        + " room on /room/<name>, a page on any plain GET. Stop with Ctrl-C.")
final class DemoAppCommand implements Callable<Integer> {

  @Option(names = "--listen-address", paramLabel = "[HOST]:PORT", defaultValue = ":8080",
      description = "where the app listens (default: ${DEFAULT-VALUE}, every interface)")
  String listenAddress;

  @Override
  public Integer call() throws Exception {
    ListenAddress a = ListenAddress.parse(listenAddress);
    Vertx vertx = io.wsprobe.EventLoops.create();
    DemoServers servers = new DemoServers(vertx);
    int port = servers.startApp(a.host(), a.port()).await();
    System.out.println("wsprobe demo app: ws://" + a.host() + ":" + port + "/echo, /collab, /socket.io/,"
        + " /room/<name>   (Ctrl-C stops)");
    Signals.runUntilStopped(vertx, servers::stop);
    return 0;
  }
}
