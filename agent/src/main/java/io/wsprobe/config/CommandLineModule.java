package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.Module.Hold;
import io.wsprobe.config.Module.Message;
import io.wsprobe.config.Module.Tls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The module of {@code wsprobe probe}: its options laid over a configured module (or the
 * default one). The options are written as the module keys they stand for and read by the same
 * readers, under the same rules, as a file; an error names the option instead of a line and a
 * path. Header values are taken literally: no {@code ${env:...}} on a command line.
 */
public final class CommandLineModule {

  private static final String SOURCE = "command line";

  /**
   * The options; a null text or an empty list = not given.
   *
   * @param headers name and value of each {@code --header}, in order (a later one of the same
   *                name replaces an earlier one)
   */
  public record Options(List<Map.Entry<String, String>> headers, List<String> subprotocols,
                        String origin, String caFile, String serverName, boolean insecure,
                        List<String> send, String expect, String hold, String pingInterval,
                        String proxyUrl, String proxyUser, String proxyPasswordFile,
                        String httpVersion, String compression) {
    /** Options without the wire's two ({@code --http-version}, {@code --compression}). */
    public Options(List<Map.Entry<String, String>> headers, List<String> subprotocols,
                   String origin, String caFile, String serverName, boolean insecure,
                   List<String> send, String expect, String hold, String pingInterval,
                   String proxyUrl, String proxyUser, String proxyPasswordFile) {
      this(headers, subprotocols, origin, caFile, serverName, insecure, send, expect, hold,
          pingInterval, proxyUrl, proxyUser, proxyPasswordFile, null, null);
    }
  }

  private CommandLineModule() {
  }

  /**
   * {@code base} with the options laid over it.
   *
   * @throws IllegalArgumentException naming each option that breaks a rule, one per line
   */
  public static Module overlay(Module base, Options options) {
    NodeReader reader = new NodeReader(SOURCE);
    Path workingDir = Path.of("").toAbsolutePath();
    ModuleReader modules = new Readers(reader, SecretResolver.literal(reader, workingDir),
        workingDir).modules;
    Module given = modules.module(base.name(), keys(options), "");
    if (!reader.errors().isEmpty()) {
      throw new IllegalArgumentException(String.join("\n",
          reader.errors().stream().map(CommandLineModule::named).toList()));
    }

    Map<String, Secret> headers = new LinkedHashMap<>(base.headers());
    headers.putAll(given.headers());
    Tls t = base.tls();
    Tls tls = new Tls(options.caFile() != null ? given.tls().caFile() : t.caFile(), t.certFile(),
        t.keyFile(), options.serverName() != null ? given.tls().serverName() : t.serverName(),
        options.insecure() || t.insecureSkipVerify());
    List<Message> messages = options.send().isEmpty() ? base.messages() : given.messages();
    Hold hold = options.hold() != null ? given.hold() : base.hold();
    return new Module(base.name(), Collections.unmodifiableMap(headers),
        options.origin() != null ? given.origin() : base.origin(),
        options.subprotocols().isEmpty() ? base.subprotocols() : given.subprotocols(), tls,
        base.ipProtocol(), base.ipProtocolFallback(), base.maxMessageBytes(), messages, hold,
        base.app(), base.publicQueryParams(), options.proxyUrl() != null ? given.proxy() : base.proxy(),
        new Module.Wire(
            options.httpVersion() != null ? given.wire().httpVersion() : base.wire().httpVersion(),
            options.compression() != null ? given.wire().compression() : base.wire().compression()));
  }

  /**
   * The whole probe's limit: {@code --timeout} when given, else 5s (plus the hold and 5s more
   * when the module holds); it must leave room for the module's hold and broadcast, as a
   * target's timeout must.
   */
  public static Duration timeout(String option, Module module) {
    Duration holdFor = module.hold() == null ? Duration.ZERO : module.hold().duration();
    Duration limit = option != null ? Durations.parse(option)
        : Duration.ofSeconds(5).plus(holdFor.isZero() ? Duration.ZERO : holdFor.plusSeconds(5));
    String problem = holdFor.isZero() ? null : ConfigValidator.holdWithinTimeout(limit, holdFor);
    Module.Broadcast broadcast = module.app().broadcast();
    if (problem == null && broadcast != null) {
      problem = ConfigValidator.broadcastWithinTimeout(limit, broadcast);
    }
    if (problem != null) {
      throw new IllegalArgumentException("--timeout " + Durations.format(limit) + problem
          + " of module " + module.name());
    }
    return limit;
  }

