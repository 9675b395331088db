package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
import static io.wsprobe.config.ConfigTesting.ENV;
import static io.wsprobe.config.ConfigTesting.errors;
import static io.wsprobe.config.ConfigTesting.exception;
import static io.wsprobe.config.ConfigTesting.parse;
import static io.wsprobe.config.ConfigTesting.seconds;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.wsprobe.config.Module.App;
import io.wsprobe.config.Module.Auth;
import io.wsprobe.config.Module.Broadcast;
import io.wsprobe.config.Module.Expect;
import io.wsprobe.config.Module.Hocuspocus;
import io.wsprobe.config.Module.Hold;
import io.wsprobe.config.Module.IpProtocol;
import io.wsprobe.config.Module.Message;
import io.wsprobe.config.Module.Protocol;
import io.wsprobe.config.Module.SocketIo;
import io.wsprobe.config.Module.Tls;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One {@code invalid-*.yml} per mistake, each with its exact error: the table in one place. */
class InvalidFilesTest {

  @Nested
  class InvalidFiles {

    static Stream<Arguments> cases() {
      return Stream.of(
          arguments("invalid-yaml-syntax.yml",
              "invalid-yaml-syntax.yml:3: invalid YAML: mapping values are not allowed here"),
          arguments("invalid-root-list.yml",
              "invalid-root-list.yml:1: expected a mapping, got a list"),
          arguments("invalid-global-type.yml",
              "invalid-global-type.yml:2: global: expected a mapping, got a list"),
          arguments("invalid-unknown-key.yml",
              "invalid-unknown-key.yml:3: modules.echo.hedaers: unknown key (known: headers, "
                  + "bearer_token, bearer_token_file, origin, subprotocols, tls, "
                  + "preferred_ip_protocol, ip_protocol_fallback, max_message_size, messages, hold, "
                  + "protocol, broadcast, socketio, hocuspocus, auth, public_query_params, proxy_url, "
                  + "proxy_user, proxy_password, proxy_password_file, http_version, compression)"),
          arguments("invalid-http-version.yml",
              "invalid-http-version.yml:3: modules.h2.http_version: must be \"1.1\" or \"2\", got \"3\""),
          arguments("invalid-compression.yml",
              "invalid-compression.yml:3: modules.deflate.compression: must be off, offer or require, "
                  + "got \"gzip\""),
          arguments("invalid-duplicate-key.yml",
              "invalid-duplicate-key.yml:4: global.interval: duplicate key (first at line 2)"),
          arguments("invalid-duration-unit.yml",
              "invalid-duration-unit.yml:2: global.interval: invalid duration \"30\" "
                  + "(examples: 500ms, 30s, 1m30s, 2h, 1d)"),
          arguments("invalid-duration-zero.yml",
              "invalid-duration-zero.yml:4: targets[0].interval: must be greater than 0"),
          arguments("invalid-global-timeout.yml",
              "invalid-global-timeout.yml:3: global.timeout: 10s must be below the interval 10s"),
          arguments("invalid-target-timeout.yml",
              "invalid-target-timeout.yml:8: targets[1].timeout: 40s must be below the interval 30s"),
          arguments("invalid-hold-timeout.yml",
              "invalid-hold-timeout.yml:10: targets[0].timeout: 20s must be above the hold "
                  + "duration 30s of module idle"),
          arguments("invalid-hold-ping-interval.yml",
              "invalid-hold-ping-interval.yml:5: modules.idle.hold.ping_interval: 30s must be "
                  + "below the hold duration 30s"),
          arguments("invalid-label-name.yml",
              "invalid-label-name.yml:3: global.labels.cloud-region: invalid label name; it must "
                  + "match [a-zA-Z_][a-zA-Z0-9_]*"),
          arguments("invalid-label-double-underscore.yml",
              "invalid-label-double-underscore.yml:3: global.labels.__address__: label names "
                  + "starting with __ are reserved for Prometheus"),
          arguments("invalid-label-reserved.yml",
              "invalid-label-reserved.yml:5: targets[0].labels.instance: reserved label name "
                  + "(reserved: target, module, result, phase, url, le, version, revision, "
                  + "instance, job)"),
          arguments("invalid-label-value.yml",
              "invalid-label-value.yml:3: global.labels.team: expected a string, got a list"),
          arguments("invalid-max-concurrent-probes.yml",
              "invalid-max-concurrent-probes.yml:2: global.max_concurrent_probes: must be at "
                  + "least 1, got 0"),
          arguments("invalid-buckets-order.yml",
              "invalid-buckets-order.yml:3: global.buckets.probe_duration[2]: bounds must be "
                  + "strictly increasing, but 0.25 follows 0.5"),
          arguments("invalid-buckets-count.yml",
              "invalid-buckets-count.yml:3: global.buckets.message_rtt: must list 1 to 12 "
                  + "bucket bounds, got 13"),
          arguments("invalid-module-name.yml",
              "invalid-module-name.yml:2: modules.echo server: invalid module name; it must "
                  + "match [a-zA-Z0-9_.-]+"),
          arguments("invalid-env-unset.yml",
              "invalid-env-unset.yml:4: modules.api.headers.X-Api-Key: environment variable "
                  + "WSPROBE_TEST_UNSET is not set"),
          arguments("invalid-secret-file-missing.yml",
              "invalid-secret-file-missing.yml:4: modules.api.headers.X-Api-Key: cannot read "
                  + "file files/missing-key.txt: no such file"),
          arguments("invalid-reference-syntax.yml",
              "invalid-reference-syntax.yml:4: modules.api.headers.X-Api-Key: malformed "
                  + "reference; write ${env:NAME} or ${file:path}"),
          arguments("invalid-bearer-token-both.yml",
              "invalid-bearer-token-both.yml:4: modules.api.bearer_token_file: bearer_token and "
                  + "bearer_token_file are mutually exclusive"),
          arguments("invalid-header-handshake.yml",
              "invalid-header-handshake.yml:4: modules.api.headers.Sec-WebSocket-Protocol: "
                  + "cannot be set as a header: use subprotocols"),
          arguments("invalid-tls-file-missing.yml",
              "invalid-tls-file-missing.yml:4: modules.mtls.tls.ca_file: cannot read file "
                  + "files/missing-ca.pem: no such file"),
          arguments("invalid-tls-cert-without-key.yml",
              "invalid-tls-cert-without-key.yml:4: modules.mtls.tls.key_file: required when "
                  + "cert_file is set"),
          arguments("invalid-bool.yml",
              "invalid-bool.yml:4: modules.insecure.tls.insecure_skip_verify: expected true or "
                  + "false, got \"maybe\""),
          arguments("invalid-ip-protocol.yml",
              "invalid-ip-protocol.yml:3: modules.v6.preferred_ip_protocol: must be ip4 or ip6, "
                  + "got \"ipv6\""),
          arguments("invalid-public-query-param.yml",
              "invalid-public-query-param.yml:3: modules.chat.public_query_params[1]: "
                  + "\"X-Amz-Signature\" is named like a credential; its value stays hidden"),
          arguments("invalid-max-message-size.yml",
              "invalid-max-message-size.yml:3: modules.big.max_message_size: must be between 1B "
                  + "and 256MiB, got 512MiB"),
          arguments("invalid-size-unit.yml",
              "invalid-size-unit.yml:3: modules.big.max_message_size: invalid size \"1MB\" "
                  + "(examples: 65536, 512KiB, 1MiB; units B, KiB, MiB)"),
          arguments("invalid-send-both.yml",
              "invalid-send-both.yml:5: modules.echo.messages[0]: set exactly one of send and "
                  + "send_base64, not both"),
          arguments("invalid-send-none.yml",
              "invalid-send-none.yml:4: modules.echo.messages[0]: set one of send and send_base64, "
                  + "or expect alone to wait for the server's next message"),
          arguments("invalid-capture-group.yml",
              "invalid-capture-group.yml:5: modules.login.messages[0].capture.token: the regex must "
                  + "have exactly one group (the value kept), it has 0; make other groups "
                  + "non-capturing: (?:...)"),
          arguments("invalid-capture-unknown.yml",
              "invalid-capture-unknown.yml:6: modules.login.messages[1].send: unknown capture "
                  + "'tokn' (captured: token)"),
          arguments("invalid-send-base64.yml",
              "invalid-send-base64.yml:4: modules.echo.messages[0].send_base64: not valid base64"),
          arguments("invalid-expect-two-kinds.yml",
              "invalid-expect-two-kinds.yml:7: modules.echo.messages[0].expect: set exactly one "
                  + "of echo, contains, regex and json, not several"),
          arguments("invalid-expect-regex.yml",
              "invalid-expect-regex.yml:6: modules.echo.messages[0].expect.regex: invalid regex: "
                  + "Unclosed group near index 5"),
          arguments("invalid-expect-json.yml",
              "invalid-expect-json.yml:7: modules.status.messages[0].expect.json.equals: missing "
                  + "required key"),
          arguments("invalid-message-count.yml",
              "invalid-message-count.yml:5: modules.echo.messages[0].count: must be between 1 "
                  + "and 1000, got 5000"),
          arguments("invalid-targets-not-list.yml",
              "invalid-targets-not-list.yml:2: targets: expected a list, got a mapping"),
          arguments("invalid-target-origin-url.yml",
              "invalid-target-origin-url.yml:4: targets[0].origin_url: scheme must be ws or wss, got http"),
          arguments("invalid-target-missing-url.yml",
              "invalid-target-missing-url.yml:2: targets[0].url: missing required key"),
          arguments("invalid-target-empty-name.yml",
              "invalid-target-empty-name.yml:2: targets[0].name: must not be empty"),
          arguments("invalid-target-duplicate-name.yml",
              "invalid-target-duplicate-name.yml:4: targets[1].name: duplicate target name "
                  + "\"collab\" (first at targets[0])"),
          arguments("invalid-target-unknown-module.yml",
              "invalid-target-unknown-module.yml:8: targets[0].module: unknown module \"ecko\" "
                  + "(known: default, echo)"),
          arguments("invalid-url-scheme.yml",
              "invalid-url-scheme.yml:7: targets[2].url: scheme must be ws or wss, got http"),
          arguments("invalid-probe-allow.yml",
              "invalid-probe-allow.yml:4: web.probe_allow[1].scheme: must be ws or wss, got https"),
          arguments("invalid-url-no-host.yml",
              "invalid-url-no-host.yml:3: targets[0].url: must have a host"),
          arguments("invalid-proxy-url-credentials.yml",
              "invalid-proxy-url-credentials.yml:3: modules.outbound.proxy_url: must not contain "
                  + "credentials (user:password@); use proxy_user and proxy_password"),
          arguments("invalid-proxy-url-scheme.yml",
              "invalid-proxy-url-scheme.yml:3: modules.outbound.proxy_url: scheme must be http (the "
                  + "probe speaks plain HTTP to the proxy and TLS through its tunnel), got socks5"),
          arguments("invalid-proxy-url-path.yml",
              "invalid-proxy-url-path.yml:3: modules.outbound.proxy_url: must be http://host:port, "
                  + "without a path, query or fragment"),
          arguments("invalid-proxy-user-without-url.yml",
              "invalid-proxy-user-without-url.yml:3: modules.outbound.proxy_user: needs proxy_url"),
          arguments("invalid-proxy-user-without-password.yml",
              "invalid-proxy-user-without-password.yml:4: modules.outbound: proxy_user needs "
                  + "proxy_password or proxy_password_file"),
          arguments("invalid-proxy-password-both.yml",
              "invalid-proxy-password-both.yml:6: modules.outbound: set exactly one of "
                  + "proxy_password and proxy_password_file, not both"),
          arguments("invalid-proxy-password-file-missing.yml",
              "invalid-proxy-password-file-missing.yml:5: modules.outbound.proxy_password_file: "
                  + "cannot read file files/missing-proxy-password.txt: no such file"),
          arguments("invalid-url-credentials.yml",
              "invalid-url-credentials.yml:3: targets[0].url: must not contain credentials "
                  + "(user:password@); use headers or bearer_token"),
          arguments("invalid-protocol.yml",
              "invalid-protocol.yml:3: modules.chat.protocol: must be raw, socketio, hocuspocus "
                  + "or ywebsocket, got \"websocket\""),
          arguments("invalid-socketio-without-protocol.yml",
              "invalid-socketio-without-protocol.yml:3: modules.chat.socketio: needs protocol: "
                  + "socketio; this module's protocol is raw (the default)"),
          arguments("invalid-hocuspocus-wrong-protocol.yml",
              "invalid-hocuspocus-wrong-protocol.yml:4: modules.collab.hocuspocus: needs "
                  + "protocol: hocuspocus; this module's protocol is ywebsocket"),
          arguments("invalid-hocuspocus-missing.yml",
              "invalid-hocuspocus-missing.yml:3: modules.collab.hocuspocus: missing required "
                  + "key: protocol hocuspocus needs hocuspocus.document and a token "
                  + "(hocuspocus.token, hocuspocus.token_file or auth)"),
          arguments("invalid-hocuspocus-document.yml",
              "invalid-hocuspocus-document.yml:5: modules.collab.hocuspocus.document: missing "
                  + "required key"),
          arguments("invalid-hocuspocus-token-missing.yml",
              "invalid-hocuspocus-token-missing.yml:5: modules.collab.hocuspocus.token: missing "
                  + "required key: set token or token_file, or log in with the module's auth"),
          arguments("invalid-hocuspocus-token-both.yml",
              "invalid-hocuspocus-token-both.yml:7: modules.collab.hocuspocus.token_file: token "
                  + "and token_file are mutually exclusive"),
          arguments("invalid-hocuspocus-token-with-auth.yml",
              "invalid-hocuspocus-token-with-auth.yml:6: modules.collab.hocuspocus.token: not "
                  + "allowed with auth: the token comes from auth"),
          arguments("invalid-auth-type.yml",
              "invalid-auth-type.yml:6: modules.collab.auth.type: unknown login flow "
                  + "\"keycloak\" (known: docmost)"),
          arguments("invalid-auth-base-url.yml",
              "invalid-auth-base-url.yml:7: modules.collab.auth.base_url: scheme must be http or "
                  + "https, got wss"),
          arguments("invalid-auth-email.yml",
              "invalid-auth-email.yml:8: modules.collab.auth.email: must not be empty"),
          arguments("invalid-auth-password-both.yml",
              "invalid-auth-password-both.yml:9: modules.tree.auth: set exactly one of password "
                  + "and password_file, not both"),
          arguments("invalid-auth-password-missing.yml",
              "invalid-auth-password-missing.yml:5: modules.tree.auth: set exactly one of "
                  + "password and password_file"),
          arguments("invalid-auth-password-file-missing.yml",
              "invalid-auth-password-file-missing.yml:8: modules.tree.auth.password_file: cannot "
                  + "read file files/missing-password.txt: no such file"),
          arguments("invalid-auth-protocol.yml",
              "invalid-auth-protocol.yml:4: modules.notes.auth: needs protocol: socketio (for "
                  + "the cookie) or hocuspocus (for the collab token); this module's protocol is "
                  + "ywebsocket"),
          arguments("invalid-auth-cookie-header.yml",
              "invalid-auth-cookie-header.yml:6: modules.tree.auth: conflicts with the Cookie "
                  + "header set in headers (auth sets the cookie); keep one of them"),
          arguments("invalid-broadcast-receivers.yml",
              "invalid-broadcast-receivers.yml:4: modules.room.broadcast.receivers: must be "
                  + "between 1 and 50, got 51"),
          arguments("invalid-broadcast-timeout.yml",
              "invalid-broadcast-timeout.yml:8: targets[0].timeout: 5s must be above the "
                  + "broadcast timeout 10s of module room"),
          arguments("invalid-broadcast-unknown-key.yml",
              "invalid-broadcast-unknown-key.yml:3: modules.room.broadcast.wait: unknown key "
                  + "(known: receivers, timeout, settle)"),
          arguments("invalid-socketio-namespace.yml",
              "invalid-socketio-namespace.yml:5: modules.chat.socketio.namespace: must start "
                  + "with \"/\", such as /chat; got \"chat\""),
          arguments("invalid-socketio-join-event.yml",
              "invalid-socketio-join-event.yml:6: modules.chat.socketio.join.event: missing "
                  + "required key"),
          arguments("invalid-socketio-marker-probe.yml",
              "invalid-socketio-marker-probe.yml:7: modules.chat.socketio.marker.data.probe: "
                  + "reserved: the sender sets probe to the marker's unique id"),
          arguments("invalid-socketio-marker-data.yml",
              "invalid-socketio-marker-data.yml:6: modules.chat.socketio.marker.data: expected "
                  + "a mapping, got a list"),
          arguments("invalid-socketio-json-infinity.yml",
              "invalid-socketio-json-infinity.yml:5: modules.chat.socketio.join.args[1]: JSON "
                  + "has no infinity or NaN, got \".inf\""),
          arguments("invalid-socketio-alias-bomb.yml",
              "invalid-socketio-alias-bomb.yml:9: modules.chat.socketio.join.args: expands to "
                  + "more than 10000 values"),
          arguments("invalid-socketio-json-bytes.yml",
              "invalid-socketio-json-bytes.yml:8: modules.chat.socketio.marker.data: expands to "
                  + "more than 1MiB of JSON"),
          arguments("invalid-yaml-alias-limit.yml",
              "invalid-yaml-alias-limit.yml:54: invalid YAML: Number of aliases for non-scalar "
                  + "nodes exceeds the specified max=50"),
          arguments("invalid-yaml-nesting.yml",
              "invalid-yaml-nesting.yml:3: invalid YAML: Nesting Depth exceeded max 50"),
          arguments("invalid-yaml-control-character.yml",
              "invalid-yaml-control-character.yml:3: invalid YAML: contains U+0007, a control "
                  + "character YAML does not allow"),
          arguments("invalid-target-port.yml",
              "invalid-target-port.yml:3: targets[0].url: port must be between 1 and 65535, got "
                  + "99999"),
          arguments("invalid-target-name-bidi.yml",
              "invalid-target-name-bidi.yml:2: targets[0].name: contains U+202E (a "
                  + "bidirectional control character)"),
          arguments("invalid-label-value-control.yml",
              "invalid-label-value-control.yml:3: global.labels.team: contains U+0000 (a "
                  + "control character)"),
          arguments("invalid-auth-insecure-http.yml",
              "invalid-auth-insecure-http.yml:6: modules.tree.auth.base_url: sends the password "
                  + "over plain http to a non-loopback host; use https, or set insecure_http: "
                  + "true"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactlyOneError(String file, String expected) throws Exception {
      assertThat(errorsOf(file)).containsExactly(expected);
    }

    @Test
    void everyInvalidFileHasACase() throws Exception {
      List<String> covered = cases().map(arguments -> (String) arguments.get()[0]).toList();
      try (Stream<Path> files = Files.list(resources())) {
        assertThat(files.map(file -> file.getFileName().toString())
            .filter(name -> name.startsWith("invalid-") && !name.equals("invalid-many.yml")))
            .containsExactlyInAnyOrderElementsOf(covered);
      }
    }

    @Test
    void reportsAllMistakesAtOnceInFileOrder() throws Exception {
      assertThat(errorsOf("invalid-many.yml")).containsExactly(
          "invalid-many.yml:3: global.timeout: 1m must be below the interval 30s",
          "invalid-many.yml:5: global.labels.instance: reserved label name (reserved: target, "
              + "module, result, phase, url, le, version, revision, instance, job)",
          "invalid-many.yml:8: modules.echo.hedaers: unknown key (known: headers, bearer_token, "
              + "bearer_token_file, origin, subprotocols, tls, preferred_ip_protocol, "
              + "ip_protocol_fallback, max_message_size, messages, hold, protocol, broadcast, "
              + "socketio, hocuspocus, auth, public_query_params, proxy_url, proxy_user, "
              + "proxy_password, proxy_password_file, http_version, compression)",
          "invalid-many.yml:13: modules.echo.messages[0].expect.regex: invalid regex: "
              + "Unclosed group near index 1",
          "invalid-many.yml:16: targets[0].url: scheme must be ws or wss, got https",
          "invalid-many.yml:17: targets[1].name: duplicate target name \"collab\" "
              + "(first at targets[0])",
          "invalid-many.yml:19: targets[1].module: unknown module \"ech0\" (known: default, echo)",
          "invalid-many.yml:20: targets[1].timeout: must be greater than 0",
          "invalid-many.yml:21: targets[2].name: missing required key",
          "invalid-many.yml:23: targets[2].labels.team-name: invalid label name; it must match "
              + "[a-zA-Z_][a-zA-Z0-9_]*");
    }

    @Test
    void theExceptionMessageListsEveryErrorOnItsOwnLine() throws Exception {
      Path file = resources().resolve("invalid-many.yml");
      ConfigException e = exception(Files.readString(file), resources(), ENV);

      assertThat(e.getMessage().split("\n")).hasSize(10)
          .containsExactlyElementsOf(e.errors().stream().map(ConfigError::toString).toList());
    }

    private List<String> errorsOf(String file) throws Exception {
      Path dir = resources();
      ConfigException e;
      try {
        ConfigLoader.parse(Files.readString(dir.resolve(file)), file, dir, ENV::get);
        return fail(file + " was accepted");
      } catch (ConfigException rejected) {
        e = rejected;
      }
      return e.errors().stream().map(ConfigError::toString).toList();
    }

    private Path resources() throws URISyntaxException {
      return Path.of(ConfigLoaderTest.class.getResource("/config").toURI());
    }
  }
}
