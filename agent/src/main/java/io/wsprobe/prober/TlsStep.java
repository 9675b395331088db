package io.wsprobe.prober;

import io.netty.handler.ssl.ApplicationProtocolNames;
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
 * failure is put into words by {@link TlsFailure}. With {@code http_version: "2"} the step
 * includes ALPN: the context offers {@code h2} only, and a server that selects anything else, or
 * nothing, is {@code h2_not_negotiated}.
 */
final class TlsStep {

  private TlsStep() {}

  static void start(Session s) throws Exception {
    s.step = ProbeStep.TLS;
    s.stepStart = System.nanoTime();
    Module.Tls tls = s.module.tls();
    String serverName = tls.serverName() != null ? tls.serverName() : Connect.host(s);
    boolean h2 = s.h2();
    SslHandler ssl = (h2 ? s.probe.tlsContexts.getH2(tls) : s.probe.tlsContexts.get(tls)).newHandler(s.channel.alloc(), serverName, s.target.port());
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
      if (!f.isSuccess() && h2 && alpnRefused(f.cause())) {
        String why = ProbeText.rootMessage(f.cause());
        s.step("tls", took, "handshake failed: ALPN offered h2 only: " + why);
        s.end(Result.H2_NOT_NEGOTIATED, "TLS ALPN offered h2 only and the server refused it: " + why);
        return;
      }
      if (!f.isSuccess()) {
        TlsFailure.Cause cause = TlsFailure.classify(f.cause(), chain, serverName, Instant.now());
        s.step("tls", took, "handshake failed: " + cause.result() + ": " + cause.detail());
        s.end(cause.result(), "TLS handshake: " + cause.detail());
        return;
      }
      s.phases.put(Phase.TLS, took);
      String alpn = h2 ? ssl.applicationProtocol() : null;
      s.step("tls", took, ssl.engine().getSession().getProtocol() + " "
          + ssl.engine().getSession().getCipherSuite()
          + (h2 ? ", ALPN " + (alpn == null ? "selected nothing" : alpn) : "")
          + (s.certNotAfter == null ? "" : ", certificate valid until " + s.certNotAfter)
          + (tls.insecureSkipVerify() ? " (not verified: insecure_skip_verify)" : ""));
      if (h2 && !ApplicationProtocolNames.HTTP_2.equals(alpn)) {
        s.end(Result.H2_NOT_NEGOTIATED, "TLS ALPN offered h2 only, the server "
            + (alpn == null ? "selected nothing (it offers no h2 here)" : "selected " + alpn));
        return;
      }
      s.upgrade();
    }));
  }

  /**
   * The handshake failed over ALPN itself: a server with no protocol in common sends the
   * no_application_protocol alert (RFC 7301), and the JDK refuses a server that selects a
   * protocol it was not offered.
   */
  private static boolean alpnRefused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("no_application_protocol") || m.contains("application protocol"))) {
        return true;
      }
    }
    return false;
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
