package io.wsprobe.prober;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;

/**
 * When a probe's bytes cross the socket: first in the socket's pipeline, ahead of TLS and every
 * codec, it notes the start of each read and the flush that carried a measured request. A round
 * trip, the upgrade phase and a broadcast's delay run from that flush to that read, so they hold
 * the network's and the server's time only, not the time our own codecs take to encode and
 * decode (which on a freshly started JVM, before the JIT has compiled them, is milliseconds).
 *
 * <p>One {@code System.nanoTime()} per read, and one per measured flush; no allocation.
 */
final class WireClock extends ChannelDuplexHandler {

  /** When the latest read's bytes reached the pipeline. */
  private long readNanos;
  private boolean armed;
  private long sentNanos;

  /** The next flush carries what is measured: its moment is {@link #sentSince}'s answer. */
  void arm() {
    armed = true;
    sentNanos = 0;
  }

  /**
   * When the armed flush left for the socket; {@code fallback} (the moment the step began) if it
   * has not happened yet (HTTP/2 defers a stream's flush to the end of the connection's read).
   */
  long sentSince(long fallback) {
    return sentNanos != 0 && sentNanos - fallback >= 0 ? sentNanos : fallback;
  }

  /**
   * When the bytes being handled now were read: the start of the current read, or now if the
   * latest read began before {@code since} (the request's flush), as when a timer, not a read,
   * is running.
   */
  long readSince(long since) {
    long read = readNanos;
    return read - since >= 0 ? read : System.nanoTime();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readNanos = System.nanoTime();
    ctx.fireChannelRead(msg);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (armed) {
      armed = false;
      sentNanos = System.nanoTime();
    }
    ctx.flush();
  }
}
