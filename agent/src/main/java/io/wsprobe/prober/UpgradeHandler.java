package io.wsprobe.prober;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The upgrade: sends the request through Netty's RFC 6455 handshaker, reads the answer, checks
 * Upgrade, Connection, Sec-WebSocket-Accept and the subprotocol, and on a good 101 has the
 * handshaker swap the codecs and hands over to the app handshake. A non-101 answer keeps its
 * first {@link #KEPT_BODY_BYTES} of body, for at most {@link #BODY_WAIT_NANOS}; bytes that are
 * not HTTP at all are kept by the capture ahead of the codec.
 */
final class UpgradeHandler extends PhaseHandler {

  /** How much of a non-101 answer's body, or of a non-HTTP answer, the trace keeps. */
  static final int KEPT_BODY_BYTES = 512;
  static final long BODY_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ByteBuf rawAnswer = Unpooled.buffer(0, KEPT_BODY_BYTES);
  private final ByteBuf body = Unpooled.buffer(0, KEPT_BODY_BYTES);
  private String sentKey;
  private Handshaker handshaker;
  private String statusLine;
  private ScheduledFuture<?> bodyTimer;
  /** What the answer's Sec-WebSocket-Extensions agreed to, once a good 101 was judged. */
  private Deflate.Agreement agreement = Deflate.Agreement.NONE;

  UpgradeHandler(Session session) {
    super(session);
  }

  /** Keeps the first bytes of the raw answer, for answers that are not HTTP or never complete. */
  ChannelInboundHandlerAdapter capture() {
    return Pipelines.capture(rawAnswer);
  }

  @Override
  void begin() {
    Session s = session;
    Module module = s.module;
    HttpHeaders headers = new DefaultHttpHeaders();
    if (module.origin() != null) {
      headers.set(HttpHeaderNames.ORIGIN, module.origin());
    }
    for (Map.Entry<String, Secret> h : module.headers().entrySet()) {
      headers.add(h.getKey(), h.getValue().value());
    }
    if (Deflate.offered(module)) {
      headers.set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, Deflate.OFFER);
    }
    String subprotocols = module.subprotocols().isEmpty() ? null : String.join(", ", module.subprotocols());
    handshaker = new Handshaker(subprotocols, headers, (int) module.maxMessageBytes());
    s.stepStart = System.nanoTime();
    s.armSend();
    handshaker.handshake(s.channel).addListener(f -> s.guarded(() -> {
      if (!f.isSuccess() && s.step == ProbeStep.UPGRADING) {
        s.end(Result.CLOSED_DURING_UPGRADE, "could not send the upgrade request: " + ProbeText.rootMessage(f.cause()));
      }
    }));
  }

  /**
   * Netty's RFC 6455 handshaker; we keep the request it sends for the trace and the Accept check.
   * Its Sec-WebSocket-Key is 16 bytes of ThreadLocalRandom: RFC 6455 asks for a nonce that a
   * cache or proxy cannot have seen, not a secret, so no SecureRandom is spent on it per probe.
   */
  private final class Handshaker extends WebSocketClientHandshaker13 {
    Handshaker(String subprotocols, HttpHeaders headers, int maxFrame) {
      super(session.target.url(), WebSocketVersion.V13, subprotocols, false, headers, maxFrame, true, false, -1);
    }

    @Override
    protected FullHttpRequest newHandshakeRequest() {
      FullHttpRequest request = super.newHandshakeRequest();
      sentKey = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
      if (session.traced) {
        HttpHeaders sent = request.headers();
        String line = request.method() + " " + request.uri() + " " + request.protocolVersion();
        Module module = session.module;
        session.trace.sent(() -> {
          String[] parts = line.split(" ", 3);
          StringBuilder text = new StringBuilder()
              .append(parts[0]).append(' ').append(redactedRequestTarget(module, parts[1]))
              .append(' ').append(parts[2]);
          for (Map.Entry<String, String> h : sent) {
            text.append('\n').append(h.getKey()).append(": ")
                .append(shownRequestHeader(module, h.getKey(), h.getValue()));
          }
          return text.toString();
        });
      }
      return request;
    }

    /** RSV bits are allowed once an extension was agreed, and only then; see {@link Deflate#frameDecoder}. */
    @Override
    protected WebSocketFrameDecoder newWebsocketDecoder() {
      return Deflate.frameDecoder(maxFramePayloadLength(), agreement.compressed());
    }
  }

  /** The request target as shown: secret query parameters redacted. */
  static String redactedRequestTarget(Module module, String uri) {
    String redacted = module.shownUrl(java.net.URI.create("ws://h" + uri));
    return redacted.substring("ws://h".length());
  }

  /** A request header's value as shown: the module's secret headers and credential headers redacted. */
  static String shownRequestHeader(Module module, String name, String value) {
    Secret configured = null;
    for (Map.Entry<String, Secret> h : module.headers().entrySet()) {
      if (h.getKey().equalsIgnoreCase(name)) {
        configured = h.getValue();
      }
    }
    if ((configured != null && configured.secret()) || Secret.sensitiveHeader(name)) {
      return Secret.REDACTED;
    }
    return value;
  }

  @Override
  void read(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpResponse response && session.step == ProbeStep.UPGRADING) {
      onAnswer(response);
      if (msg instanceof HttpContent content && session.step == ProbeStep.ANSWER_BODY) {
        onAnswerBody(content);
      }
    } else if (msg instanceof HttpContent content && session.step == ProbeStep.ANSWER_BODY) {
      onAnswerBody(content);
    }
  }

  private void onAnswer(HttpResponse response) throws Exception {
    Session s = session;
    long sent = s.sentAt(s.stepStart);
    long took = s.readAt(sent) - sent; // request's flush to the read that completed the answer's head
    if (response.decoderResult().isFailure()) {
      s.step("upgrade", took, "the answer is not valid HTTP");
      String raw = ProbeText.printable(rawAnswer, "(no bytes)");
      s.answerText = () -> raw;
      s.trace.received(raw);
      s.end(Result.BAD_ACCEPT, "answer is not valid HTTP: " + ProbeText.rootMessage(response.decoderResult().cause()));
      return;
    }
    s.status = response.status().code();
    statusLine = response.protocolVersion() + " " + response.status();
    HttpHeaders answerHeaders = response.headers();
    s.answerHeaders = answerHeaders;
    s.phases.put(Phase.UPGRADE, took);
    s.step("upgrade", took, "answer " + response.protocolVersion() + " " + response.status());
    if (s.status != 101) {
      s.step = ProbeStep.ANSWER_BODY;
      bodyTimer = s.loop.schedule(() -> s.guarded(this::finishAnswer),
          Math.min(BODY_WAIT_NANOS, s.remainingNanos()), TimeUnit.NANOSECONDS);
      return;
    }
    traceAnswerHeaders(response);
    recognise(s, "");
    String upgradeHeader = answerHeaders.get(HttpHeaderNames.UPGRADE);
    if (upgradeHeader == null || !upgradeHeader.equalsIgnoreCase("websocket")) {
      s.end(Result.BAD_ACCEPT, "101 answer without 'Upgrade: websocket' (got " + upgradeHeader + ")");
      return;
    }
    if (!answerHeaders.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)) {
      s.end(Result.BAD_ACCEPT, "101 answer without 'Connection: upgrade' (got "
          + answerHeaders.get(HttpHeaderNames.CONNECTION) + ")");
      return;
    }
    String accept = answerHeaders.get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    String expected = expectedAccept(sentKey);
    if (!expected.equals(accept)) {
      s.end(Result.BAD_ACCEPT, "Sec-WebSocket-Accept is " + (accept == null ? "missing" : "'" + accept + "'")
          + ", expected '" + expected + "'");
      return;
    }
    String chosen = answerHeaders.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (subprotocolMismatch(s, chosen)) {
      return;
    }
    agreement = Deflate.judge(s.module.wire().compression(),
        answerHeaders.get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS), (int) s.module.maxMessageBytes());
    s.extension = agreement.extension();
    if (agreement.failure() != null) {
      s.end(agreement.failure(), agreement.detail());
      return;
    }
    // Netty swaps the HTTP codec for the WebSocket codec; bytes already read after the 101 go on
    // to the frame decoder.
    handshaker.finishHandshake(s.channel, new DefaultFullHttpResponse(response.protocolVersion(),
        response.status(), Unpooled.EMPTY_BUFFER, response.headers(), new DefaultHttpHeaders()));
    Pipelines.websocket(s, agreement);
    s.trace.note(s.name + "session open" + (chosen == null ? "" : ", subprotocol " + chosen));
    if (!agreement.detail().isEmpty()) {
      s.trace.note(s.name + agreement.detail());
    }
    s.upgraded();
  }

  /**
   * Ends the session as subprotocol_mismatch when the server chose no subprotocol though the
   * module offers some, or one it did not offer (or one though none was offered).
   */
  static boolean subprotocolMismatch(Session s, String chosen) {
    Module module = s.module;
    if (module.subprotocols().isEmpty() ? chosen != null && !chosen.isEmpty()
        : chosen == null || !module.subprotocols().contains(chosen)) {
      s.end(Result.SUBPROTOCOL_MISMATCH, "offered " + module.subprotocols() + ", server chose "
          + (chosen == null ? "none" : "'" + chosen + "'"));
      return true;
    }
    return false;
  }

  /** Names the hop that answered, and says so in the trace when the answer shows one. */
  static void recognise(Session s, String bodyText) {
    s.hop = HopRecogniser.recognise(s.answerHeaders, bodyText);
    if (s.traced && s.hop.hop() != Hop.UNKNOWN) {
      s.trace.note("answered through: " + s.hop.hop().shown() + " (" + s.hop.evidence() + ")");
    }
  }

  private void traceAnswerHeaders(HttpResponse response) {
    String line = response.protocolVersion() + " " + response.status();
    HttpHeaders headers = response.headers();
    session.answerText = () -> {
      StringBuilder text = new StringBuilder(line);
      appendHeaders(text, headers);
      return text.toString();
    };
    if (session.traced) {
      session.trace.received(session.answerText);
    }
  }

  /** The answer's headers as lines, credential headers redacted. */
  static void appendHeaders(StringBuilder text, HttpHeaders headers) {
    for (Map.Entry<String, String> h : headers) {
      text.append('\n').append(h.getKey()).append(": ")
          .append(Secret.sensitiveHeader(h.getKey()) ? Secret.REDACTED : h.getValue());
    }
  }

  private void onAnswerBody(HttpContent content) {
    ByteBuf data = content.content();
    body.writeBytes(data, data.readerIndex(), Math.min(data.readableBytes(), body.maxWritableBytes()));
    if (content instanceof LastHttpContent || body.maxWritableBytes() == 0) {
      finishAnswer();
    }
  }

  @Override
  void finishAnswer() {
    Session s = session;
    if (s.step != ProbeStep.ANSWER_BODY) {
      return;
    }
    String contentType = s.answerHeaders.get(HttpHeaderNames.CONTENT_TYPE);
    StringBuilder text = new StringBuilder();
    text.append(statusLine);
    appendHeaders(text, s.answerHeaders);
    String bodyText = ProbeText.printable(body, "");
    text.append("\n\n").append(bodyText.isEmpty() ? "(empty body)" : bodyText);
    String answer = text.toString();
    s.answerText = () -> answer;
    s.trace.received(answer);
    recognise(s, bodyText);
    String shortType = contentType == null ? "" : " " + contentType.split(";")[0].trim();
    if (s.status < 400) {
      s.end(Result.UPGRADE_IGNORED, "got HTTP " + s.status + shortType
          + " instead of 101: a proxy is not forwarding Upgrade");
    } else {
      s.end(Result.UPGRADE_REJECTED, "got HTTP " + s.status + shortType + " instead of 101");
    }
  }

  @Override
  void release() {
    if (bodyTimer != null) {
      bodyTimer.cancel(false);
      bodyTimer = null;
    }
    if (rawAnswer.refCnt() > 0) {
      rawAnswer.release();
    }
    if (body.refCnt() > 0) {
      body.release();
    }
  }

  @Override
  public int answerBytes() {
    return rawAnswer.readableBytes();
  }

  @Override
  public boolean answerLooksLikeHttp() {
    return ProbeText.startsLikeHttp(rawAnswer);
  }

  @Override
  public String answerSoFar() {
    return ProbeText.printable(rawAnswer, "");
  }

  /** One SHA-1 per thread: looking one up through the security providers costs more than the hash. */
  private static final io.netty.util.concurrent.FastThreadLocal<MessageDigest> SHA1 =
      new io.netty.util.concurrent.FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() throws Exception {
          return MessageDigest.getInstance("SHA-1");
        }
      };

  static String expectedAccept(String key) throws Exception {
    if (key == null) {
      return "";
    }
    MessageDigest digest = SHA1.get();
    digest.reset();
    byte[] sha1 = digest.digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(sha1);
  }
}
