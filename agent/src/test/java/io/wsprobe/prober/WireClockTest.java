package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The socket-side clock: the moments it gives are the wire's, not those of the handlers behind it. */
class WireClockTest {

  /** Stands for a slow codec (a cold JVM's): 30 ms per message, in and out. */
  static final class Slow extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      sleep();
      ctx.write(msg, promise);
    }
  }

  static void sleep() {
    try {
      Thread.sleep(30);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theReadIsTimedBeforeTheHandlersBehindTheClockRun() {
    WireClock clock = new WireClock();
    long[] seen = new long[2];
    EmbeddedChannel ch = new EmbeddedChannel(clock, new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        sleep(); // decoding
        seen[0] = clock.readSince(seen[1]);
        seen[1] = System.nanoTime();
        io.netty.util.ReferenceCountUtil.release(msg);
      }
    });
    long before = System.nanoTime();
    seen[1] = before;
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));

    assertThat(seen[0]).isBetween(before, before + TimeUnit.MILLISECONDS.toNanos(10));
    assertThat(seen[1] - seen[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
    ch.finishAndReleaseAll();
  }

  @Test
  void aReadBeforeTheRequestLeftMeansNow() {
    WireClock clock = new WireClock();
    EmbeddedChannel ch = new EmbeddedChannel(clock);
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
    long later = System.nanoTime() + 1;

    assertThat(clock.readSince(later)).isGreaterThanOrEqualTo(later); // a timer, not a read, is running
    ch.finishAndReleaseAll();
  }

  @Test
  void theArmedFlushIsTimedAfterTheEncodersInFrontOfTheClock() {
    WireClock clock = new WireClock();
    EmbeddedChannel ch = new EmbeddedChannel(clock, new Slow());
    long start = System.nanoTime();
    clock.arm();
    ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));

    long sent = clock.sentSince(start);
    assertThat(sent - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30)); // after encoding
    assertThat(sent).isLessThanOrEqualTo(System.nanoTime());
    ch.finishAndReleaseAll();
  }

  @Test
  void withoutTheArmedFlushTheStepsStartStands() throws Exception {
    WireClock clock = new WireClock();
    EmbeddedChannel ch = new EmbeddedChannel(clock);
    ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1})); // a pong, say: not armed
    long start = System.nanoTime();
    assertThat(clock.sentSince(start)).isEqualTo(start);

    clock.arm(); // armed, the flush not made yet (HTTP/2 defers it): the start stands
    assertThat(clock.sentSince(start)).isEqualTo(start);
    ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2}));
    long first = clock.sentSince(start);
    assertThat(first).isGreaterThan(start);
    ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {3})); // only the first flush after arm() counts
    assertThat(clock.sentSince(start)).isEqualTo(first);
    ch.finishAndReleaseAll();
  }
}
