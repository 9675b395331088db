package io.wsprobe.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Engine.IO v4 and Socket.IO v4 packets as the dialect reads and writes them, without a server. */
class SocketIoDialectTest {

  /** What the dialect sent. */
  static final class Recorded implements Dialect.Wire {
    final List<String> texts = new ArrayList<>();

    @Override
    public void text(String text) {
      texts.add(text);
    }

    @Override
    public void binary(byte[] bytes) {
      texts.add("binary:" + bytes.length);
    }
  }

  private static final Module.SocketIo.Event MARKER = new Module.SocketIo.Event("wsprobe-marker", "{}");
  private static final String OPEN =
      "0{\"sid\":\"e1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}";

  private final Recorded wire = new Recorded();

  private static Dialect.Event frame(Dialect d, String text, Dialect.Wire wire) {
    return d.onFrame(true, text.getBytes(StandardCharsets.UTF_8), wire);
  }

  private static SocketIoDialect dialect(String namespace, Module.SocketIo.Event join, Secret auth) {
    return new SocketIoDialect(new Module.SocketIo(namespace, join, MARKER, auth));
  }

  @Nested
  class EngineIo {
    @Test
    void theServerSpeaksFirst() {
      assertThat(dialect("/", null, null).open(wire)).isEqualTo(Dialect.IGNORED);
      assertThat(wire.texts).isEmpty();
    }

    @Test
    void theOpenPacketIsAnsweredWithANamespaceConnect() {
      Dialect d = dialect("/", null, null);
      assertThat(frame(d, OPEN, wire)).isEqualTo(Dialect.IGNORED);
      assertThat(wire.texts).containsExactly("40");
    }

    @Test
    void theConnectCarriesTheAuthPayloadAndTheNamespace() {
      Dialect d = dialect("/chat", null, new Secret("{\"token\":\"t\"}", true));
      frame(d, OPEN, wire);
      assertThat(wire.texts).containsExactly("40/chat,{\"token\":\"t\"}");
    }

    @Test
    void aPingIsAnsweredWithAPongCarryingItsPayload() {
      Dialect d = dialect("/", null, null);
      assertThat(frame(d, "2", wire)).isEqualTo(Dialect.IGNORED);
      assertThat(frame(d, "2probe", wire)).isEqualTo(Dialect.IGNORED);
      assertThat(wire.texts).containsExactly("3", "3probe");
    }

    @Test
    void pongAndNoopAreHousekeeping() {
      Dialect d = dialect("/", null, null);
      assertThat(frame(d, "3", wire)).isEqualTo(Dialect.IGNORED);
      assertThat(frame(d, "6", wire)).isEqualTo(Dialect.IGNORED);
    }

    @Test
    void aCloseBeforeTheNamespaceConnectedFailsTheHandshake() {
      assertThat(frame(dialect("/", null, null), "1", wire)).isEqualTo(new Dialect.Failed(false,
          "server closed the Engine.IO session before the namespace connected"));
    }

    @Test
    void binaryAndEmptyFramesAndUnknownPacketsAreData() {
      Dialect d = dialect("/", null, null);
      assertThat(d.onFrame(false, new byte[] {1}, wire)).isEqualTo(Dialect.DATA);
      assertThat(d.onFrame(true, new byte[0], wire)).isEqualTo(Dialect.DATA);
      assertThat(frame(d, "hello", wire)).isEqualTo(Dialect.DATA);
    }
  }

  @Nested
  class SocketIoPackets {
    @Test
    void theConnectAnswerMakesTheSessionReadyWithItsSid() {
      Dialect d = dialect("/", null, null);
      assertThat(frame(d, "40{\"sid\":\"s9\"}", wire))
          .isEqualTo(new Dialect.Ready("namespace / connected (sid s9)"));
      assertThat(frame(d, "40{\"sid\":\"s9\"}", wire)).isEqualTo(Dialect.IGNORED); // once only
    }

    @Test
    void aConnectAnswerWithoutJsonStillConnects() {
      assertThat(frame(dialect("/", null, null), "40", wire))
          .isEqualTo(new Dialect.Ready("namespace / connected"));
      assertThat(frame(dialect("/", null, null), "40{not json", wire))
          .isEqualTo(new Dialect.Ready("namespace / connected"));
    }

