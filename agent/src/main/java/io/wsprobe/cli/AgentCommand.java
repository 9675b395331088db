package io.wsprobe.cli;

import io.vertx.core.Vertx;
import io.wsprobe.Version;
import io.wsprobe.config.ConfigException;
import io.wsprobe.config.ConfigLoader;
import io.wsprobe.scheduler.Shard;
import io.wsprobe.config.WebConfig;
import io.wsprobe.config.WebConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wsprobe [--config.file=FILE] ...}: run the agent until stopped. */
@Command(name = "wsprobe", mixinStandardHelpOptions = true, versionProvider = AgentCommand.VersionProvider.class,
    sortOptions = false, usageHelpAutoWidth = true,
    description = "Synthetic WebSocket probes exported to Prometheus.%n"
        + "Runs the agent: probes every configured target on schedule and serves /metrics.",
    subcommands = {DemoCommand.class, ProbeCommand.class, CheckConfigCommand.class, CdsTrainingCommand.class})
public final class AgentCommand implements Callable<Integer> {

  @Option(names = "--config.file", paramLabel = "FILE", defaultValue = "wsprobe.yml",
      description = "configuration file (default: ${DEFAULT-VALUE})")
  Path configFile;

  @Option(names = "--config.check",
      description = "check the configuration (and the web configuration, if given) and exit: 0 valid,"
          + " 2 invalid; the same as check-config")
  boolean check;

  @Option(names = "--web.listen-address", paramLabel = "[HOST]:PORT", defaultValue = ":9747",
      description = "where /metrics is served; repeat it to listen on several (default: ${DEFAULT-VALUE})")
  List<String> listenAddresses;

  @Option(names = "--web.config.file", paramLabel = "FILE",
      description = "TLS, basic auth and response headers of the web port, in exporter-toolkit's"
          + " format (docs/web-config.md); re-read on reload")
  Path webConfigFile;

  @Option(names = "--shard", paramLabel = "I/N", defaultValue = "0/1",
      description = "probe only shard I of N (from 0) of the targets, so N replicas split one"
          + " configuration; auto/N takes I from the host name's -<I> suffix, as in a StatefulSet"
          + " (default: ${DEFAULT-VALUE}, every target)")
  String shard;

  @Mixin
  LogOptions log;

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new AgentCommand());
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("wsprobe: " + e.getMessage());
      return 2;
    });
    return cl;
  }

  @Override
  public Integer call() throws Exception {
    if (check) {
      return CheckConfigCommand.check(configFile, webConfigFile);
    }
    Shard share = Shard.parse(shard, Shard::hostname);
    log.apply();
    Vertx vertx = io.wsprobe.EventLoops.create();
    Callable<WebConfig> web = webConfigFile == null ? () -> WebConfig.NONE : () -> WebConfigLoader.load(webConfigFile);
    Agent agent = new Agent(vertx, () -> ConfigLoader.load(configFile), listenAddresses, web, null, share);
    try {
      agent.start().await();
    } catch (Exception e) {
      System.err.println(e instanceof ConfigException c
          ? c.errors().get(0).source() + " is invalid:\n" + e.getMessage() : "wsprobe could not start: " + e.getMessage());
      vertx.close();
      return 2;
    }
    Signals.onHangup(() -> agent.reload());
    Signals.runUntilStopped(vertx, () -> {
      LoggerFactory.getLogger(AgentCommand.class).info("stopping");
      return agent.stop();
    });
    return 0;
  }

  /** {@code --version}. */
  public static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"wsprobe version " + Version.VERSION + " (revision " + Version.REVISION + ")",
          "java " + System.getProperty("java.version")};
    }
  }
}
