package io.wsprobe.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The web port's settings from {@code --web.config.file}, in exporter-toolkit's format (see
 * docs/web-config.md): TLS, extra response headers and basic-auth users. Read by
 * {@link WebConfigLoader}; {@link #NONE} when no file is given (plain HTTP, no auth).
 *
 * @param source  the file, as errors name it; empty for {@link #NONE}
 * @param tls     null for plain HTTP
 * @param headers the extra response headers, by exporter-toolkit's spelling of their names
 * @param users   user name → bcrypt hash; empty = no authentication
 */
public record WebConfig(String source, Tls tls, Map<String, String> headers, Map<String, String> users) {

  public static final WebConfig NONE = new WebConfig("", null, Map.of(), Map.of());

  public WebConfig {
    headers = Map.copyOf(headers);
    users = Map.copyOf(users);
  }

  public boolean basicAuth() {
    return !users.isEmpty();
  }

  /** Never the hashes: they are guessable offline. */
  @Override
  public String toString() {
    return "WebConfig[source=" + source + ", tls=" + tls + ", headers=" + headers.keySet()
        + ", users=" + users.keySet() + "]";
  }

  /** Go's {@code tls.ClientAuthType}, by its Go name. */
  public enum ClientAuth {
    NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert;

    /** A handshake without a client certificate is refused. */
    public boolean required() {
      return this == RequireAnyClientCert || this == RequireAndVerifyClientCert;
    }

    /** A client certificate given is checked against {@code client_ca_file}. */
    public boolean verifies() {
      return this == VerifyClientCertIfGiven || this == RequireAndVerifyClientCert;
    }
  }

  /**
   * {@code tls_server_config}, files resolved against the web config file's directory.
   *
   * @param protocols    the JDK's names of the TLS versions from {@code min_version} to
   *                     {@code max_version} ({@code TLSv1.2}, {@code TLSv1.3})
   * @param cipherSuites the JDK's names of {@code cipher_suites} (TLS 1.2); empty = the JDK's
   */
  public record Tls(String certFile, String keyFile, ClientAuth clientAuth, String clientCaFile,
                    Set<String> protocols, List<String> cipherSuites) {
    public Tls {
      protocols = Set.copyOf(protocols);
      cipherSuites = List.copyOf(cipherSuites);
    }
  }
}
