package io.wsprobe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** exporter-toolkit's web config format, read strictly, every mistake with its line and key. */
class WebConfigLoaderTest {

  static final String HASH = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

  @TempDir Path dir;

  @BeforeEach
  void files() throws Exception {
    Files.writeString(dir.resolve("server.crt"), "cert");
    Files.writeString(dir.resolve("server.key"), "key");
    Files.writeString(dir.resolve("ca.crt"), "ca");
  }

  WebConfig parse(String yaml) throws ConfigException {
    return WebConfigLoader.parse(yaml, "web.yml", dir);
  }

  String error(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted:\n" + yaml);
  }

  @Test
  void anEmptyFileIsPlainHttpWithoutAuth() throws Exception {
    WebConfig c = parse("");
    assertThat(c.tls()).isNull();
    assertThat(c.basicAuth()).isFalse();
  }

  @Test
  void readsEveryKey() throws Exception {
    WebConfig c = parse("""
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.crt
          min_version: TLS13
          max_version: TLS13
          cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305]
          prefer_server_cipher_suites: true
        http_server_config:
          http2: false
          headers:
            X-Frame-Options: deny
            Strict-Transport-Security: max-age=31536000
            Content-Security-Policy: ""
        basic_auth_users:
          alice: %s
        """.formatted(HASH));
    assertThat(c.tls().certFile()).isEqualTo(dir.resolve("server.crt").toString());
    assertThat(c.tls().clientAuth()).isEqualTo(WebConfig.ClientAuth.RequireAndVerifyClientCert);
    assertThat(c.tls().clientCaFile()).isEqualTo(dir.resolve("ca.crt").toString());
    assertThat(c.tls().protocols()).isEqualTo(Set.of("TLSv1.3"));
    assertThat(c.tls().cipherSuites()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    assertThat(c.headers()).containsOnlyKeys("X-Frame-Options", "Strict-Transport-Security");
    assertThat(c.users()).containsEntry("alice", HASH);
    assertThat(c.toString()).contains("alice").doesNotContain(HASH);
  }

  @Test
  void defaultsAreTls12To13WithoutClientCertificates() throws Exception {
    WebConfig c = parse("tls_server_config: { cert_file: server.crt, key_file: server.key }");
    assertThat(c.tls().protocols()).isEqualTo(Set.of("TLSv1.2", "TLSv1.3"));
    assertThat(c.tls().clientAuth()).isEqualTo(WebConfig.ClientAuth.NoClientCert);
    assertThat(c.tls().cipherSuites()).isEmpty();
  }

  @Test
  void everyMistakeIsReportedWithItsLineAndKey() {
    assertThat(error("""
        tls_server_config:
          cert_file: missing.crt
          client_auth_type: VerifyClientCert
          min_version: TLS10
          cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]
        http_server_config:
          headers:
            X-Frame-Options: allow
            Server: wsprobe
        basic_auth_users:
          bob: secret
        tls_config: {}
        """)).isEqualTo(String.join("\n",
        "web.yml:2: tls_server_config.key_file: required when tls_server_config is set",
        "web.yml:2: tls_server_config.cert_file: cannot read file missing.crt: no such file",
        "web.yml:3: tls_server_config.client_auth_type: unknown client_auth_type \"VerifyClientCert\" (known:"
            + " NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert)",
        "web.yml:4: tls_server_config.min_version: TLS10 is not supported: the JDK disables TLS 1.0 and 1.1"
            + " (known: TLS12, TLS13)",
        "web.yml:5: tls_server_config.cipher_suites[0]: unknown or insecure cipher suite \"TLS_RSA_WITH_RC4_128_SHA\""
            + " (known: Go's tls.CipherSuites() for TLS 1.2, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
        "web.yml:8: http_server_config.headers.X-Frame-Options: expected one of deny, sameorigin, got \"allow\"",
        "web.yml:9: http_server_config.headers.Server: this header cannot be configured (known: Content-Security-Policy,"
            + " Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection)",
        "web.yml:11: basic_auth_users.bob: not a bcrypt hash (expected $2y$<cost>$ and 53 characters, as htpasswd"
            + " -nBC 10 makes)",
        "web.yml:12: tls_config: unknown key (known: tls_server_config, http_server_config, basic_auth_users)"));
  }

  @Test
  void exporterToolkitKeysWsprobeDoesNotReadAreRefusedWithWhy() {
    assertThat(error("""
        tls_server_config:
          cert: inline
          key_file: server.key
        rate_limit: { interval: 1s, burst: 20 }
        """)).contains("web.yml:2: tls_server_config.cert: inline certificates are not supported; use cert_file")
        .contains("web.yml:4: rate_limit: not supported by wsprobe");
  }

  @Test
  void clientCaGoesWithTheVerifyingClientAuthTypes() {
    assertThat(error("""
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_auth_type: RequireAndVerifyClientCert
        """)).isEqualTo("web.yml:4: tls_server_config.client_ca_file: required with client_auth_type"
        + " RequireAndVerifyClientCert");
    assertThat(error("""
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_ca_file: ca.crt
        """)).isEqualTo("web.yml:4: tls_server_config.client_ca_file: only used with client_auth_type"
        + " VerifyClientCertIfGiven or RequireAndVerifyClientCert");
  }

  @Test
  void maxVersionBelowMinIsRefused() {
    assertThat(error("""
        tls_server_config: { cert_file: server.crt, key_file: server.key, min_version: TLS13, max_version: TLS12 }
        """)).isEqualTo("web.yml:1: tls_server_config.max_version: is below min_version");
  }

  @Test
  void aUserNameWithAColonIsRefusedAndAHashNeverShown() {
    String e = error("""
        basic_auth_users:
          "a:b": %s
          carol: "$2y$03$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"
          dave: hunter2
        """.formatted(HASH));
    assertThat(e).contains("web.yml:2: basic_auth_users.a:b: a user name cannot contain ':'")
        .contains("web.yml:3: basic_auth_users.carol: bcrypt cost must be 4-31, got 03")
        .doesNotContain("hunter2").doesNotContain("QOauhQ");
  }

  @Test
  void aFileThatIsNotThereNamesItself() {
    assertThatThrownBy(() -> WebConfigLoader.load(dir.resolve("nope.yml")))
        .hasMessageContaining("nope.yml: cannot read file");
  }
}
