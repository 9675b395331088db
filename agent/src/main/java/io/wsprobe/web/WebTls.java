package io.wsprobe.web;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import io.wsprobe.config.WebConfig;
import java.security.KeyStore;
import java.util.Collections;

/**
 * {@code tls_server_config} as Vert.x server TLS options. Go's five client-auth types map onto
 * the JDK's three modes plus a trust manager: "request" and "require any" take any certificate
 * (Go does not verify them either); the verifying ones trust {@code client_ca_file} only.
 */
final class WebTls {
  private WebTls() {}

  /** TLS 1.3's suites stay on whatever {@code cipher_suites} says: Go does not configure them either. */
  private static final String[] TLS13_SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};

  /** Sets {@code tls} on {@code ssl} and returns it. */
  static ServerSSLOptions configure(ServerSSLOptions ssl, WebConfig.Tls tls) {
    ssl.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()));
    WebConfig.ClientAuth auth = tls.clientAuth();
    ssl.setClientAuth(auth == WebConfig.ClientAuth.NoClientCert ? ClientAuth.NONE
        : auth.required() ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
    if (auth.verifies()) {
      ssl.setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCaFile()));
    } else if (auth != WebConfig.ClientAuth.NoClientCert) {
      ssl.setTrustOptions(TrustOptions.wrap(InsecureTrustManagerFactory.INSTANCE));
    }
    ssl.setEnabledSecureTransportProtocols(tls.protocols());
    if (!tls.cipherSuites().isEmpty()) {
      tls.cipherSuites().forEach(ssl::addEnabledCipherSuite);
      for (String s : TLS13_SUITES) {
        ssl.addEnabledCipherSuite(s);
      }
    }
    return ssl;
  }

  /**
   * Loads the certificate, key and client CA as the server will, so a bad file is refused with
   * its key named before anything listens or switches.
   *
   * @throws IllegalArgumentException naming the key and the problem
   */
  static void check(Vertx vertx, WebConfig.Tls tls) {
    try {
      new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()).getKeyManagerFactory(vertx);
    } catch (Exception e) {
      throw new IllegalArgumentException("tls_server_config.cert_file, key_file: cannot load " + tls.certFile()
          + " with " + tls.keyFile() + ": " + e.getMessage(), e);
    }
    if (tls.clientAuth().verifies()) {
      int cas;
      try {
        KeyStore store = new PemTrustOptions().addCertPath(tls.clientCaFile()).loadKeyStore(vertx);
        cas = Collections.list(store.aliases()).size();
      } catch (Exception e) {
        throw new IllegalArgumentException("tls_server_config.client_ca_file: cannot load " + tls.clientCaFile()
            + ": " + e.getMessage(), e);
      }
      if (cas == 0) {
        throw new IllegalArgumentException("tls_server_config.client_ca_file: no certificate in " + tls.clientCaFile());
      }
    }
  }
}
