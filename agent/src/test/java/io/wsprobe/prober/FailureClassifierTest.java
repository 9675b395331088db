package io.wsprobe.prober;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsprobe.prober.FailureClassifier.Event;
import io.wsprobe.prober.FailureClassifier.Then;
import io.wsprobe.prober.FailureClassifier.Verdict;
import java.io.IOException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The table from (step, event) to result, without a socket: each row with its exact words. */
class FailureClassifierTest {

  /** A session 5 s into a Socket.IO probe, waiting for message 2, with settable facts. */
  static class Facts implements FailureClassifier.Facts {
    int answerBytes;
    boolean http = true;
    String answer = "";
    String pending = "";
    int framesSinceSend;
    String lastFrame;
    boolean settling;

    @Override public long timeoutMillis() { return 5000; }
    @Override public String appLabel() { return "Socket.IO"; }
    @Override public long maxMessageBytes() { return 1024; }
    @Override public int answerBytes() { return answerBytes; }
    @Override public boolean answerLooksLikeHttp() { return http; }
    @Override public String answerSoFar() { return answer; }
    @Override public String pending() { return pending; }
    @Override public int exchangeNo() { return 2; }
    @Override public int framesSinceSend() { return framesSinceSend; }
    @Override public String lastFrame() { return lastFrame; }
    @Override public String expected() { return "the echo"; }
    @Override public boolean settling() { return settling; }
    @Override public long settleMillis() { return 200; }
    @Override public int receivers() { return 3; }
    @Override public int missing() { return 2; }
    @Override public long broadcastLimitMillis() { return 1500; }
    @Override public String proxy() { return "proxy.corp.example:3128"; }
  }

  final Facts f = new Facts();

  private static void is(Verdict v, Then then, Result result, String detail) {
    assertThat(v.then()).isEqualTo(then);
    assertThat(v.result()).isEqualTo(result);
    assertThat(v.detail()).isEqualTo(detail);
  }

  @Nested
  class Deadline {
    @Test
    void beforeTheSocket() {
      is(FailureClassifier.deadline(ProbeStep.RESOLVING, f), Then.FINISH, Result.DNS_ERROR,
          "the resolver did not answer within the 5000ms timeout");
      is(FailureClassifier.deadline(ProbeStep.CONNECTING, f), Then.FINISH, Result.CONNECT_TIMEOUT,
          "TCP connect did not complete within the 5000ms timeout");
      is(FailureClassifier.deadline(ProbeStep.TLS, f), Then.FINISH, Result.TLS_HANDSHAKE_FAILED,
          "TLS handshake did not complete within the 5000ms timeout");
    }

    @Test
    void upgradeWithNothingAnswered() {
      Verdict v = FailureClassifier.deadline(ProbeStep.UPGRADING, f);
      is(v, Then.FINISH, Result.UPGRADE_TIMEOUT, "no complete answer to the upgrade request within the 5000ms timeout");
      assertThat(v.received()).isNull();
    }

    @Test
    void upgradeWithPartOfAnAnswer() {
      f.answerBytes = 7;
      f.answer = "HTTP/1.";
      Verdict v = FailureClassifier.deadline(ProbeStep.UPGRADING, f);
      is(v, Then.FINISH, Result.UPGRADE_TIMEOUT,
          "no complete answer to the upgrade request within the 5000ms timeout (7+ bytes arrived)");
      assertThat(v.received()).isEqualTo("HTTP/1.");
    }

    @Test
    void upgradeAnsweredByAnotherProtocol() {
      f.answerBytes = 8;
      f.http = false;
      f.answer = "SSH-2.0-";
      Verdict v = FailureClassifier.deadline(ProbeStep.UPGRADING, f);
      is(v, Then.FINISH, Result.BAD_ACCEPT, "answer is not HTTP: 8 bytes, then nothing more within the 5000ms timeout");
      assertThat(v.received()).isEqualTo("SSH-2.0-");
    }

    @Test
    void answerBodyEndsWithTheAnswer() {
      assertThat(FailureClassifier.deadline(ProbeStep.ANSWER_BODY, f).then()).isEqualTo(Then.ANSWER);
    }

    @Test
    void appHandshakeNamesWhatItWaitsFor() {
      is(FailureClassifier.deadline(ProbeStep.APP_HANDSHAKE, f), Then.FINISH, Result.APP_HANDSHAKE_FAILED,
          "the Socket.IO handshake did not complete within the 5000ms timeout");
      f.pending = "the namespace connect was not answered";
      is(FailureClassifier.deadline(ProbeStep.APP_HANDSHAKE, f), Then.FINISH, Result.APP_HANDSHAKE_FAILED,
          "the Socket.IO handshake did not complete within the 5000ms timeout: the namespace connect was not answered");
    }

