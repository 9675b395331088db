package io.wsprobe.prober;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The upgrade over HTTP/2 (RFC 8441 4, 5): an extended CONNECT on the session's own stream
 * ({@code :method CONNECT}, {@code :protocol websocket}, {@code :scheme}, {@code :path},
 * {@code :authority}, {@code sec-websocket-version: 13}, then the module's origin, subprotocols
 * and headers). {@code :status 200} opens the WebSocket on the stream; any other status is
 * upgrade_rejected (4xx, 5xx) or upgrade_ignored (1xx to 3xx), with the first
 * {@link UpgradeHandler#KEPT_BODY_BYTES} of the DATA that follows. The phase {@code upgrade}
 * runs from the CONNECT sent to the {@code :status} received.
 */
final class H2UpgradeHandler extends PhaseHandler {

  /** Headers HTTP/2 forbids (RFC 9113 8.2.2) or carries otherwise (Host is :authority). */
  private static final Set<String> DROPPED = Set.of("connection", "keep-alive", "proxy-connection",
      "transfer-encoding", "upgrade", "host", "te", "sec-websocket-key", "sec-websocket-version");

  private final ByteBuf body = Unpooled.buffer(0, UpgradeHandler.KEPT_BODY_BYTES);
  private String statusLine;
  private ScheduledFuture<?> bodyTimer;

  H2UpgradeHandler(Session session) {
    super(session);
  }

  @Override
  void begin() {
    Session s = session;
    Http2Headers headers = request(s);
    if (s.traced) {
      Http2StreamChannel stream = (Http2StreamChannel) s.channel;
      Module module = s.module;
      s.trace.sent(() -> {
        // the stream id is assigned when the HEADERS frame goes out: read it when the trace is shown
        StringBuilder text = new StringBuilder("HTTP/2 stream ").append(stream.stream().id());
        for (Map.Entry<CharSequence, CharSequence> h : headers) {
          String name = h.getKey().toString();
          String value = h.getValue().toString();
          text.append('\n').append(name).append(": ").append(switch (name) {
            case ":path" -> UpgradeHandler.redactedRequestTarget(module, value);
            // :authority is the Host header of HTTP/1.1, shown the same way
            case ":authority" -> UpgradeHandler.shownRequestHeader(module, "host", value);
            default -> UpgradeHandler.shownRequestHeader(module, name, value);
          });
        }
        return text.toString();
      });
    }
    s.stepStart = System.nanoTime();
    s.armSend();
    s.channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).addListener(f -> s.guarded(() -> {
      if (!f.isSuccess() && s.step == ProbeStep.UPGRADING) {
        s.end(Result.CLOSED_DURING_UPGRADE, "could not send the CONNECT request: " + ProbeText.rootMessage(f.cause()));
      }
    }));
  }

  private static Http2Headers request(Session s) {
    Module module = s.module;
    URI url = s.target.url();
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      path += "?" + url.getRawQuery();
    }
    boolean tls = s.target.tls();
    int port = s.target.port();
    String authority = url.getHost() + (port == (tls ? 443 : 80) ? "" : ":" + port);
    Http2Headers extra = new DefaultHttp2Headers();
    for (Map.Entry<String, Secret> h : module.headers().entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("host")) {
        authority = h.getValue().value();
      } else if (!DROPPED.contains(name)) {
        extra.add(name, h.getValue().value());
      }
    }
    Http2Headers headers = new DefaultHttp2Headers()
        .method("CONNECT")
        .scheme(tls ? "https" : "http")
        .path(path)
        .authority(authority);
    headers.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "websocket");
    headers.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
    if (module.origin() != null) {
      headers.set(HttpHeaderNames.ORIGIN, module.origin());
    }
    if (!module.subprotocols().isEmpty()) {
      headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, String.join(", ", module.subprotocols()));
    }
    if (Deflate.offered(module)) {
      headers.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, Deflate.OFFER);
    }
    headers.add(extra);
    return headers;
  }

  @Override
  void read(ChannelHandlerContext ctx, Object msg) {
    Session s = session;
    if (msg instanceof Http2HeadersFrame frame && s.step == ProbeStep.UPGRADING) {
      onAnswer(frame);
    } else if (msg instanceof Http2DataFrame data && s.step == ProbeStep.ANSWER_BODY) {
      ByteBuf bytes = data.content();
      body.writeBytes(bytes, bytes.readerIndex(), Math.min(bytes.readableBytes(), body.maxWritableBytes()));
      if (data.isEndStream() || body.maxWritableBytes() == 0) {
        finishAnswer();
      }
    } else if (msg instanceof Http2HeadersFrame trailers && s.step == ProbeStep.ANSWER_BODY && trailers.isEndStream()) {
      finishAnswer();
    }
  }

  private void onAnswer(Http2HeadersFrame frame) {
    Session s = session;
    long sent = s.sentAt(s.stepStart);
    long took = s.readAt(sent) - sent;
    Http2Headers answer = frame.headers();
    CharSequence status = answer.status();
    int code;
    try {
      code = status == null ? -1 : Integer.parseInt(status.toString());
    } catch (NumberFormatException e) {
      code = -1;
    }
    if (code < 100 || code > 999) {
      s.step("upgrade", took, "answer without a valid :status (" + status + ")");
      s.end(Result.BAD_ACCEPT, "HTTP/2 answer without a valid :status (got " + status + ")");
      return;
    }
    s.status = code;
    statusLine = "HTTP/2 " + code;
    HttpHeaders headers = new DefaultHttpHeaders();
    for (Map.Entry<CharSequence, CharSequence> h : answer) {
      if (!Http2Headers.PseudoHeaderName.hasPseudoHeaderFormat(h.getKey())) {
        headers.add(h.getKey(), h.getValue());
      }
    }
    s.answerHeaders = headers;
    s.phases.put(Phase.UPGRADE, took);
    s.step("upgrade", took, "answer HTTP/2 :status " + code);
    if (code != 200) {
      s.step = ProbeStep.ANSWER_BODY;
      if (frame.isEndStream()) {
        finishAnswer();
        return;
      }
      bodyTimer = s.loop.schedule(() -> s.guarded(this::finishAnswer),
          Math.min(UpgradeHandler.BODY_WAIT_NANOS, s.remainingNanos()), TimeUnit.NANOSECONDS);
      return;
    }
    String line = statusLine;
    s.answerText = () -> {
      StringBuilder text = new StringBuilder(line);
      UpgradeHandler.appendHeaders(text, headers);
      return text.toString();
    };
    if (s.traced) {
      s.trace.received(s.answerText);
    }
    UpgradeHandler.recognise(s, "");
    if (frame.isEndStream()) {
      s.end(Result.BAD_ACCEPT, ":status 200 with END_STREAM: the server closed the stream with its answer");
      return;
    }
    String chosen = headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (UpgradeHandler.subprotocolMismatch(s, chosen)) {
      return;
    }
    CharSequence answered = headers.get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
    Deflate.Agreement agreement = Deflate.judge(s.module.wire().compression(),
        answered == null ? null : answered.toString(), (int) s.module.maxMessageBytes());
    s.extension = agreement.extension();
    if (agreement.failure() != null) {
      s.end(agreement.failure(), agreement.detail());
      return;
    }
    Pipelines.h2WebSocket(s, agreement);
    s.trace.note(s.name + "session open on HTTP/2 stream " + ((Http2StreamChannel) s.channel).stream().id()
        + (chosen == null ? "" : ", subprotocol " + chosen));
    if (!agreement.detail().isEmpty()) {
      s.trace.note(s.name + agreement.detail());
    }
    s.upgraded();
  }

  @Override
  void finishAnswer() {
    Session s = session;
    if (s.step != ProbeStep.ANSWER_BODY) {
      return;
    }
    String contentType = s.answerHeaders.get(HttpHeaderNames.CONTENT_TYPE);
    StringBuilder text = new StringBuilder(statusLine);
    UpgradeHandler.appendHeaders(text, s.answerHeaders);
    String bodyText = ProbeText.printable(body, "");
    text.append("\n\n").append(bodyText.isEmpty() ? "(empty body)" : bodyText);
    String answer = text.toString();
    s.answerText = () -> answer;
    s.trace.received(answer);
    UpgradeHandler.recognise(s, bodyText);
    String shortType = contentType == null ? "" : " " + contentType.split(";")[0].trim();
    if (s.status < 400) {
      s.end(Result.UPGRADE_IGNORED, "got HTTP/2 :status " + s.status + shortType
          + " instead of 200 to the extended CONNECT");
    } else {
      s.end(Result.UPGRADE_REJECTED, "got HTTP/2 :status " + s.status + shortType
          + " instead of 200 to the extended CONNECT");
    }
  }

  @Override
  void release() {
    if (bodyTimer != null) {
      bodyTimer.cancel(false);
      bodyTimer = null;
    }
    if (body.refCnt() > 0) {
      body.release();
    }
  }
}
