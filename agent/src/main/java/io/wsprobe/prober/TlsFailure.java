package io.wsprobe.prober;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Why a TLS handshake failed, read from the JDK's exceptions (by type where one exists, through
 * every cause) and from the chain the server presented. In this order:
 * <ol>
 *   <li>{@code tls_cert_expired}: a certificate of the chain is past its notAfter, whatever else
 *       is wrong (the detail says when the chain is also untrusted);</li>
 *   <li>{@code tls_untrusted}: no path to a trusted CA (unknown issuer, self-signed, incomplete
 *       chain: {@link CertPathBuilderException}), or a chain the validator refuses for another
 *       reason ({@link CertPathValidatorException}: not yet valid, revoked, weak algorithm);</li>
 *   <li>{@code tls_hostname_mismatch}: a trusted certificate for other names (the JDK's
 *       HostnameChecker throws a bare {@link CertificateException}, so its words decide);</li>
 *   <li>{@code tls_handshake_failed}: everything else: no protocol version or cipher in common,
 *       an alert from the server, a port that does not speak TLS, the deadline.</li>
 * </ol>
 */
final class TlsFailure {

  /** @param detail the probe's detail: what went wrong, then the JDK's own words */
  record Cause(Result result, String detail) {}

  private TlsFailure() {}

  static Cause classify(Throwable error, X509Certificate[] chain, String serverName, Instant now) {
    String why = ProbeText.rootMessage(error);
    String untrusted = untrusted(error, chain);
    String expired = expired(error, chain, now);
    if (expired != null) {
      return new Cause(Result.TLS_CERT_EXPIRED, expired
          + (untrusted == null ? "" : "; the chain is also untrusted: " + untrusted) + " (" + why + ")");
    }
    if (untrusted != null) {
      return new Cause(Result.TLS_UNTRUSTED, untrusted + " (" + why + ")");
    }
    if (hostnameMismatch(error)) {
      List<String> names = names(chain);
      return new Cause(Result.TLS_HOSTNAME_MISMATCH, "the certificate is not for " + serverName
          + (names.isEmpty() ? "" : ": it names " + String.join(", ", names)) + " (" + why + ")");
    }
    CertificateException refused = find(error, CertificateException.class);
    if (refused != null) {
      // a chain the JDK refuses for what its leaf says (key usage, an unparsable extension)
      return new Cause(Result.TLS_UNTRUSTED, "the certificate was refused (" + why + ")");
    }
    return new Cause(Result.TLS_HANDSHAKE_FAILED, handshake(error, why));
  }

  /** What makes the chain untrusted, in words, or null when it is not (or not known to be). */
  private static String untrusted(Throwable error, X509Certificate[] chain) {
    if (find(error, CertPathBuilderException.class) != null) {
      X509Certificate top = chain == null || chain.length == 0 ? null : chain[chain.length - 1];
      if (top == null) {
        return "no path to a trusted CA";
      }
      if (top.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
        return chain.length == 1 ? "the certificate " + subject(top) + " is self-signed and not trusted"
            : "the chain ends in " + subject(top) + ", a CA that is not trusted";
      }
      return "no path to a trusted CA: the issuer " + issuer(top)
          + " is unknown (a private CA, or the server does not send its intermediate certificate)";
    }
    CertPathValidatorException v = find(error, CertPathValidatorException.class);
    if (v != null && v.getReason() != CertPathValidatorException.BasicReason.EXPIRED) {
      return switch (v.getReason() instanceof CertPathValidatorException.BasicReason b ? b
          : CertPathValidatorException.BasicReason.UNSPECIFIED) {
        case NOT_YET_VALID -> "a certificate of the chain is not valid yet (check this machine's clock)";
        case REVOKED -> "a certificate of the chain is revoked";
        case ALGORITHM_CONSTRAINED -> "the chain uses an algorithm or key size the JDK refuses";
        case INVALID_SIGNATURE -> "a signature in the chain does not verify";
        default -> "the chain does not validate";
      };
    }
    if (find(error, CertificateNotYetValidException.class) != null) {
      return "a certificate of the chain is not valid yet (check this machine's clock)";
    }
    return null;
  }

  /** Which certificate expired first, in words, or null when none has. */
  private static String expired(Throwable error, X509Certificate[] chain, Instant now) {
    X509Certificate first = null;
    if (chain != null) {
      for (X509Certificate c : chain) {
        if (c.getNotAfter().toInstant().isBefore(now)
            && (first == null || c.getNotAfter().before(first.getNotAfter()))) {
          first = c;
        }
      }
    }
    if (first != null) {
      return "the certificate " + subject(first) + " expired at " + first.getNotAfter().toInstant();
    }
    CertPathValidatorException v = find(error, CertPathValidatorException.class);
    boolean said = find(error, CertificateExpiredException.class) != null
        || (v != null && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED);
    return said ? "a certificate of the chain has expired" : null; // the chain was not recorded
  }

  private static boolean hostnameMismatch(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (t instanceof CertificateException && !(t instanceof CertificateParsingException) && m != null
          && (m.startsWith("No subject alternative") || m.startsWith("No name matching"))) {
        return true;
      }
    }
    return false;
  }

  private static String handshake(Throwable error, String why) {
    String m = why.toLowerCase(Locale.ROOT);
    if (m.contains("unrecognized ssl message") || m.contains("not an ssl/tls record")) {
      return "the port does not speak TLS (" + why + ")";
    }
    if (m.startsWith("received fatal alert: ")) {
      String alert = m.substring("received fatal alert: ".length()).trim();
      return "the server refused the handshake with alert " + alert + switch (alert) {
        case "protocol_version" -> ": no TLS version in common";
        case "handshake_failure", "insufficient_security" -> ": no cipher suite or parameters in common";
        case "bad_certificate", "certificate_required", "unknown_ca", "certificate_unknown" ->
            ": it refused the client certificate (tls.cert_file)";
        case "unrecognized_name" -> ": it serves no certificate for that name (tls.server_name)";
        default -> "";
      };
    }
    if (m.contains("no appropriate protocol") || m.contains("no negotiable cipher")) {
      return "no TLS version or cipher suite in common (" + why + ")";
    }
    return (find(error, SSLException.class) != null ? "" : "the connection failed: ") + why;
  }

  private static List<String> names(X509Certificate[] chain) {
    List<String> out = new ArrayList<>();
    if (chain == null || chain.length == 0) {
      return out;
    }
    try {
      var alt = chain[0].getSubjectAlternativeNames();
      if (alt != null) {
        for (List<?> entry : alt) {
          if (entry.size() == 2 && entry.get(1) instanceof String s) {
            out.add(s);
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no names to show
    }
    return out;
  }

  private static String subject(X509Certificate c) {
    return "'" + c.getSubjectX500Principal().getName() + "'";
  }

  private static String issuer(X509Certificate c) {
    return "'" + c.getIssuerX500Principal().getName() + "'";
  }

  private static <T extends Throwable> T find(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
