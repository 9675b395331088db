package io.wsprobe.prober;

import io.netty.buffer.ByteBuf;

/** Copies a buffer's readable bytes without moving its reader index. */
final class ByteBufBytes {
  private ByteBufBytes() {}

  static byte[] of(ByteBuf buf) {
    byte[] out = new byte[buf.readableBytes()];
    buf.getBytes(buf.readerIndex(), out);
    return out;
  }
}
