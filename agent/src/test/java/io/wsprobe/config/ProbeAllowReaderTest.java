package io.wsprobe.config;

import static io.wsprobe.config.ConfigTesting.errors;
import static io.wsprobe.config.ConfigTesting.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code web.probe_allow}: how it is read, what it allows, and the URLs {@code /probe} accepts. */
class ProbeAllowReaderTest {

  static ProbeAllow allow(String yaml) throws ConfigException {
    return parse(yaml).probeAllow();
  }

  @Nested
  class Reading {

    @Test
    void withoutWebNothingIsAllowed() throws Exception {
      assertThat(allow("targets: []\n")).isEqualTo(ProbeAllow.NONE);
      assertThat(allow("web: {}\n")).isEqualTo(ProbeAllow.NONE);
      assertThat(ProbeAllow.NONE.refusal(URI.create("ws://127.0.0.1/")))
          .startsWith("web.probe_allow is empty");
    }

    @Test
    void readsEachRule() throws Exception {
      assertThat(allow("""
          web:
            probe_allow:
              - { scheme: wss, host: "*.Example.com", port: 443, path: "/collab*" }
              - { host: "[::1]" }
          """).rules()).containsExactly(new ProbeAllow.Rule("wss", "*.example.com", 443, "/collab*"),
          new ProbeAllow.Rule(null, "::1", 0, null));
    }

    @Test
    void everyMistakeIsReportedWithItsLine() {
      assertThat(errors("""
          web:
            probe_allow:
              - { scheme: http, host: a.example }
              - { port: 0, host: "a b" }
              - { host: x, path: collab }
              - { host: x, prot: 1 }
            probe_deny: []
          """)).containsExactly(
          "test.yml:3: web.probe_allow[0].scheme: must be ws or wss, got http",
          "test.yml:4: web.probe_allow[1].host: a host name, an address or a glob with *; letters, digits,"
              + " '.', '-', '_', ':' and '*' only",
          "test.yml:4: web.probe_allow[1].port: must be between 1 and 65535, got 0",
          "test.yml:5: web.probe_allow[2].path: must start with /, got collab",
          "test.yml:6: web.probe_allow[3].prot: unknown key (known: scheme, host, port, path)",
          "test.yml:7: web.probe_deny: unknown key (known: probe_allow)");
    }

    @Test
    void aTargetNameCannotLookLikeAUrl() {
      assertThat(errors("targets: [ { name: \"ws://x\", url: \"ws://x/\" } ]\n")).containsExactly(
          "test.yml:1: targets[0].name: must not contain \"://\" (a name, not a URL)");
    }

    @Test
    void aRuleNeedsAHost() {
      assertThat(errors("web: { probe_allow: [ { port: 443 } ] }\n")).containsExactly(
          "test.yml:1: web.probe_allow[0].host: missing required key (\"*\" allows every host)");
    }
  }

  @Nested
  class Matching {

    final ProbeAllow allow;

    Matching() throws ConfigException {
      allow = allow("""
          web:
            probe_allow:
              - { scheme: wss, host: "*.example.com", port: 443, path: "/collab*" }
              - { scheme: ws, host: 127.0.0.1 }
              - { host: "::1", port: 8080 }
          """);
    }

    @ParameterizedTest
    @CsvSource({
        "wss://app.example.com/collab, true",
        "wss://a.b.example.com:443/collab/doc?token=x, true",
        "WSS://APP.EXAMPLE.COM/collab, true",
        "wss://example.com/collab, false",
        "wss://app.example.com.evil.net/collab, false",
        "wss://app.example.com:8443/collab, false",
        "ws://app.example.com/collab, false",
        "wss://app.example.com/admin, false",
        "wss://app.example.com/collab/../admin, false",
        "wss://app.example.com/collab/%2e%2E/admin, false",
        "wss://app.example.com/collab/..;x=1/admin, false",
        "wss://app.example.com/collab/.;/doc, false",
        "wss://app.example.com/collab/...;/doc, true",
        "ws://127.0.0.1:9/anything, true",
        "wss://127.0.0.1/, false",
        "ws://[::1]:8080/, true",
        "wss://[::1]:8080/x, true",
        "ws://[::1]/, false",
    })
    void allowsWhatARuleMatches(String url, boolean allowed) {
      assertThat(allow.refusal(ProbeAllow.url(url))).as(url).matches(r -> (r == null) == allowed);
    }

    @Test
    void saysWhyNot() {
      assertThat(allow.refusal(URI.create("ws://other.example/")))
          .isEqualTo("the URL matches none of the 3 rules of web.probe_allow");
      assertThat(allow.refusal(URI.create("wss://app.example.com/collab/../x")))
          .isEqualTo("a path with . or .. segments is never probed on request");
    }
  }

  @Nested
  class Urls {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://x.example/ | scheme must be ws or wss, got http",
        "/relative | must be an absolute URL starting with ws:// or wss://",
        "ws://user:pw@x.example/ | must not contain credentials (user:password@); use headers or bearer_token",
        "ws://x.example:70000/ | port must be between 1 and 65535, got 70000",
        "ws://x.example/#top | must not have a fragment (#...)",
        "ws://x example/ | not a valid URL: Illegal character in authority at index 5",
    })
    void areCheckedAsATargetsUrl(String url, String message) {
      assertThatThrownBy(() -> ProbeAllow.url(url)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message).hasMessageNotContaining("pw");
    }
  }
}
