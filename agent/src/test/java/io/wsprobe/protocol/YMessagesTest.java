package io.wsprobe.protocol;

import static io.wsprobe.protocol.Lib0Test.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The y-protocols / Hocuspocus messages, byte for byte as in the wire reference
 * (shared/reference/collab-protocols.md): {@code D} is {@code varString(documentName)}.
 */
class YMessagesTest {

  /** varString("d") */
  private static final int[] D = {1, 'd'};

  private static byte[] withD(int... rest) {
    int[] all = new int[D.length + rest.length];
    System.arraycopy(D, 0, all, 0, D.length);
    System.arraycopy(rest, 0, all, D.length, rest.length);
    return bytes(all);
  }

  @Nested
  class Encoding {
    @Test
    void syncStep1WithTheEmptyStateVector() {
      assertThat(YMessages.syncStep1("d")).containsExactly(withD(0, 0, 1, 0));
      assertThat(YMessages.syncStep1(null)).containsExactly(bytes(0, 0, 1, 0));
    }

    @Test
    void syncStep2WithAnEmptyUpdate() {
      assertThat(YMessages.syncStep2Empty("d")).containsExactly(withD(0, 1, 2, 0, 0));
    }

    @Test
    void authToken() {
      assertThat(YMessages.auth("d", "tk")).containsExactly(withD(2, 0, 2, 't', 'k'));
    }

    @Test
    void closeDocument() {
      assertThat(YMessages.close("d")).containsExactly(withD(7));
    }

    @Test
    void awarenessUpdateOfOneClient() {
      // D 01 varBytes(varUint(1) varUint(clientID) varUint(clock) varString(json))
      assertThat(YMessages.awareness("d", 300, 1, "{}"))
          .containsExactly(withD(1, 7, 1, 0xac, 0x02, 1, 2, '{', '}'));
      assertThat(Awareness.parse(Awareness.update(300, 1, "{}")))
          .containsExactly(new Awareness.Entry(300, 1, "{}"));
    }

    @Test
    void anAwarenessUpdateOfTooManyEntriesIsRefused() {
      assertThatThrownBy(() -> Awareness.parse(new Lib0.Writer().varUint(10_001).toBytes()))
          .isInstanceOf(Lib0.DecodeException.class).hasMessage("awareness update with 10001 entries");
    }
  }

  @Nested
  class Parsing {
    @Test
    void authenticated() {
      List<YMessages.Message> m = YMessages.parse(
          withD(2, 2, 10, 'r', 'e', 'a', 'd', '-', 'w', 'r', 'i', 't', 'e'), true);
      assertThat(m).containsExactly(new YMessages.Message("d", YMessages.AUTH,
          YMessages.AUTH_AUTHENTICATED, "read-write", null));
    }

    @Test
    void permissionDeniedWithAndWithoutReason() {
      assertThat(YMessages.parse(withD(2, 1, 2, 'n', 'o'), true)).containsExactly(
          new YMessages.Message("d", YMessages.AUTH, YMessages.AUTH_PERMISSION_DENIED, "no", null));
      assertThat(YMessages.parse(withD(2, 1), true)).containsExactly(
          new YMessages.Message("d", YMessages.AUTH, YMessages.AUTH_PERMISSION_DENIED, null, null));
    }

    @Test
    void tokenRequestedAgainCarriesNoText() {
      assertThat(YMessages.parse(withD(2, 0), true)).containsExactly(
          new YMessages.Message("d", YMessages.AUTH, YMessages.AUTH_TOKEN, null, null));
    }

    @Test
    void syncStepsAndSyncReplyAndStatus() {
      assertThat(YMessages.parse(withD(0, 0, 1, 0), true)).containsExactly(
          new YMessages.Message("d", YMessages.SYNC, YMessages.SYNC_STEP1, null, null));
      assertThat(YMessages.parse(withD(4, 1, 2, 0, 0), true)).containsExactly(
          new YMessages.Message("d", YMessages.SYNC_REPLY, YMessages.SYNC_STEP2, null, null));
      assertThat(YMessages.parse(withD(8, 1), true)).containsExactly(
          new YMessages.Message("d", YMessages.SYNC_STATUS, 1, null, null));
    }

    @Test
    void awarenessEntries() {
      byte[] update = Awareness.update(5, 2, "null");
      byte[] frame = new Lib0.Writer().varString("d").varUint(YMessages.AWARENESS).varBytes(update).toBytes();
      assertThat(YMessages.parse(frame, true)).containsExactly(new YMessages.Message("d",
          YMessages.AWARENESS, null, null, List.of(new Awareness.Entry(5, 2, "null"))));
    }

    @Test
    void hocuspocusV4PingAndPongAreOneBareByte() {
      assertThat(YMessages.parse(bytes(YMessages.PING), true))
          .containsExactly(new YMessages.Message(null, YMessages.PING, null, null, null));
      assertThat(YMessages.parse(bytes(YMessages.PONG), true))
          .containsExactly(new YMessages.Message(null, YMessages.PONG, null, null, null));
    }

    @Test
    void hocuspocusReadsOneMessagePerFrame() {
      byte[] two = new Lib0.Writer().raw(YMessages.close("d")).raw(YMessages.close("d")).toBytes();
      assertThat(YMessages.parse(two, true)).hasSize(1);
    }

    @Test
    void yWebsocketFramesMayPackSeveralMessages() {
      byte[] packed = new Lib0.Writer().raw(YMessages.syncStep1(null))
          .varUint(YMessages.AWARENESS).varBytes(Awareness.update(9, 1, "{}")).toBytes();
      assertThat(YMessages.parse(packed, false)).containsExactly(
          new YMessages.Message(null, YMessages.SYNC, YMessages.SYNC_STEP1, null, null),
          new YMessages.Message(null, YMessages.AWARENESS, null, null, List.of(new Awareness.Entry(9, 1, "{}"))));
    }

    @Test
    void anUnknownTypeTakesTheRestOfTheFrame() {
      assertThat(YMessages.parse(bytes(5, 1, 2, 3), false))
          .containsExactly(new YMessages.Message(null, YMessages.STATELESS, null, null, null));
    }

    @Test
    void aTruncatedMessageIsADecodeError() {
      assertThatThrownBy(() -> YMessages.parse(withD(0, 0, 5, 1), true))
          .isInstanceOf(Lib0.DecodeException.class).hasMessage("length 5 runs past the end");
      assertThatThrownBy(() -> YMessages.parse(bytes(3, 'd'), true))
          .isInstanceOf(Lib0.DecodeException.class);
    }
  }
}
