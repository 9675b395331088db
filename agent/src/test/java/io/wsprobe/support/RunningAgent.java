package io.wsprobe.support;

import io.vertx.core.Vertx;
import io.wsprobe.cli.Agent;
import io.wsprobe.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/** An agent with nothing to probe, to ask which paths its web endpoint really serves. */
public final class RunningAgent implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final Agent agent;

  public RunningAgent() {
    agent = new Agent(vertx, () -> ConfigLoader.parse("", "empty.yml", Path.of("."), n -> null),
        "127.0.0.1:0", null);
    agent.start().await();
  }

  /** The port the agent serves on when {@code --web.listen-address} is not given. */
  public static int defaultPort() {
    String address = io.wsprobe.cli.AgentCommand.commandLine().getCommandSpec()
        .findOption("--web.listen-address").defaultValue();
    return io.wsprobe.web.ListenAddress.parse(address).port();
  }

  /** The HTTP status of a GET of {@code path}. */
  public int get(String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Override
  public void close() {
    try {
      agent.stop().await();
    } finally {
      vertx.close().await();
    }
  }
}
