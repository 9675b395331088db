package io.wsprobe.prober;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;

/**
 * The one table from (where a session is, what happened) to how the probe ends: the deadline
 * passed, the connection closed, the pipeline raised an error, or the peer sent a close frame.
 * Pure: it reads what it needs from {@link Facts} and says what to do in a {@link Verdict};
 * trace lines it names are the caller's to write. Failures that a step's own future reports
 * (DNS, connect, TLS) and what an answer or a frame says are decided where they are read.
 */
final class FailureClassifier {

  /** What happened; a close frame, which carries a code and a reason, goes to {@link #peerClose}. */
  enum Event { DEADLINE, CLOSED, ERROR }

  /** What the caller does with a verdict. */
  enum Then {
    /** Nothing: the event means nothing in this step (another path reports it). */
    IGNORE,
    /** End the probe with the verdict's result and detail. */
    FINISH,
    /** End the probe with the non-101 answer as it stands (upgrade_ignored or upgrade_rejected). */
    ANSWER,
    /** The held session was cut; the detail says how. */
    IDLE_CUT,
    /** The peer answered the close: the session closed cleanly. */
    CLOSED,
    /** Sender's deadline while receivers join: each receiver not yet ready names its own step first. */
    RECEIVERS
  }

  /**
   * @param received text to add to the trace as received before ending, or null
   * @param note     text to add to the trace as a note before ending, or null
   */
  record Verdict(Then then, Result result, String detail, String received, String note) {
    static final Verdict IGNORED = new Verdict(Then.IGNORE, null, "", null, null);
    static final Verdict ANSWER = new Verdict(Then.ANSWER, null, "", null, null);
    static final Verdict SUCCESS = new Verdict(Then.FINISH, Result.SUCCESS, "", null, null);
    static final Verdict CLOSED = new Verdict(Then.CLOSED, Result.SUCCESS, "", null, null);

    static Verdict finish(Result result, String detail) {
      return new Verdict(Then.FINISH, result, detail, null, null);
    }
  }

  /** What a session knows that the table needs; read only for the events that use it. */
  interface Facts {
    long timeoutMillis();

    /** The application protocol's name, e.g. "Socket.IO". */
    String appLabel();

    long maxMessageBytes();

    /** Bytes of the upgrade answer captured so far. */
    int answerBytes();

    /** Whether they can begin an HTTP response. */
    boolean answerLooksLikeHttp();

    /** The captured bytes as printable text. */
    String answerSoFar();

    /** What the dialect's handshake still waits for, or "". */
    String pending();

    /** The message exchange waited for, from 1. */
    int exchangeNo();

    int framesSinceSend();

    String lastFrame();

    /** The expectation of the exchange waited for, in words. */
    String expected();

    /** Whether the exchange waited for sent nothing: it waits for the server's own message. */
    default boolean waitsForServer() {
      return false;
    }

    boolean settling();

    long settleMillis();

    int receivers();

    int missing();

    /** broadcast.timeout, or the probe's timeout when none is set. */
    long broadcastLimitMillis();

    /** The forward proxy as host:port, or "" when the module has none. */
    default String proxy() {
      return "";
    }
  }

  private FailureClassifier() {}

  /** @param error what the pipeline raised, for {@link Event#ERROR}; else null */
  static Verdict classify(ProbeStep step, Event event, Throwable error, Facts facts) {
    return switch (event) {
      case DEADLINE -> deadline(step, facts);
      case CLOSED -> closed(step, facts);
      case ERROR -> error(step, error, facts);
    };
  }