    @Test
    void packetsOfAnotherNamespaceAreIgnored() {
      Dialect d = dialect("/chat", null, null);
      assertThat(frame(d, "40{\"sid\":\"x\"}", wire)).isEqualTo(Dialect.IGNORED);
      assertThat(frame(d, "40/chat,{\"sid\":\"x\"}", wire))
          .isEqualTo(new Dialect.Ready("namespace /chat connected (sid x)"));
    }

    @Test
    void theJoinEventIsEmittedOnConnect() {
      Dialect d = dialect("/", new Module.SocketIo.Event("join", "[\"room\",2]"), null);
      assertThat(frame(d, "40", wire)).isEqualTo(new Dialect.Ready("namespace / connected, emitted join"));
      assertThat(wire.texts).containsExactly("42[\"join\",\"room\",2]");
    }

    @Test
    void anAcknowledgedJoinIsReadyOnlyOnItsAck() {
      Dialect d = dialect("/", new Module.SocketIo.Event("join", "{\"a\":1}", true), null);
      assertThat(frame(d, "40", wire)).isEqualTo(Dialect.IGNORED);
      assertThat(wire.texts).containsExactly("421[\"join\",{\"a\":1}]");
      assertThat(d.pending()).startsWith("the server did not acknowledge the join event");
      assertThat(frame(d, "432[]", wire)).isEqualTo(Dialect.IGNORED); // another ack id
      assertThat(frame(d, "431[\"ok\"]", wire))
          .isEqualTo(new Dialect.Ready("namespace / connected, join acknowledged"));
    }

    @Test
    void aDisconnectBeforeTheAckFailsTheHandshake() {
      Dialect d = dialect("/", new Module.SocketIo.Event("join", null, true), null);
      frame(d, "40", wire);
      assertThat(frame(d, "41", wire)).isEqualTo(new Dialect.Failed(false,
          "namespace disconnected by the server before it acknowledged join"));
    }

    @Test
    void aConnectErrorIsAnAuthFailureWhenItSaysSo() {
      assertThat(frame(dialect("/", null, null), "44{\"message\":\"Not authorized\"}", wire))
          .isEqualTo(new Dialect.Failed(true, "connect refused: Not authorized"));
      assertThat(frame(dialect("/", null, null), "44{\"message\":\"Invalid namespace\"}", wire))
          .isEqualTo(new Dialect.Failed(false, "connect refused: Invalid namespace"));
      assertThat(frame(dialect("/", null, null), "44oops", wire))
          .isEqualTo(new Dialect.Failed(false, "connect refused: oops"));
    }

    @Test
    void anUnauthorizedEventIsAnAuthFailure() {
      assertThat(frame(dialect("/", null, null), "42[\"Unauthorized\"]", wire))
          .isEqualTo(new Dialect.Failed(true, "server emitted Unauthorized"));
    }

    @Test
    void theMarkerEventCarriesItsIdInItsData() {
      Dialect d = dialect("/", null, null);
      d.sendMarker(wire, "wsprobe-0123456789abcdef");
      assertThat(wire.texts).containsExactly("42[\"wsprobe-marker\",{\"probe\":\"wsprobe-0123456789abcdef\"}]");
      assertThat(frame(d, wire.texts.get(0), wire)).isEqualTo(new Dialect.Marker("wsprobe-0123456789abcdef"));
    }

    @Test
    void otherEventsAndBrokenArraysAreData() {
      Dialect d = dialect("/", null, null);
      assertThat(frame(d, "42[\"chat\",\"hi\"]", wire)).isEqualTo(Dialect.DATA);
      assertThat(frame(d, "42[\"wsprobe-marker\",{\"probe\":\"none\"}]", wire)).isEqualTo(Dialect.DATA);
      assertThat(frame(d, "42[1,2]", wire)).isEqualTo(Dialect.DATA);
      assertThat(frame(d, "42[oops", wire)).isEqualTo(Dialect.DATA);
      assertThat(frame(d, "42", wire)).isEqualTo(Dialect.DATA);
    }

    @Test
    void goodbyeDisconnectsTheNamespaceOnlyWhenConnected() {
      Dialect d = dialect("/chat", null, null);
      d.goodbye(wire);
      assertThat(wire.texts).isEmpty();
      frame(d, "40/chat,", wire);
      d.goodbye(wire);
      assertThat(wire.texts).containsExactly("41/chat,");
    }
  }
}