    @Test
    void messageWithoutAnyFrameIsATimeout() {
      is(FailureClassifier.deadline(ProbeStep.MESSAGE, f), Then.FINISH, Result.MESSAGE_TIMEOUT,
          "no answer to message 2 within the 5000ms timeout");
    }

    @Test
    void messageWithOtherFramesIsAMismatch() {
      f.framesSinceSend = 3;
      f.lastFrame = "'pong'";
      Verdict v = FailureClassifier.deadline(ProbeStep.MESSAGE, f);
      is(v, Then.FINISH, Result.MESSAGE_MISMATCH,
          "no frame matched the echo within the 5000ms timeout; 3 other frame(s), last: 'pong'");
      assertThat(v.received()).isEqualTo("last frame: 'pong'");
    }

    @Test
    void closingWithoutAnAnswerIsStillASuccess() {
      Verdict v = FailureClassifier.deadline(ProbeStep.CLOSING, f);
      is(v, Then.FINISH, Result.SUCCESS, "");
      assertThat(v.note()).isEqualTo("no close answer within the 5000ms timeout");
    }

    @Test
    void broadcast() {
      is(FailureClassifier.deadline(ProbeStep.WAIT_RECEIVERS, f), Then.RECEIVERS, Result.INTERNAL_ERROR,
          "receivers stuck without a reason");
      f.settling = true;
      is(FailureClassifier.deadline(ProbeStep.WAIT_RECEIVERS, f), Then.FINISH, Result.BROADCAST_TIMEOUT,
          "the timeout ran out while settling 200ms before sending the marker");
      is(FailureClassifier.deadline(ProbeStep.BROADCAST, f), Then.FINISH, Result.BROADCAST_TIMEOUT,
          "2 of 3 receiver(s) did not get the marker within 1500ms");
      assertThat(FailureClassifier.deadline(ProbeStep.RECEIVING, f).then()).isEqualTo(Then.IGNORE);
    }

    @Test
    void holdAndDone() {
      is(FailureClassifier.deadline(ProbeStep.HOLD, f), Then.FINISH, Result.INTERNAL_ERROR, "hold outlived the deadline");
      assertThat(FailureClassifier.deadline(ProbeStep.DONE, f).then()).isEqualTo(Then.IGNORE);
    }
  }

  @Nested
  class Closed {
    @Test
    void duringTheUpgrade() {
      is(FailureClassifier.closed(ProbeStep.UPGRADING, f), Then.FINISH, Result.CLOSED_DURING_UPGRADE,
          "connection closed before any answer");
      f.answerBytes = 12;
      is(FailureClassifier.closed(ProbeStep.UPGRADING, f), Then.FINISH, Result.CLOSED_DURING_UPGRADE,
          "connection closed in the middle of the answer (12 bytes)");
      f.http = false;
      is(FailureClassifier.closed(ProbeStep.UPGRADING, f), Then.FINISH, Result.BAD_ACCEPT,
          "answer is not HTTP: 12 bytes, then the connection closed");
    }

    @Test
    void inTheSession() {
      is(FailureClassifier.closed(ProbeStep.MESSAGE, f), Then.FINISH, Result.CLOSED_BY_PEER,
          "connection closed without a close frame while waiting for message 2");
      is(FailureClassifier.closed(ProbeStep.WAIT_RECEIVERS, f), Then.FINISH, Result.CLOSED_BY_PEER,
          "connection closed without a close frame while the receivers joined");
      is(FailureClassifier.closed(ProbeStep.BROADCAST, f), Then.FINISH, Result.CLOSED_BY_PEER,
          "connection closed without a close frame while waiting for the broadcast");
      is(FailureClassifier.closed(ProbeStep.RECEIVING, f), Then.FINISH, Result.CLOSED_BY_PEER,
          "connection closed without a close frame while waiting for the marker");
      is(FailureClassifier.closed(ProbeStep.APP_HANDSHAKE, f), Then.FINISH, Result.APP_HANDSHAKE_FAILED,
          "connection closed during the Socket.IO handshake");
      is(FailureClassifier.closed(ProbeStep.HOLD, f), Then.IDLE_CUT, Result.IDLE_CUT,
          "connection closed without a close frame");
      is(FailureClassifier.closed(ProbeStep.CLOSING, f), Then.FINISH, Result.SUCCESS, "");
      assertThat(FailureClassifier.closed(ProbeStep.ANSWER_BODY, f).then()).isEqualTo(Then.ANSWER);
    }