  static Verdict deadline(ProbeStep step, Facts f) {
    String limit = "within the " + f.timeoutMillis() + "ms timeout";
    return switch (step) {
      case RESOLVING -> Verdict.finish(Result.DNS_ERROR, "the resolver did not answer " + limit);
      case CONNECTING -> Verdict.finish(Result.CONNECT_TIMEOUT, "TCP connect did not complete " + limit);
      case PROXY_CONNECT -> Verdict.finish(Result.PROXY_ERROR, "the proxy " + f.proxy()
          + " did not answer CONNECT " + limit);
      case TLS -> Verdict.finish(Result.TLS_HANDSHAKE_FAILED, "TLS handshake did not complete " + limit);
      case H2_SETTINGS -> noSettings(f, "no HTTP/2 SETTINGS from the server " + limit);
      case UPGRADING -> upgrade(f, "nothing more " + limit, Result.UPGRADE_TIMEOUT,
          "no complete answer to the upgrade request " + limit
              + (f.answerBytes() > 0 ? " (" + f.answerBytes() + "+ bytes arrived)" : ""));
      case ANSWER_BODY -> Verdict.ANSWER;
      case MESSAGE -> f.framesSinceSend() > 0
          ? new Verdict(Then.FINISH, Result.MESSAGE_MISMATCH, "no frame matched " + f.expected() + " " + limit
              + "; " + f.framesSinceSend() + " other frame(s), last: " + f.lastFrame(),
              "last frame: " + f.lastFrame(), null)
          : Verdict.finish(Result.MESSAGE_TIMEOUT, (f.waitsForServer()
              ? "no message from the server for step " : "no answer to message ") + f.exchangeNo() + " " + limit);
      case CLOSING -> new Verdict(Then.FINISH, Result.SUCCESS, "", null, "no close answer " + limit);
      case APP_HANDSHAKE -> Verdict.finish(Result.APP_HANDSHAKE_FAILED, "the " + f.appLabel()
          + " handshake did not complete " + limit + (f.pending().isEmpty() ? "" : ": " + f.pending()));
      case WAIT_RECEIVERS -> f.settling()
          ? Verdict.finish(Result.BROADCAST_TIMEOUT, "the timeout ran out while settling "
              + f.settleMillis() + "ms before sending the marker")
          : new Verdict(Then.RECEIVERS, Result.INTERNAL_ERROR, "receivers stuck without a reason", null, null);
      case BROADCAST -> broadcastTimedOut(f);
      case HOLD -> Verdict.finish(Result.INTERNAL_ERROR, "hold outlived the deadline");
      case RECEIVING, DONE -> Verdict.IGNORED;
    };
  }

  /** The sender's broadcast.timeout passed (or the deadline did) before every receiver saw the marker. */
  static Verdict broadcastTimedOut(Facts f) {
    return Verdict.finish(Result.BROADCAST_TIMEOUT, f.missing() + " of " + f.receivers()
        + " receiver(s) did not get the marker within " + f.broadcastLimitMillis() + "ms");
  }

  static Verdict closed(ProbeStep step, Facts f) {
    int got = f.answerBytes();
    return switch (step) {
      case UPGRADING -> upgrade(f, "the connection closed", Result.CLOSED_DURING_UPGRADE,
          got == 0 ? "connection closed before any answer"
              : "connection closed in the middle of the answer (" + got + " bytes)");
      case PROXY_CONNECT -> Verdict.finish(Result.PROXY_ERROR, "the proxy " + f.proxy()
          + " closed the connection without answering CONNECT");
      case H2_SETTINGS -> noSettings(f, "the connection closed before the server's HTTP/2 SETTINGS");
      case ANSWER_BODY -> Verdict.ANSWER;
      case MESSAGE, WAIT_RECEIVERS, BROADCAST, RECEIVING ->
          Verdict.finish(Result.CLOSED_BY_PEER, "connection closed without a close frame " + where(step, f));
      case APP_HANDSHAKE -> Verdict.finish(Result.APP_HANDSHAKE_FAILED, "connection closed during the "
          + f.appLabel() + " handshake");
      case HOLD -> idleCut("connection closed without a close frame");
      case CLOSING -> Verdict.SUCCESS;
      // connect and TLS failures are reported by their own futures
      case RESOLVING, CONNECTING, TLS, DONE -> Verdict.IGNORED;
    };
  }

  static Verdict error(ProbeStep step, Throwable e, Facts f) {
    String why = ProbeText.rootMessage(e);
    int got = f.answerBytes();
    return switch (step) {
      case UPGRADING -> upgrade(f, "the connection failed: " + why, Result.CLOSED_DURING_UPGRADE,
          got == 0 ? "connection failed before any answer: " + why
              : "connection failed in the middle of the answer (" + got + " bytes): " + why);
      case PROXY_CONNECT -> Verdict.finish(Result.PROXY_ERROR, "the connection to the proxy " + f.proxy()
          + " failed before its answer to CONNECT: " + why);
      case H2_SETTINGS -> noSettings(f, "the connection failed before the server's HTTP/2 SETTINGS: " + why);
      case ANSWER_BODY -> Verdict.ANSWER;
      case APP_HANDSHAKE, WAIT_RECEIVERS, BROADCAST, RECEIVING, MESSAGE, HOLD, CLOSING -> sessionError(step, e, why, f);
      case RESOLVING, CONNECTING, TLS, DONE -> Verdict.IGNORED;
    };
  }

