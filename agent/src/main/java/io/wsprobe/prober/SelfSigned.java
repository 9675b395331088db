package io.wsprobe.prober;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * A throwaway self-signed certificate for {@code CN=localhost} (EC P-256, X.509 v1), made with the
 * JDK alone, in PEM: enough for {@link Warmup}'s own loopback wss:// server. The JDK has no public
 * API to write a certificate, so its DER is assembled here; nothing outside the warm-up trusts it.
 */
final class SelfSigned {

  /** PEM texts of the certificate and its PKCS#8 private key. */
  record Pem(String cert, String key) {}

  private static final byte[] ECDSA_WITH_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
  private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");

  private SelfSigned() {}

  static Pem localhost() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = generator.generateKeyPair();
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    byte[] algorithm = der(0x30, ECDSA_WITH_SHA256);
    byte[] name = der(0x30, der(0x31, der(0x30, COMMON_NAME, der(0x0c, "localhost".getBytes(StandardCharsets.US_ASCII)))));
    byte[] validity = der(0x30, time(now.minusDays(1)), time(now.plusDays(1)));
    byte[] tbs = der(0x30, der(0x02, BigInteger.valueOf(now.toEpochSecond()).toByteArray()), algorithm, name,
        validity, name, key.getPublic().getEncoded());
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key.getPrivate());
    signer.update(tbs);
    byte[] signature = signer.sign();
    byte[] bits = new byte[signature.length + 1]; // no unused bits
    System.arraycopy(signature, 0, bits, 1, signature.length);
    byte[] cert = der(0x30, tbs, algorithm, der(0x03, bits));
    return new Pem(pem("CERTIFICATE", cert), pem("PRIVATE KEY", key.getPrivate().getEncoded()));
  }

  private static byte[] time(ZonedDateTime t) {
    return der(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
  }

  /** One DER element: tag, definite length, then the parts' bytes. */
  private static byte[] der(int tag, byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      content.writeBytes(p);
    }
    int n = content.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream(n + 6);
    out.write(tag);
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    }
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
