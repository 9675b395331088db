package io.wsprobe.prober;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HTTP/2 connection of an {@code http_version: "2"} session (RFC 8441), on the socket's
 * channel: Netty's frame codec sends the connection preface, then this step waits for the
 * server's SETTINGS (step {@link ProbeStep#H2_SETTINGS}). Without
 * {@code SETTINGS_ENABLE_CONNECT_PROTOCOL = 1}, or from a port that does not speak HTTP/2 (an
 * HTTP/1.1 answer, silence until the deadline), the session is {@code h2_connect_unsupported}.
 * With it, the WebSocket's stream is opened and {@link H2UpgradeHandler} sends the extended
 * CONNECT on it; this handler's place on the socket goes to a {@link Watch} for GOAWAY.
 */
final class H2Connection extends PhaseHandler {

  /** The first bytes from the server, to name what answered when it is not HTTP/2. */
  private final ByteBuf rawAnswer = Unpooled.buffer(0, UpgradeHandler.KEPT_BODY_BYTES);

  H2Connection(Session session) {
    super(session);
  }

  static void start(Session s) {
    s.step = ProbeStep.H2_SETTINGS;
    s.stepStart = System.nanoTime();
    Pipelines.h2(s, new H2Connection(s));
  }

  @Override
  void begin() {}

  /** Keeps the first bytes the server sends, ahead of the codec. */
  ChannelInboundHandlerAdapter capture() {
    return Pipelines.capture(rawAnswer);
  }

  @Override
  void read(ChannelHandlerContext ctx, Object msg) {
    Session s = session;
    if (s.step != ProbeStep.H2_SETTINGS) {
      return;
    }
    if (msg instanceof Http2GoAwayFrame goAway) {
      goAway(s, goAway);
    } else if (msg instanceof Http2SettingsFrame frame) {
      settings(s, frame.settings());
    }
  }

  private void settings(Session s, Http2Settings settings) {
    long took = System.nanoTime() - s.stepStart;
    String shown = "SETTINGS: " + shown(settings);
    s.step("h2", took, shown);
    if (!Boolean.TRUE.equals(settings.connectProtocolEnabled())) {
      s.answerText = () -> shown;
      s.end(Result.H2_CONNECT_UNSUPPORTED, "the server's SETTINGS lack ENABLE_CONNECT_PROTOCOL=1 ("
          + (settings.isEmpty() ? "it sent none" : shown(settings)) + ")");
      return;
    }
    s.step = ProbeStep.UPGRADING;
    Pipelines.h2Settled(s);
    new Http2StreamChannelBootstrap(s.channel).handler(Pipelines.CONNECTING).open()
        .addListener(f -> s.guarded(() -> {
          if (s.step != ProbeStep.UPGRADING) {
            if (f.isSuccess()) {
              ((Http2StreamChannel) f.getNow()).close();
            }
            return;
          }
          if (!f.isSuccess()) {
            s.end(Result.CLOSED_DURING_UPGRADE, "could not open the HTTP/2 stream: "
                + ProbeText.rootMessage(f.cause()));
            return;
          }
          Pipelines.h2Stream(s, (Http2StreamChannel) f.getNow(), new H2UpgradeHandler(s));
        }));
  }

  /** A GOAWAY from the server: the connection ends, so does the session (in any step but the close). */
  static void goAway(Session s, Http2GoAwayFrame goAway) {
    String debug = goAway.content().isReadable()
        ? ProbeText.escape(ByteBufBytes.of(goAway.content().slice(goAway.content().readerIndex(),
            Math.min(goAway.content().readableBytes(), 200))))
        : "";
    s.apply(FailureClassifier.goAway(s.step, errorName(goAway.errorCode()), goAway.lastStreamId(), debug,
        s.facts()), null);
  }

  /** An HTTP/2 error code as its name in RFC 9113 and its number, e.g. "CANCEL (0x8)". */
  static String errorName(long code) {
    Http2Error e = Http2Error.valueOf(code);
    return (e == null ? "unknown error code" : e.name()) + " (0x" + Long.toHexString(code) + ")";
  }

  /** Settings by their RFC names, in identifier order: "ENABLE_CONNECT_PROTOCOL=1, MAX_CONCURRENT_STREAMS=100". */
  static String shown(Http2Settings settings) {
    if (settings.isEmpty()) {
      return "(none)";
    }
    Map<Integer, Long> sorted = new TreeMap<>();
    for (Map.Entry<Character, Long> e : settings.entrySet()) {
      sorted.put((int) e.getKey(), e.getValue());
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<Integer, Long> e : sorted.entrySet()) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(settingName(e.getKey())).append('=').append(e.getValue());
    }
    return out.toString();
  }

  private static String settingName(int id) {
    return switch (id) {
      case 1 -> "HEADER_TABLE_SIZE";
      case 2 -> "ENABLE_PUSH";
      case 3 -> "MAX_CONCURRENT_STREAMS";
      case 4 -> "INITIAL_WINDOW_SIZE";
      case 5 -> "MAX_FRAME_SIZE";
      case 6 -> "MAX_HEADER_LIST_SIZE";
      case 8 -> "ENABLE_CONNECT_PROTOCOL";
      case 9 -> "NO_RFC7540_PRIORITIES";
      default -> String.format(Locale.ROOT, "0x%x", id);
    };
  }

  @Override
  void release() {
    if (rawAnswer.refCnt() > 0) {
      rawAnswer.release();
    }
  }

  @Override
  public int answerBytes() {
    return rawAnswer.refCnt() > 0 ? rawAnswer.readableBytes() : 0;
  }

  @Override
  public boolean answerLooksLikeHttp() {
    return rawAnswer.refCnt() > 0 && ProbeText.startsLikeHttp(rawAnswer);
  }

  @Override
  public String answerSoFar() {
    return rawAnswer.refCnt() > 0 ? ProbeText.printable(rawAnswer, "") : "";
  }

  /**
   * On the socket once the stream is open, in this step's place: a GOAWAY ends the session;
   * the socket's other frames (SETTINGS, PING, their acks) are the codec's. A closed socket or a
   * connection error closes the stream too, whose phase handler reports it.
   */
  static final class Watch extends ChannelInboundHandlerAdapter {
    private final Session session;

    Watch(Session session) {
      this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2GoAwayFrame goAway && !session.done()) {
          goAway(session, goAway);
        }
      } catch (Throwable e) {
        session.crashed(e);
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      try {
        session.apply(FailureClassifier.classify(session.step, FailureClassifier.Event.ERROR, cause,
            session.facts()), cause);
      } catch (Throwable e) {
        session.crashed(e);
      }
    }
  }
}