  private static Verdict sessionError(ProbeStep step, Throwable e, String why, Facts f) {
    String where = where(step, f);
    if (e instanceof Http2Exception && step != ProbeStep.CLOSING) {
      return Verdict.finish(Result.PROTOCOL_ERROR, "the peer broke HTTP/2 (RFC 9113)"
          + (where.isEmpty() ? "" : " " + where) + ": " + why);
    }
    if (tooLarge(e)) {
      return Verdict.finish(Result.MESSAGE_TOO_LARGE, (Deflate.inflatedTooFar(e)
          ? "a compressed message inflates to more than " + f.maxMessageBytes() + " bytes" : why)
          + " (max_message_size " + f.maxMessageBytes() + " bytes)");
    } else if (e instanceof CorruptedWebSocketFrameException c) {
      boolean utf8 = c.closeStatus() != null
          && c.closeStatus().code() == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code();
      String rsv = Deflate.unagreedRsv(c.getMessage());
      return Verdict.finish(Result.PROTOCOL_ERROR, "the peer broke RFC 6455"
          + (where.isEmpty() ? "" : " " + where) + ": "
          + (utf8 ? "a text frame that is not valid UTF-8 (" + why + ")" : rsv != null ? rsv : why));
    } else if (Deflate.corrupt(e)) {
      return Verdict.finish(Result.PROTOCOL_ERROR, "the peer broke RFC 7692"
          + (where.isEmpty() ? "" : " " + where) + ": a compressed message that does not inflate (" + why + ")");
    } else if (step == ProbeStep.HOLD) {
      return idleCut(why);
    } else if (step == ProbeStep.CLOSING) {
      return Verdict.SUCCESS;
    } else if (e instanceof IOException) {
      return Verdict.finish(Result.CLOSED_BY_PEER, "connection failed " + where + ": " + why);
    }
    return Verdict.finish(Result.INTERNAL_ERROR, why);
  }

  /**
   * By the close status Netty chose, not the message: other violations mention lengths too
   * ("control frame with payload length > 125 octets").
   */
  static boolean tooLarge(Throwable e) {
    return e instanceof TooLongFrameException || Deflate.inflatedTooFar(e)
        || (e instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
            && c.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code());
  }

  /**
   * The close frame a violation asks for (1002 for a broken frame or a compressed message that
   * does not inflate, 1007 for invalid UTF-8, 1009 for a frame or an inflated message beyond
   * max_message_size), or null to close with 1000.
   */
  static WebSocketCloseStatus closeStatusFor(Verdict v, Throwable e) {
    if (v.result() != Result.PROTOCOL_ERROR && v.result() != Result.MESSAGE_TOO_LARGE) {
      return null;
    }
    if (e instanceof CorruptedWebSocketFrameException c) {
      return c.closeStatus();
    }
    return Deflate.inflatedTooFar(e) ? WebSocketCloseStatus.MESSAGE_TOO_BIG
        : Deflate.corrupt(e) ? WebSocketCloseStatus.PROTOCOL_ERROR : null;
  }

  /**
   * A close frame from the peer; {@code received} (the trace line) says who: "" for the
   * sender, "receiver N: " for a receiver.
   */
  static Verdict peerClose(ProbeStep step, int code, String reason, String who, Facts f) {
    return switch (step) {
      case CLOSING -> Verdict.CLOSED; // the clean end, every probe: nothing to put into words
      case HOLD -> idleCut(said(code, reason));
      case APP_HANDSHAKE -> Verdict.finish(code == 4401 || code == 4403 ? Result.AUTH_FAILED
          : Result.APP_HANDSHAKE_FAILED,
          "peer sent " + said(code, reason) + " during the " + f.appLabel() + " handshake");
      default -> new Verdict(Then.FINISH, Result.CLOSED_BY_PEER, "peer sent " + said(code, reason) + " "
          + where(step, f), who + said(code, reason), null);
    };
  }

