package io.wsprobe.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The lib0 binary encoding that Yjs, y-websocket and Hocuspocus messages are made of: unsigned
 * LEB128 integers ({@code varUint}) and length-prefixed strings and byte arrays. No Java library
 * implements it, and the protocols need only these few primitives.
 */
public final class Lib0 {

  private Lib0() {}

  /** Builds a message. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    public Writer varUint(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("varUint must not be negative: " + value);
      }
      while (value > 0x7f) {
        out.write((int) (0x80 | (value & 0x7f)));
        value >>>= 7;
      }
      out.write((int) value);
      return this;
    }

    public Writer varString(String s) {
      return varBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public Writer varBytes(byte[] bytes) {
      varUint(bytes.length);
      out.write(bytes, 0, bytes.length);
      return this;
    }

    public Writer raw(byte[] bytes) {
      out.write(bytes, 0, bytes.length);
      return this;
    }

    public byte[] toBytes() {
      return out.toByteArray();
    }
  }

  /** Reads a message; every read checks bounds, so a hostile peer gets a {@link DecodeException}. */
  public static final class Reader {
    private final byte[] data;
    private int pos;

    public Reader(byte[] data) {
      this.data = data;
    }

    public boolean hasMore() {
      return pos < data.length;
    }

    public long varUint() {
      long value = 0;
      int shift = 0;
      while (true) {
        if (pos >= data.length) {
          throw new DecodeException("varUint runs past the end");
        }
        int b = data[pos++] & 0xff;
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
        shift += 7;
        if (shift > 56) {
          throw new DecodeException("varUint longer than 8 bytes");
        }
      }
    }

    public byte[] varBytes() {
      long len = varUint();
      if (len > data.length - pos) {
        throw new DecodeException("length " + len + " runs past the end");
      }
      byte[] out = new byte[(int) len];
      System.arraycopy(data, pos, out, 0, out.length);
      pos += out.length;
      return out;
    }

    public String varString() {
      return new String(varBytes(), StandardCharsets.UTF_8);
    }

    /** The bytes not read yet. */
    public byte[] rest() {
      byte[] out = new byte[data.length - pos];
      System.arraycopy(data, pos, out, 0, out.length);
      pos = data.length;
      return out;
    }
  }

  /** A message that does not decode. */
  public static final class DecodeException extends RuntimeException {
    public DecodeException(String message) {
      super(message);
    }
  }
}
