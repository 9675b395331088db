package io.wsprobe.prober;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsprobe.config.Module;
import io.wsprobe.protocol.Dialect;
import java.nio.charset.StandardCharsets;
import io.wsprobe.config.Redactor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The module's message exchanges, in order, each message {@code count} times: send (unless the
 * step only waits for the server), then wait for a frame that matches its expectation (frames
 * that do not are counted, the last kept for the words of a mismatch). Each round trip is
 * measured; then the hold. A step's captures are kept from its matching frame for later sends'
 * {@code ${capture:name}}; their values are hidden wherever the trace or a detail shows a frame.
 */
final class ExchangeHandler extends PhaseHandler {

  private final List<Module.Message> messages;
  private final int total;
  /** The exchange waited for, from 0; {@link #message} and {@link #repeat} locate it. */
  private int exchange;
  private int message;
  private int repeat;
  private int framesSinceSend;
  private String lastFrameText;
  /** Values captured so far, by name; insertion order, so hiding them is deterministic. */
  private final Map<String, String> captured = new LinkedHashMap<>();

  /** @param total the exchanges of the module, {@link #total}: more than 0 */
  ExchangeHandler(Session session, int total) {
    super(session);
    this.messages = session.module.messages();
    this.total = total;
  }

  static int total(Module module) {
    List<Module.Message> messages = module.messages();
    int n = 0;
    for (int i = 0; i < messages.size(); i++) { // no iterator: this runs for every probe
      n += messages.get(i).count();
    }
    return n;
  }

  @Override
  void begin() {
    session.step = ProbeStep.MESSAGE;
    while (message < messages.size() && messages.get(message).count() == 0) {
      message++;
    }
    send();
  }

  private void send() {
    Module.Message m = messages.get(message);
    framesSinceSend = 0;
    lastFrameText = null;
    session.stepStart = System.nanoTime();
    if (!m.sends()) {
      return; // a server-first step: wait for the server's next message that matches
    }
    byte[] bytes = m.bytes(captured);
    WebSocketFrame frame = m.binary()
        ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes))
        : new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes));
    session.armSend();
    session.channel.writeAndFlush(frame);
  }

  @Override
  void event(Dialect.Event event, WebSocketFrame frame) {
    if (!(event instanceof Dialect.Data) || frame == null || session.step != ProbeStep.MESSAGE) {
      return;
    }
    // from the send's flush to the read that brought the answer: our codecs' time is not the server's
    long sent = session.sentAt(session.stepStart);
    long took = session.readAt(sent) - sent;
    Module.Message m = messages.get(message);
    byte[] got = ByteBufBytes.of(frame.content());
    boolean text = frame instanceof TextWebSocketFrame;
    framesSinceSend++;
    lastFrameText = hidden(ProbeText.preview(got, text));
    if (!matches(m, got, text)) {
      return; // keep waiting: another frame may still match before the deadline
    }
    String missed = capture(m, new String(got, StandardCharsets.UTF_8));
    if (missed == null && !m.capture().isEmpty()) {
      lastFrameText = hidden(ProbeText.preview(got, text)); // what it captured is hidden in it too
    }
    if (missed != null) {
      session.apply(new FailureClassifier.Verdict(FailureClassifier.Then.FINISH, Result.MESSAGE_MISMATCH,
          "capture '" + missed + "' (regex '" + m.capture().get(missed) + "') found nothing in the answer"
              + " to message " + (exchange + 1) + ": " + lastFrameText, "frame: " + lastFrameText, null), null);
      return;
    }
    if (m.sends()) {
      session.rtts().add(took);
      session.step("message", took, String.format(Locale.ROOT, "%d/%d sent %s, got %s", exchange + 1,
          total, hidden(ProbeText.preview(m.bytes(), !m.binary())), lastFrameText));
    } else {
      session.step("message", took, String.format(Locale.ROOT, "%d/%d waited for the server, got %s",
          exchange + 1, total, lastFrameText));
    }
    exchange++;
    if (++repeat >= m.count()) {
      repeat = 0;
      message++;
      while (message < messages.size() && messages.get(message).count() == 0) {
        message++;
      }
    }
    if (exchange >= total) {
      session.hold();
    } else {
      send();
    }
  }

  /** Keeps each of the step's captures from {@code answer}; returns the name of one that found nothing. */
  private String capture(Module.Message m, String answer) {
    for (Map.Entry<String, String> c : m.capture().entrySet()) {
      Matcher found = Pattern.compile(c.getValue()).matcher(answer);
      if (!found.find() || found.group(1) == null) {
        return c.getKey();
      }
      captured.put(c.getKey(), found.group(1));
    }
    return null;
  }

  /**
   * {@code text} with each captured value of {@link Redactor#MIN_REPORT} characters or more shown
   * as {@code <capture:name>}: captures are often tokens. (The sent template, before its
   * references are replaced, is what the trace shows of a send.)
   */
  private String hidden(String text) {
    String out = text;
    for (Map.Entry<String, String> c : captured.entrySet()) {
      if (c.getValue().length() >= Redactor.MIN_REPORT) {
        out = out.replace(c.getValue(), "<capture:" + c.getKey() + ">");
      }
    }
    return out;
  }

  private static boolean matches(Module.Message m, byte[] got, boolean text) {
    Module.Expect expect = m.expect();
    String s = new String(got, StandardCharsets.UTF_8);
    return switch (expect.kind()) {
      case ANY -> true;
      case ECHO -> java.util.Arrays.equals(got, m.bytes());
      case CONTAINS -> s.contains(expect.value());
      case REGEX -> Pattern.compile(expect.value()).matcher(s).find();
      case JSON -> JsonField.equals(s, expect.jsonPath(), expect.value());
    };
  }

  private static String describe(Module.Expect e) {
    return switch (e.kind()) {
      case ANY -> "any frame";
      case ECHO -> "the echo";
      case CONTAINS -> "contains '" + e.value() + "'";
      case REGEX -> "regex '" + e.value() + "'";
      case JSON -> "json " + e.jsonPath() + " == " + e.value();
    };
  }

  @Override
  public int exchangeNo() {
    return exchange + 1;
  }

  @Override
  public int framesSinceSend() {
    return framesSinceSend;
  }

  @Override
  public String lastFrame() {
    return lastFrameText;
  }

  @Override
  public boolean waitsForServer() {
    return !messages.get(message).sends();
  }

  @Override
  public String expected() {
    return describe(messages.get(message).expect());
  }
}