  /**
   * http_version "2": what the server sent in place of SETTINGS says why there is no WebSocket
   * over its HTTP/2: an HTTP/1.x answer to the preface, other bytes, or nothing at all.
   */
  private static Verdict noSettings(Facts f, String then) {
    int got = f.answerBytes();
    if (got == 0) {
      return Verdict.finish(Result.H2_CONNECT_UNSUPPORTED, then + ": the port does not speak HTTP/2"
          + " (prior knowledge for ws://, ALPN h2 for wss://)");
    }
    String seen = f.answerSoFar();
    if (f.answerLooksLikeHttp()) {
      String line = seen.strip().lines().findFirst().orElse("");
      return new Verdict(Then.FINISH, Result.H2_CONNECT_UNSUPPORTED, "the port answers HTTP/1.x, not HTTP/2 ('"
          + line + "' to the connection preface), then " + then, seen, null);
    }
    return new Verdict(Then.FINISH, Result.H2_CONNECT_UNSUPPORTED, "the answer to the connection preface is not"
        + " HTTP/2 (" + got + " bytes), then " + then, seen, null);
  }

  /**
   * RST_STREAM on the WebSocket's stream: h2_stream_reset in every step but the close, where the
   * server ending the stream is the end it was asked for.
   */
  static Verdict reset(ProbeStep step, String code, Facts f) {
    return switch (step) {
      case CLOSING -> Verdict.CLOSED;
      case DONE -> Verdict.IGNORED;
      case HOLD -> Verdict.finish(Result.H2_STREAM_RESET, "the server reset the WebSocket's stream (RST_STREAM "
          + code + ") during the hold");
      case UPGRADING, ANSWER_BODY -> Verdict.finish(Result.H2_STREAM_RESET, "the server reset the stream (RST_STREAM "
          + code + ") instead of answering the extended CONNECT");
      default -> Verdict.finish(Result.H2_STREAM_RESET, "the server reset the WebSocket's stream (RST_STREAM "
          + code + ")" + (where(step, f).isEmpty() ? "" : " " + where(step, f)));
    };
  }

  /** GOAWAY on the connection while the session is open: h2_goaway, but during the close. */
  static Verdict goAway(ProbeStep step, String code, int lastStreamId, String debug, Facts f) {
    if (step == ProbeStep.CLOSING || step == ProbeStep.DONE) {
      return Verdict.IGNORED;
    }
    String where = where(step, f);
    return new Verdict(Then.FINISH, Result.H2_GOAWAY, "the server sent GOAWAY " + code + ", last stream id "
        + lastStreamId + (debug.isEmpty() ? "" : ", debug data '" + debug + "'")
        + (step == ProbeStep.H2_SETTINGS ? " before its SETTINGS" : where.isEmpty() ? "" : " " + where),
        "GOAWAY " + code + ", last stream id " + lastStreamId + (debug.isEmpty() ? "" : ": " + debug), null);
  }

  static String said(int code, String reason) {
    return "close " + code + (reason.isEmpty() ? "" : " '" + reason + "'");
  }

  private static Verdict idleCut(String how) {
    return new Verdict(Then.IDLE_CUT, Result.IDLE_CUT, how, null, null);
  }

  /**
   * Every end while the upgrade answer is awaited. Bytes that cannot begin an HTTP response mean
   * another protocol answered (a TLS alert to a ws:// probe, an SSH or SMTP greeting): that is
   * bad_accept, however the wait for more ended. Netty's decoder only says so once a whole line
   * has come, and sometimes skips the line.
   */
  private static Verdict upgrade(Facts f, String then, Result otherwise, String detail) {
    int got = f.answerBytes();
    String received = got > 0 ? f.answerSoFar() : null;
    if (got > 0 && !f.answerLooksLikeHttp()) {
      return new Verdict(Then.FINISH, Result.BAD_ACCEPT, "answer is not HTTP: " + got + " bytes, then " + then,
          received, null);
    }
    return new Verdict(Then.FINISH, otherwise, detail, received, null);
  }

  static String where(ProbeStep step, Facts f) {
    return switch (step) {
      case MESSAGE -> "while waiting for message " + f.exchangeNo();
      case WAIT_RECEIVERS -> "while the receivers joined";
      case BROADCAST -> "while waiting for the broadcast";
      case RECEIVING -> "while waiting for the marker";
      default -> "";
    };
  }
}
