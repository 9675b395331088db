package io.wsprobe.prober;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.wsprobe.config.Module;
import java.io.File;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client TLS contexts, one per distinct {@link Module.Tls}, built once and reused. Every context
 * trusts through {@link ChainRecorder}, which remembers the chain a server presented so the
 * probe can export its expiry even when verification fails (an expired certificate is exactly
 * when the expiry matters). A module with {@code http_version: "2"} gets a context of its own
 * whose ALPN offers {@code h2} only (RFC 8441 needs HTTP/2; a server that selects anything else
 * is {@code h2_not_negotiated}).
 */
final class TlsContexts {

  /** ALPN offering h2 only; a server that selects nothing is accepted, and the probe says so. */
  private static final ApplicationProtocolConfig H2_ONLY = new ApplicationProtocolConfig(
      ApplicationProtocolConfig.Protocol.ALPN,
      ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
      ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
      ApplicationProtocolNames.HTTP_2);

  private final Map<Module.Tls, SslContext> contexts = new ConcurrentHashMap<>();
  private final Map<Module.Tls, SslContext> h2Contexts = new ConcurrentHashMap<>();
  private final Map<SSLEngine, X509Certificate[]> presented = new ConcurrentHashMap<>();

  SslContext get(Module.Tls tls) throws Exception {
    SslContext ctx = contexts.get(tls);
    if (ctx == null) {
      ctx = build(tls, false);
      contexts.putIfAbsent(tls, ctx);
    }
    return ctx;
  }

  /** The context for {@code http_version: "2"}: the same trust and keys, ALPN offering h2 only. */
  SslContext getH2(Module.Tls tls) throws Exception {
    SslContext ctx = h2Contexts.get(tls);
    if (ctx == null) {
      ctx = build(tls, true);
      h2Contexts.putIfAbsent(tls, ctx);
    }
    return ctx;
  }

  /** The chain the server behind {@code engine} presented, forgotten once read. */
  X509Certificate[] takePresentedChain(SSLEngine engine) {
    return presented.remove(engine);
  }

  private SslContext build(Module.Tls tls, boolean h2) throws Exception {
    X509ExtendedTrustManager delegate = tls.insecureSkipVerify()
        ? (X509ExtendedTrustManager) InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]
        : trustManager(tls.caFile());
    SslContextBuilder builder = SslContextBuilder.forClient()
        .trustManager(new ChainRecorder(delegate))
        .endpointIdentificationAlgorithm(tls.insecureSkipVerify() ? null : "HTTPS");
    if (tls.certFile() != null) {
      builder.keyManager(new File(tls.certFile()), new File(tls.keyFile()));
    }
    if (h2) {
      builder.applicationProtocolConfig(H2_ONLY);
    }
    return builder.build();
  }

  private static X509ExtendedTrustManager trustManager(String caFile) throws Exception {
    KeyStore store = null;
    if (caFile != null) {
      store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      try (InputStream in = Files.newInputStream(Path.of(caFile))) {
        int i = 0;
        for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          store.setCertificateEntry("ca-" + i++, cert);
        }
        if (i == 0) {
          throw new CertificateException("no certificate in " + caFile);
        }
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X509 trust manager available");
  }

  /** Records the presented chain per engine, then lets the real trust manager decide. */
  private final class ChainRecorder extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    ChainRecorder(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      if (engine != null && chain != null) {
        presented.put(engine, chain.clone());
      }
      delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
