package io.wsprobe.support;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI for TLS tests, made in-process: a test CA and server certificates it signs,
 * written as PEM files into a directory the test owns. EC P-256 keys, so making them is fast.
 */
public final class TestCerts {

  /** A server certificate with its key, as objects and as PEM files. */
  public record Issued(X509Certificate cert, Path certPem, Path keyPem) {
    public Instant notAfter() {
      return cert.getNotAfter().toInstant();
    }
  }

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final KeyPair caKey;
  private final X509Certificate ca;
  private final Path caPem;

  private TestCerts(Path dir) throws Exception {
    this.dir = dir;
    this.caKey = newKey();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    X500Name name = new X500Name("CN=wsprobe test CA");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
        Date.from(now.minus(Duration.ofDays(60))), Date.from(now.plus(Duration.ofDays(60))), name,
        caKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    this.ca = sign(b);
    this.caPem = writeCert("ca.pem", ca);
  }

  public static TestCerts create(Path dir) throws Exception {
    return new TestCerts(dir);
  }

  /** The CA, as a file for {@code tls.ca_file}. */
  public Path caPem() {
    return caPem;
  }

  /** Valid now, for localhost, 127.0.0.1 and ::1. */
  public Issued localhost() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return issue("localhost", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
        new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.iPAddress, "::1"));
  }

  /** For localhost, but expired yesterday. */
  public Issued expired() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return issue("expired", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)),
        new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
  }

  /** Valid now, but only for other.example. */
  public Issued otherHost() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return issue("other-host", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
        new GeneralName(GeneralName.dNSName, "other.example"));
  }

  /** Valid now, for localhost, signed by its own key: trusted by nobody. */
  public Issued selfSigned() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    KeyPair key = newKey();
    X500Name name = new X500Name("CN=self-signed");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name,
        key.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
    X509Certificate cert = new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    return new Issued(cert, writeCert("self-signed.crt.pem", cert),
        writeKey("self-signed.key.pem", key.getPrivate()));
  }

  /**
   * Valid now, for localhost, issued by an intermediate CA that the test CA signed; the PEM holds
   * the leaf alone, as a server that does not send its intermediate presents it.
   */
  public Issued withoutIntermediate() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    KeyPair intermediateKey = newKey();
    X500Name intermediateName = new X500Name("CN=wsprobe test intermediate");
    JcaX509v3CertificateBuilder i = new JcaX509v3CertificateBuilder(ca, serial(),
        Date.from(now.minus(Duration.ofDays(30))), Date.from(now.plus(Duration.ofDays(60))),
        intermediateName, intermediateKey.getPublic());
    i.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    i.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    sign(i);
    KeyPair key = newKey();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(intermediateName, serial(),
        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))),
        new X500Name("CN=behind-intermediate"), key.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
    X509Certificate cert = new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(intermediateKey.getPrivate())));
    return new Issued(cert, writeCert("behind-intermediate.crt.pem", cert),
        writeKey("behind-intermediate.key.pem", key.getPrivate()));
  }

  private Issued issue(String file, Instant notBefore, Instant notAfter, GeneralName... names)
      throws Exception {
    KeyPair key = newKey();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(),
        Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + file), key.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    X509Certificate cert = sign(b);
    return new Issued(cert, writeCert(file + ".crt.pem", cert), writeKey(file + ".key.pem", key.getPrivate()));
  }

  private X509Certificate sign(JcaX509v3CertificateBuilder b) throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
  }

  private static KeyPair newKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private Path writeCert(String file, X509Certificate cert) throws Exception {
    return write(file, "CERTIFICATE", cert.getEncoded());
  }

  /** PKCS#8, which both Vert.x and Netty read. */
  private Path writeKey(String file, PrivateKey key) throws Exception {
    return write(file, "PRIVATE KEY", key.getEncoded());
  }

  private Path write(String file, String type, byte[] der) throws Exception {
    String pem = "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
    return Files.writeString(dir.resolve(file), pem, StandardCharsets.US_ASCII);
  }
}
