package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.wsprobe.config.CommandLineModule.Options;
import io.wsprobe.config.Module.Expect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code wsprobe probe}'s options go through the module readers and rules; errors name the option. */
class CommandLineModuleTest {

  private static Options options(List<Map.Entry<String, String>> headers, List<String> subprotocols,
                                 String origin, String hold, String ping) {
    return new Options(headers, subprotocols, origin, null, null, false, List.of(), null, hold, ping, null, null,
        null);
  }

  private static Module overlay(Options options) {
    return CommandLineModule.overlay(Module.defaults(), options);
  }

  @Test
  void noOptionsLeaveTheModuleAsItIs() {
    Module base = Module.defaults();
    assertThat(overlay(options(List.of(), List.of(), null, null, null))).isEqualTo(base);
  }

  @Test
  void optionsAreLaidOverTheModule() {
    Module module = CommandLineModule.overlay(Module.defaults(), new Options(
        List.of(Map.entry("X-Client", "probe"), Map.entry("X-Api-Key", "${env:KEY}")),
        List.of("chat"), "https://app.example.com", null, "app.example.com", true,
        List.of("ping"), "pong", "2s", "500ms", null, null, null));

    assertThat(module.headers()).containsExactly(entry("X-Client", Secret.plain("probe")),
        entry("X-Api-Key", new Secret("${env:KEY}", true))); // literal: no ${env:} on a command line
    assertThat(module.subprotocols()).containsExactly("chat");
    assertThat(module.origin()).isEqualTo("https://app.example.com");
    assertThat(module.tls()).isEqualTo(new Module.Tls(null, null, null, "app.example.com", true));
    assertThat(module.messages()).containsExactly(
        new Module.Message("ping", false, new Expect(Expect.Kind.CONTAINS, "pong", null), 1));
    assertThat(module.hold()).isEqualTo(new Module.Hold(Duration.ofSeconds(2), Duration.ofMillis(500)));
  }

  @Test
  void theConfiguredModulesProxyIsKept() {
    Module d = Module.defaults();
    Module.Proxy proxy = new Module.Proxy("proxy.corp.example", 3128, "probe", new Secret("pw", true));
    Module base = new Module("outbound", d.headers(), null, d.subprotocols(), d.tls(), d.ipProtocol(),
        true, d.maxMessageBytes(), d.messages(), null, Module.App.RAW, java.util.Set.of(), proxy);

    assertThat(CommandLineModule.overlay(base, options(List.of(Map.entry("X-A", "1")), List.of(), null, null, null))
        .proxy()).isEqualTo(proxy);
  }

  @Test
  void theOriginRuleOfTheFileApplies() {
    assertThatThrownBy(() -> overlay(options(List.of(), List.of(), "app.example.com", null, null)))
        .hasMessage("--origin: must be scheme://host[:port], such as https://app.example.com");
  }

  @Test
  void headersTheHandshakeOwnsAreRefused() {
    assertThatThrownBy(() -> overlay(options(List.of(Map.entry("Host", "x")), List.of(), null, null, null)))
        .hasMessage("--header Host: cannot be set as a header: it comes from the target url");
    assertThatThrownBy(() -> overlay(options(
        List.of(Map.entry("X-A", "1"), Map.entry("x-a", "2")), List.of(), null, null, null)))
        .hasMessage("--header x-a: duplicate header (header names ignore case; also set as X-A)");
  }

  @Test
  void subprotocolsFollowTheRulesOfTheFile() {
    assertThatThrownBy(() -> overlay(options(List.of(), List.of("chat", "chat"), null, null, null)))
        .hasMessage("--subprotocol: duplicate subprotocol \"chat\"");
  }

  @Test
  void holdAndPingFollowTheRulesOfTheFile() {
    assertThatThrownBy(() -> overlay(options(List.of(), List.of(), null, "1s", "2s")))
        .hasMessage("--ping-interval: 2s must be below the hold duration 1s");
    assertThatThrownBy(() -> overlay(options(List.of(), List.of(), null, "0s", null)))
        .hasMessage("--hold: must be greater than 0");
  }

  @Test
  void aMissingCaFileIsNamed() {
    Options options = new Options(List.of(), List.of(), null, "no-such-ca.pem", null, false,
        List.of(), null, null, null, null, null, null);
    assertThatThrownBy(() -> overlay(options))
        .hasMessage("--ca-file: cannot read file no-such-ca.pem: no such file");
  }

