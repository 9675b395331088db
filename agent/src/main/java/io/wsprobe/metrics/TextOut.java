package io.wsprobe.metrics;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of one {@code /metrics} answer. Exposition text is mostly the same label sets over
 * and over with a number after each, so they are written as ready-made byte arrays and digits,
 * without a char layer or a String per number; Micrometer writes its part through the
 * {@link OutputStream} side. Reusable: {@link #reset} keeps the array for the next scrape.
 */
public final class TextOut extends OutputStream {

  private byte[] buf;
  private int len;
  private final byte[] digits = new byte[20];

  public TextOut(int capacity) {
    buf = new byte[Math.max(64, capacity)];
  }

  @Override
  public void write(int b) {
    ensure(1);
    buf[len++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  void bytes(byte[] b) {
    write(b, 0, b.length);
  }

  /** Text known to be ASCII (names, help, formatted numbers). */
  void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  void number(long v) {
    if (v < 0) {
      write('-');
      v = -v;
    }
    int i = digits.length;
    do {
      digits[--i] = (byte) ('0' + v % 10);
      v /= 10;
    } while (v > 0);
    write(digits, i, digits.length - i);
  }

  /** As {@link Double#toString}, the way Prometheus' own Java client writes floats. */
  void number(double v) {
    ascii(Double.toString(v));
  }

  public byte[] array() {
    return buf;
  }

  public int size() {
    return len;
  }

  public void reset() {
    len = 0;
  }

  @Override
  public String toString() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }
}