    @ParameterizedTest
    @EnumSource(value = ProbeStep.class, names = {"RESOLVING", "CONNECTING", "TLS", "DONE"})
    void stepsWithTheirOwnFutureIgnoreIt(ProbeStep step) {
      assertThat(FailureClassifier.closed(step, f).then()).isEqualTo(Then.IGNORE);
      assertThat(FailureClassifier.error(step, new IOException("x"), f).then()).isEqualTo(Then.IGNORE);
    }
  }

  @Nested
  class Error {
    final IOException reset = new IOException("Connection reset by peer");

    @Test
    void duringTheUpgrade() {
      is(FailureClassifier.error(ProbeStep.UPGRADING, reset, f), Then.FINISH, Result.CLOSED_DURING_UPGRADE,
          "connection failed before any answer: Connection reset by peer");
      f.answerBytes = 3;
      is(FailureClassifier.error(ProbeStep.UPGRADING, reset, f), Then.FINISH, Result.CLOSED_DURING_UPGRADE,
          "connection failed in the middle of the answer (3 bytes): Connection reset by peer");
      f.http = false;
      is(FailureClassifier.error(ProbeStep.UPGRADING, reset, f), Then.FINISH, Result.BAD_ACCEPT,
          "answer is not HTTP: 3 bytes, then the connection failed: Connection reset by peer");
    }

    @Test
    void theRootCauseSpeaks() {
      Exception wrapped = new RuntimeException("outer", new IOException("inner words"));
      is(FailureClassifier.error(ProbeStep.MESSAGE, wrapped, f), Then.FINISH, Result.INTERNAL_ERROR, "inner words");
    }

    @Test
    void tooLargeByTypeOrByCloseStatus() {
      is(FailureClassifier.error(ProbeStep.MESSAGE, new TooLongFrameException("frame length exceeds 1024"), f),
          Then.FINISH, Result.MESSAGE_TOO_LARGE, "frame length exceeds 1024 (max_message_size 1024 bytes)");
      Verdict v = FailureClassifier.error(ProbeStep.HOLD,
          new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG, "Max frame length of 1024 has been exceeded."), f);
      is(v, Then.FINISH, Result.MESSAGE_TOO_LARGE, "Max frame length of 1024 has been exceeded. (max_message_size 1024 bytes)");
      assertThat(FailureClassifier.closeStatusFor(v, null)).isNull();
    }

    @Test
    void invalidUtf8IsAProtocolErrorClosedWith1007() {
      CorruptedWebSocketFrameException e =
          new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bytes are not UTF-8");
      Verdict v = FailureClassifier.error(ProbeStep.MESSAGE, e, f);
      is(v, Then.FINISH, Result.PROTOCOL_ERROR,
          "the peer broke RFC 6455 while waiting for message 2: a text frame that is not valid UTF-8 (bytes are not UTF-8)");
      assertThat(FailureClassifier.closeStatusFor(v, e).code()).isEqualTo(1007);
    }

    @Test
    void otherViolationsAreProtocolErrorsWithTheirOwnStatus() {
      CorruptedWebSocketFrameException e = new CorruptedWebSocketFrameException(
          WebSocketCloseStatus.PROTOCOL_ERROR, "control frame with payload length > 125 octets");
      Verdict v = FailureClassifier.error(ProbeStep.APP_HANDSHAKE, e, f);
      is(v, Then.FINISH, Result.PROTOCOL_ERROR, "the peer broke RFC 6455: control frame with payload length > 125 octets");
      assertThat(FailureClassifier.closeStatusFor(v, e).code()).isEqualTo(1002);
      // even while holding or closing: a violation is never an idle cut or a success
      assertThat(FailureClassifier.error(ProbeStep.HOLD, e, f).result()).isEqualTo(Result.PROTOCOL_ERROR);
      assertThat(FailureClassifier.error(ProbeStep.CLOSING, e, f).result()).isEqualTo(Result.PROTOCOL_ERROR);
    }

