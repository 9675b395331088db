package io.wsprobe.prober;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** How a probe puts bytes and errors into words for its trace and its detail. */
final class ProbeText {

  private ProbeText() {}

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  static String printable(ByteBuf buf, String whenEmpty) {
    if (buf.readableBytes() == 0) {
      return whenEmpty;
    }
    return escape(ByteBufBytes.of(buf));
  }

  static String preview(byte[] bytes, boolean text) {
    if (!text) {
      return bytes.length + " bytes binary";
    }
    String s = escape(bytes.length > 64 ? java.util.Arrays.copyOf(bytes, 64) : bytes);
    return "'" + s + (bytes.length > 64 ? "...' (" + bytes.length + " bytes)" : "'");
  }

  /** Bytes as text for a terminal: printable ASCII and UTF-8 kept, control bytes escaped. */
  static String escape(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f && c != '\uFFFD')) {
        out.append(c);
      } else if (c == '\r') {
        continue;
      } else {
        out.append(String.format(Locale.ROOT, "\\x%02x", (int) c & 0xff));
      }
    }
    return out.toString();
  }

  /** Whether {@code answer} can be the start of "HTTP/1.1 ..." (leading blank lines allowed). */
  static boolean startsLikeHttp(ByteBuf answer) {
    String start = "HTTP/";
    int i = answer.readerIndex();
    int end = answer.writerIndex();
    while (i < end && Character.isWhitespace((char) (answer.getByte(i) & 0xff))) {
      i++;
    }
    for (int j = 0; j < start.length() && i + j < end; j++) {
      if (Character.toUpperCase((char) (answer.getByte(i + j) & 0xff)) != start.charAt(j)) {
        return false;
      }
    }
    return true;
  }
}
