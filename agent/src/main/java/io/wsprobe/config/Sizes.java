package io.wsprobe.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes written as an integer with an optional binary unit: {@code 65536}, {@code 512KiB}, {@code 1MiB}. */
final class Sizes {

  private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KiB|MiB)?");
  private static final long KIB = 1024;
  private static final long MIB = 1024 * 1024;

  static final String EXAMPLES = "65536, 512KiB, 1MiB; units B, KiB, MiB";

  private Sizes() {}

  /** @throws IllegalArgumentException with a message fit for a human */
  static long parse(String text) {
    Matcher matcher = SIZE.matcher(text);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("invalid size \"" + text + "\" (examples: " + EXAMPLES + ")");
    }
    String unit = matcher.group(2);
    long factor = unit == null || unit.equals("B") ? 1 : unit.equals("KiB") ? KIB : MIB;
    try {
      return Math.multiplyExact(Long.parseLong(matcher.group(1)), factor);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("size \"" + text + "\" is too large");
    }
  }

  /** The largest unit that divides the size exactly: {@code 1MiB}, {@code 1536B}... */
  static String format(long bytes) {
    if (bytes != 0 && bytes % MIB == 0) {
      return bytes / MIB + "MiB";
    }
    if (bytes != 0 && bytes % KIB == 0) {
      return bytes / KIB + "KiB";
    }
    return bytes + "B";
  }
}
