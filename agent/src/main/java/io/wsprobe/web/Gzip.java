package io.wsprobe.web;

import io.wsprobe.metrics.TextOut;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * gzip for {@code /metrics}: asked for by the scraper's {@code Accept-Encoding} (Prometheus
 * always asks), done on the scrape's worker thread into a reused buffer, at the fastest level:
 * exposition text shrinks about tenfold even so, and a 39 MiB scrape must not cost a core.
 */
final class Gzip {
  private Gzip() {}

  /** Whether {@code acceptEncoding} (RFC 9110 §12.5.3) takes gzip: named, or {@code *}, with q above 0. */
  static boolean accepted(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    Boolean star = null;
    for (String part : acceptEncoding.split(",")) {
      String[] params = part.split(";");
      String coding = params[0].trim().toLowerCase(Locale.ROOT);
      boolean allowed = true;
      for (int i = 1; i < params.length; i++) {
        String p = params[i].trim().toLowerCase(Locale.ROOT);
        if (p.startsWith("q=")) {
          allowed = !p.substring(2).trim().matches("0(\\.0{0,3})?");
        }
      }
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        return allowed;
      }
      if (coding.equals("*")) {
        star = allowed;
      }
    }
    return star != null && star;
  }

  /** {@code plain}'s bytes gzip-compressed into {@code into} (reset first). */
  static TextOut compress(TextOut plain, TextOut into) {
    into.reset();
    try (GZIPOutputStream gzip = new GZIPOutputStream(into, 1 << 16) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    }) {
      gzip.write(plain.array(), 0, plain.size());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // TextOut does no I/O
    }
    return into;
  }
}
