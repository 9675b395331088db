package io.wsprobe.prober;

import io.netty.handler.ssl.SslHandler;
import io.wsprobe.config.Module;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The TLS handshake: Netty's {@link SslHandler} at the head of the pipeline, with no timeout of
 * its own (the probe's deadline bounds it). Records the earliest notAfter of the chain the server
 * presented, also when the handshake fails, so an expired certificate is named as such; a
 * failure is put into words by {@link TlsFailure}.
 */
final class TlsStep {

  private TlsStep() {}

  static void start(Session s) throws Exception {
    s.step = ProbeStep.TLS;
    s.stepStart = System.nanoTime();
    Module.Tls tls = s.module.tls();
    String serverName = tls.serverName() != null ? tls.serverName() : Connect.host(s);
    SslHandler ssl = s.probe.tlsContexts.get(tls).newHandler(s.channel.alloc(), serverName, s.target.port());
    ssl.setHandshakeTimeoutMillis(0); // the probe's deadline bounds it
    s.sslEngine = ssl.engine();
    Pipelines.tls(s, ssl);
    ssl.handshakeFuture().addListener(f -> s.guarded(() -> {
      if (s.step != ProbeStep.TLS) {
        return;
      }
      long took = System.nanoTime() - s.stepStart;
      X509Certificate[] chain = s.probe.tlsContexts.takePresentedChain(s.sslEngine);
      if (chain == null && f.isSuccess()) {
        chain = peerChain(s);
      }
      recordExpiry(s, chain);
      if (!f.isSuccess()) {
        TlsFailure.Cause cause = TlsFailure.classify(f.cause(), chain, serverName, Instant.now());
        s.step("tls", took, "handshake failed: " + cause.result() + ": " + cause.detail());
        s.end(cause.result(), "TLS handshake: " + cause.detail());
        return;
      }
      s.phases.put(Phase.TLS, took);
      s.step("tls", took, ssl.engine().getSession().getProtocol() + " "
          + ssl.engine().getSession().getCipherSuite()
          + (s.certNotAfter == null ? "" : ", certificate valid until " + s.certNotAfter)
          + (tls.insecureSkipVerify() ? " (not verified: insecure_skip_verify)" : ""));
      s.upgrade();
    }));
  }

  private static X509Certificate[] peerChain(Session s) {
    try {
      var certs = s.sslEngine.getSession().getPeerCertificates();
      List<X509Certificate> out = new ArrayList<>();
      for (var c : certs) {
        if (c instanceof X509Certificate x) {
          out.add(x);
        }
      }
      return out.toArray(new X509Certificate[0]);
    } catch (Exception e) {
      return null;
    }
  }

  private static void recordExpiry(Session s, X509Certificate[] chain) {
    if (chain == null) {
      return;
    }
    for (X509Certificate c : chain) {
      Instant notAfter = c.getNotAfter().toInstant();
      if (s.certNotAfter == null || notAfter.isBefore(s.certNotAfter)) {
        s.certNotAfter = notAfter;
      }
    }
  }
}
