package io.wsprobe.protocol;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Broadcast marker ids: unique per probe, recognisable wherever a server puts them in a frame. */
public final class Markers {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ID = Pattern.compile("wsprobe-[0-9a-f]{16}");

  private Markers() {}

  public static String newId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return "wsprobe-" + HexFormat.of().formatHex(b);
  }

  /** The first marker id in {@code text}, or null. */
  public static String find(String text) {
    if (text.indexOf("wsprobe-") < 0) {
      return null;
    }
    Matcher m = ID.matcher(text);
    return m.find() ? m.group() : null;
  }

  /** A random non-zero uint32 client id, as Yjs clients pick theirs. */
  public static long newClientId() {
    return (RANDOM.nextInt() & 0xffffffffL) | 1;
  }
}
