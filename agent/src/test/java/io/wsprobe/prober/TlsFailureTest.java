package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Instant;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsFailure} on the exception shapes the JDK's TLS client raises, wrapped as SunJSSE wraps
 * them; ProberTest checks the same against real servers. No chain: what the types say decides.
 */
class TlsFailureTest {

  private static TlsFailure.Cause classify(Throwable e) {
    return TlsFailure.classify(e, null, "localhost", Instant.now());
  }

  private static Throwable handshake(String message, Throwable cause) {
    Throwable e = new SSLHandshakeException(message);
    e.initCause(cause);
    return e;
  }

  @Test
  void noPathIsUntrustedByType() {
    Throwable e = handshake("PKIX path building failed", new CertificateException("wrapped",
        new CertPathBuilderException("unable to find valid certification path to requested target")));
    assertThat(classify(e).result()).isEqualTo(Result.TLS_UNTRUSTED);
    assertThat(classify(e).detail()).startsWith("no path to a trusted CA (");
  }

  @Test
  void notYetValidIsUntrustedAndNamesTheClock() {
    Throwable e = handshake("PKIX path validation failed", new CertificateException("wrapped",
        new CertPathValidatorException("validity check failed", null, null, -1,
            CertPathValidatorException.BasicReason.NOT_YET_VALID)));
    assertThat(classify(e).result()).isEqualTo(Result.TLS_UNTRUSTED);
    assertThat(classify(e).detail()).contains("not valid yet (check this machine's clock)");
  }

  @Test
  void expiryFromTheValidatorOrTheCertificateIsExpired() {
    Throwable validator = handshake("PKIX path validation failed", new CertificateException("wrapped",
        new CertPathValidatorException("validity check failed", new CertificateExpiredException("NotAfter"),
            null, -1, CertPathValidatorException.BasicReason.EXPIRED)));
    assertThat(classify(validator).result()).isEqualTo(Result.TLS_CERT_EXPIRED);
    assertThat(classify(validator).detail()).startsWith("a certificate of the chain has expired (")
        .doesNotContain("untrusted");
  }

  @Test
  void hostnameMismatchByTheJdksWords() {
    Throwable e = handshake("No subject alternative DNS name matching localhost found.",
        new CertificateException("No subject alternative DNS name matching localhost found."));
    assertThat(classify(e).result()).isEqualTo(Result.TLS_HOSTNAME_MISMATCH);
    assertThat(classify(e).detail()).startsWith("the certificate is not for localhost (");
  }

  @Test
  void anotherRefusedCertificateIsUntrusted() {
    Throwable e = handshake("Extended key usage does not permit use for TLS server authentication",
        new CertificateException("Extended key usage does not permit use for TLS server authentication"));
    assertThat(classify(e).result()).isEqualTo(Result.TLS_UNTRUSTED);
  }

  @Test
  void alertsAndOtherProtocolsAreHandshakeFailures() {
    assertThat(classify(new SSLHandshakeException("Received fatal alert: handshake_failure")).detail())
        .isEqualTo("the server refused the handshake with alert handshake_failure: no cipher suite or"
            + " parameters in common");
    assertThat(classify(new SSLException("Unsupported or unrecognized SSL message")))
        .isEqualTo(new TlsFailure.Cause(Result.TLS_HANDSHAKE_FAILED,
            "the port does not speak TLS (Unsupported or unrecognized SSL message)"));
    assertThat(classify(new java.nio.channels.ClosedChannelException()))
        .isEqualTo(new TlsFailure.Cause(Result.TLS_HANDSHAKE_FAILED,
            "the connection failed: ClosedChannelException"));
  }
}