  /** The options as the module keys they stand for. */
  private static Node keys(Options o) {
    List<NodeTuple> keys = new ArrayList<>();
    if (!o.headers().isEmpty()) {
      Map<String, String> last = new LinkedHashMap<>();
      o.headers().forEach(header -> last.put(header.getKey(), header.getValue()));
      List<NodeTuple> headers = new ArrayList<>();
      last.forEach((name, value) -> headers.add(new NodeTuple(text(name), text(value))));
      keys.add(new NodeTuple(text("headers"), mapping(headers)));
    }
    if (o.origin() != null) {
      keys.add(new NodeTuple(text("origin"), text(o.origin())));
    }
    if (!o.subprotocols().isEmpty()) {
      keys.add(new NodeTuple(text("subprotocols"),
          list(o.subprotocols().stream().<Node>map(CommandLineModule::text).toList())));
    }
    List<NodeTuple> tls = new ArrayList<>();
    if (o.caFile() != null) {
      tls.add(new NodeTuple(text("ca_file"), text(o.caFile())));
    }
    if (o.serverName() != null) {
      tls.add(new NodeTuple(text("server_name"), text(o.serverName())));
    }
    if (!tls.isEmpty()) {
      keys.add(new NodeTuple(text("tls"), mapping(tls)));
    }
    if (!o.send().isEmpty()) {
      List<Node> messages = new ArrayList<>();
      for (String send : o.send()) {
        List<NodeTuple> message = new ArrayList<>();
        message.add(new NodeTuple(text("send"), text(send)));
        if (o.expect() != null) {
          message.add(new NodeTuple(text("expect"),
              mapping(List.of(new NodeTuple(text("contains"), text(o.expect()))))));
        }
        messages.add(mapping(message));
      }
      keys.add(new NodeTuple(text("messages"), list(messages)));
    }
    if (o.hold() != null) {
      List<NodeTuple> hold = new ArrayList<>();
      hold.add(new NodeTuple(text("duration"), text(o.hold())));
      if (o.pingInterval() != null) {
        hold.add(new NodeTuple(text("ping_interval"), text(o.pingInterval())));
      }
      keys.add(new NodeTuple(text("hold"), mapping(hold)));
    }
    if (o.proxyUrl() != null) {
      keys.add(new NodeTuple(text("proxy_url"), text(o.proxyUrl())));
    }
    if (o.proxyUser() != null) {
      keys.add(new NodeTuple(text("proxy_user"), text(o.proxyUser())));
    }
    if (o.proxyPasswordFile() != null) {
      keys.add(new NodeTuple(text("proxy_password_file"), text(o.proxyPasswordFile())));
    }
    if (o.httpVersion() != null) {
      keys.add(new NodeTuple(text("http_version"), text(o.httpVersion())));
    }
    if (o.compression() != null) {
      keys.add(new NodeTuple(text("compression"), text(o.compression())));
    }
    return mapping(keys);
  }

  /** An error as {@code --option: message}. */
  private static String named(ConfigError error) {
    String path = error.path();
    String option = path.startsWith("headers.") ? "--header " + path.substring("headers.".length())
        : path.equals("origin") ? "--origin"
        : path.startsWith("subprotocols") ? "--subprotocol"
        : path.equals("tls.ca_file") ? "--ca-file"
        : path.equals("tls.server_name") ? "--server-name"
        : path.contains(".expect") ? "--expect"
        : path.startsWith("messages") ? "--send"
        : path.equals(child("hold", "ping_interval")) ? "--ping-interval"
        : path.startsWith("hold") ? "--hold"
        : path.equals("proxy_url") ? "--proxy-url"
        : path.equals("proxy_user") ? "--proxy-user"
        : path.equals("proxy_password_file") ? "--proxy-password-file"
        : path.equals("proxy_password") ? "--proxy-password-file"
        : path.equals("http_version") ? "--http-version"
        : path.equals("compression") ? "--compression" : path;
    return option + ": " + error.message();
  }

  private static ScalarNode text(String value) {
    return new ScalarNode(Tag.STR, value, null, null, DumperOptions.ScalarStyle.PLAIN);
  }

  private static MappingNode mapping(List<NodeTuple> tuples) {
    return new MappingNode(Tag.MAP, tuples, DumperOptions.FlowStyle.BLOCK);
  }

  private static SequenceNode list(List<Node> items) {
    return new SequenceNode(Tag.SEQ, items, DumperOptions.FlowStyle.BLOCK);
  }
}
