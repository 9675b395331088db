package io.wsprobe.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** lib0's varUint (unsigned LEB128), varString and varBytes, as dmonad/lib0 encoding.js writes them. */
class Lib0Test {

  /** Bytes written as ints, so 0x80 and above need no casts. */
  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @Test
  void varUintUsesSevenBitsPerByteLowFirst() {
    assertThat(new Lib0.Writer().varUint(0).toBytes()).containsExactly(bytes(0x00));
    assertThat(new Lib0.Writer().varUint(127).toBytes()).containsExactly(bytes(0x7f));
    assertThat(new Lib0.Writer().varUint(128).toBytes()).containsExactly(bytes(0x80, 0x01));
    assertThat(new Lib0.Writer().varUint(300).toBytes()).containsExactly(bytes(0xac, 0x02));
    assertThat(new Lib0.Writer().varUint(0xffffffffL).toBytes())
        .containsExactly(bytes(0xff, 0xff, 0xff, 0xff, 0x0f));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 127, 128, 16_383, 16_384, 0xffffffffL, 1L << 55})
  void varUintRoundTrips(long value) {
    Lib0.Reader r = new Lib0.Reader(new Lib0.Writer().varUint(value).toBytes());
    assertThat(r.varUint()).isEqualTo(value);
    assertThat(r.hasMore()).isFalse();
  }

  @Test
  void negativeVarUintIsRefused() {
    assertThatThrownBy(() -> new Lib0.Writer().varUint(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("varUint must not be negative: -1");
  }

  @Test
  void varStringIsItsUtf8ByteLengthThenTheBytes() {
    assertThat(new Lib0.Writer().varString("é!").toBytes()).containsExactly(bytes(3, 0xc3, 0xa9, '!'));
    Lib0.Reader r = new Lib0.Reader(new Lib0.Writer().varString("page.1").varString("").toBytes());
    assertThat(r.varString()).isEqualTo("page.1");
    assertThat(r.varString()).isEmpty();
    assertThat(r.hasMore()).isFalse();
  }

  @Test
  void varBytesAndRawAndRest() {
    byte[] msg = new Lib0.Writer().varBytes(bytes(1, 2)).raw(bytes(9, 8, 7)).toBytes();
    assertThat(msg).containsExactly(bytes(2, 1, 2, 9, 8, 7));
    Lib0.Reader r = new Lib0.Reader(msg);
    assertThat(r.varBytes()).containsExactly(bytes(1, 2));
    assertThat(r.rest()).containsExactly(bytes(9, 8, 7));
    assertThat(r.hasMore()).isFalse();
    assertThat(r.rest()).isEmpty();
  }

  @Test
  void aVarUintCutShortIsADecodeError() {
    assertThatThrownBy(() -> new Lib0.Reader(bytes(0x80)).varUint())
        .isInstanceOf(Lib0.DecodeException.class).hasMessage("varUint runs past the end");
    assertThatThrownBy(() -> new Lib0.Reader(new byte[0]).varUint())
        .isInstanceOf(Lib0.DecodeException.class).hasMessage("varUint runs past the end");
  }

  @Test
  void aVarUintOverEightBytesIsADecodeError() {
    byte[] endless = bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    assertThatThrownBy(() -> new Lib0.Reader(endless).varUint())
        .isInstanceOf(Lib0.DecodeException.class).hasMessage("varUint longer than 8 bytes");
  }

  @Test
  void aLengthPastTheEndIsADecodeErrorNotAnAllocation() {
    // a hostile peer announcing 2^32 bytes must not make the reader allocate them
    byte[] huge = bytes(0xff, 0xff, 0xff, 0xff, 0x0f, 'x');
    assertThatThrownBy(() -> new Lib0.Reader(huge).varBytes())
        .isInstanceOf(Lib0.DecodeException.class).hasMessage("length 4294967295 runs past the end");
    assertThatThrownBy(() -> new Lib0.Reader(bytes(3, 'a', 'b')).varString())
        .isInstanceOf(Lib0.DecodeException.class).hasMessage("length 3 runs past the end");
  }
}