  @Test
  void theTimeoutLeavesRoomForTheHold() {
    Module holding = overlay(options(List.of(), List.of(), null, "6s", null));
    assertThat(CommandLineModule.timeout(null, holding)).isEqualTo(Duration.ofSeconds(16));
    assertThat(CommandLineModule.timeout(null, Module.defaults())).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> CommandLineModule.timeout("5s", holding))
        .hasMessage("--timeout 5s must be above the hold duration 6s of module default");
  }

  @Test
  void theTimeoutLeavesRoomForTheBroadcast() throws Exception {
    Module room = ConfigTesting.parse("modules:\n  room:\n    broadcast: { timeout: 5s, settle: 1s }\n")
        .modules().get("room");
    assertThatThrownBy(() -> CommandLineModule.timeout(null, room))
        .hasMessage("--timeout 5s must be above the broadcast timeout 5s of module room");
    assertThatThrownBy(() -> CommandLineModule.timeout("6s", room))
        .hasMessage("--timeout 6s must be above the broadcast settle + timeout 6s of module room");
    assertThat(CommandLineModule.timeout("7s", room)).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void aCaFileResolvesAgainstTheWorkingDirectory() {
    Options options = new Options(List.of(), List.of(), null, "pom.xml", null, false, List.of(),
        null, null, null, null, null, null);
    assertThat(overlay(options).tls().caFile()).isEqualTo(Path.of("pom.xml").toAbsolutePath().toString());
  }

  private static Options proxy(String url, String user, String passwordFile) {
    return new Options(List.of(), List.of(), null, null, null, false, List.of(), null, null, null, url, user,
        passwordFile);
  }

  @Test
  void aProxyIsReadByTheModuleRules(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path password = dir.resolve("proxy-password");
    java.nio.file.Files.writeString(password, "s3cret\n");

    Module module = overlay(proxy("http://127.0.0.1:3128", "probe", password.toString()));

    assertThat(module.proxy().host()).isEqualTo("127.0.0.1");
    assertThat(module.proxy().port()).isEqualTo(3128);
    assertThat(module.proxy().user()).isEqualTo("probe");
    assertThat(module.proxy().password().value()).isEqualTo("s3cret");
    assertThat(overlay(proxy("http://proxy.internal", null, null)).proxy().port()).isEqualTo(Module.Proxy.DEFAULT_PORT);
    assertThat(overlay(proxy(null, null, null)).proxy()).isNull();
  }

  @Test
  void aBadProxyNamesTheOptionAndNeverTheCredentials() {
    assertThatThrownBy(() -> overlay(proxy("https://127.0.0.1:3128", null, null)))
        .hasMessageStartingWith("--proxy-url: scheme must be http");
    assertThatThrownBy(() -> overlay(proxy("http://probe:hunter2@127.0.0.1:3128", null, null)))
        .hasMessageStartingWith("--proxy-url: must not contain credentials")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> overlay(proxy("http://127.0.0.1:3128", "probe", null)))
        .hasMessageContaining("proxy_user needs proxy_password or proxy_password_file");
    assertThatThrownBy(() -> overlay(proxy("http://127.0.0.1:3128", "probe", "no-such-file")))
        .hasMessage("--proxy-password-file: cannot read file no-such-file: no such file");
  }

  private static Options wire(String httpVersion, String compression) {
    return new Options(List.of(), List.of(), null, null, null, false, List.of(), null, null, null, null, null,
        null, httpVersion, compression);
  }

  @Test
  void theWireOptionsAreReadByTheModuleRules() {
    Module module = overlay(wire("2", "require"));
    assertThat(module.wire()).isEqualTo(new Module.Wire(Module.HttpVersion.HTTP_2, Module.Compression.REQUIRE));
    assertThat(overlay(wire(null, null)).wire()).isEqualTo(Module.Wire.DEFAULT);
    Module configured = Module.defaults().withWire(new Module.Wire(Module.HttpVersion.HTTP_2, Module.Compression.OFFER));
    assertThat(CommandLineModule.overlay(configured, wire(null, "off")).wire())
        .isEqualTo(new Module.Wire(Module.HttpVersion.HTTP_2, Module.Compression.OFF));
    assertThatThrownBy(() -> overlay(wire("3", null)))
        .hasMessage("--http-version: must be \"1.1\" or \"2\", got \"3\"");
    assertThatThrownBy(() -> overlay(wire(null, "yes")))
        .hasMessage("--compression: must be off, offer or require, got \"yes\"");
  }
}