    @Test
    void ioErrorsInTheSession() {
      is(FailureClassifier.error(ProbeStep.MESSAGE, reset, f), Then.FINISH, Result.CLOSED_BY_PEER,
          "connection failed while waiting for message 2: Connection reset by peer");
      is(FailureClassifier.error(ProbeStep.RECEIVING, reset, f), Then.FINISH, Result.CLOSED_BY_PEER,
          "connection failed while waiting for the marker: Connection reset by peer");
      is(FailureClassifier.error(ProbeStep.HOLD, reset, f), Then.IDLE_CUT, Result.IDLE_CUT, "Connection reset by peer");
      is(FailureClassifier.error(ProbeStep.CLOSING, reset, f), Then.FINISH, Result.SUCCESS, "");
      assertThat(FailureClassifier.error(ProbeStep.ANSWER_BODY, reset, f).then()).isEqualTo(Then.ANSWER);
    }

    @Test
    void anythingElseIsOurs() {
      is(FailureClassifier.error(ProbeStep.BROADCAST, new IllegalStateException("bug"), f),
          Then.FINISH, Result.INTERNAL_ERROR, "bug");
    }
  }

  @Nested
  class PeerClose {
    @Test
    void answeringOurCloseIsTheCleanEnd() {
      is(FailureClassifier.peerClose(ProbeStep.CLOSING, 1000, "", "", f), Then.CLOSED, Result.SUCCESS, "");
    }

    @Test
    void duringTheHoldIsAnIdleCut() {
      is(FailureClassifier.peerClose(ProbeStep.HOLD, 4408, "timeout", "", f), Then.IDLE_CUT, Result.IDLE_CUT,
          "close 4408 'timeout'");
    }

    @Test
    void duringTheAppHandshakeUnauthorizedAndForbiddenAreAuthFailures() {
      is(FailureClassifier.peerClose(ProbeStep.APP_HANDSHAKE, 4401, "", "", f), Then.FINISH, Result.AUTH_FAILED,
          "peer sent close 4401 during the Socket.IO handshake");
      is(FailureClassifier.peerClose(ProbeStep.APP_HANDSHAKE, 4403, "no", "", f), Then.FINISH, Result.AUTH_FAILED,
          "peer sent close 4403 'no' during the Socket.IO handshake");
      is(FailureClassifier.peerClose(ProbeStep.APP_HANDSHAKE, 4205, "", "", f), Then.FINISH,
          Result.APP_HANDSHAKE_FAILED, "peer sent close 4205 during the Socket.IO handshake");
    }

    @Test
    void anywhereElseIsClosedByPeerAndTraced() {
      Verdict v = FailureClassifier.peerClose(ProbeStep.RECEIVING, 1001, "bye", "receiver 2: ", f);
      is(v, Then.FINISH, Result.CLOSED_BY_PEER, "peer sent close 1001 'bye' while waiting for the marker");
      assertThat(v.received()).isEqualTo("receiver 2: close 1001 'bye'");
      is(FailureClassifier.peerClose(ProbeStep.MESSAGE, 1011, "", "", f), Then.FINISH, Result.CLOSED_BY_PEER,
          "peer sent close 1011 while waiting for message 2");
    }
  }

  @Test
  void everyStepAnswersEveryEvent() {
    for (ProbeStep step : ProbeStep.values()) {
      for (Event event : Event.values()) {
        assertThat(FailureClassifier.classify(step, event, new IOException("x"), f)).isNotNull();
      }
      assertThat(FailureClassifier.peerClose(step, 1000, "", "", f)).isNotNull();
    }
  }

  /** CONNECT sent to the forward proxy, its answer awaited: every end is proxy_error naming the proxy. */
  @Nested
  class ProxyConnect {
    @Test
    void deadline() {
      is(FailureClassifier.deadline(ProbeStep.PROXY_CONNECT, f), Then.FINISH, Result.PROXY_ERROR,
          "the proxy proxy.corp.example:3128 did not answer CONNECT within the 5000ms timeout");
    }

    @Test
    void closed() {
      is(FailureClassifier.closed(ProbeStep.PROXY_CONNECT, f), Then.FINISH, Result.PROXY_ERROR,
          "the proxy proxy.corp.example:3128 closed the connection without answering CONNECT");
    }

    @Test
    void error() {
      is(FailureClassifier.error(ProbeStep.PROXY_CONNECT, new IOException("Connection reset by peer"), f),
          Then.FINISH, Result.PROXY_ERROR, "the connection to the proxy proxy.corp.example:3128 failed"
              + " before its answer to CONNECT: Connection reset by peer");
    }
  }
}
