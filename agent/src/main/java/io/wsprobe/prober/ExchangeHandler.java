package io.wsprobe.prober;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wsprobe.config.Module;
import io.wsprobe.protocol.Dialect;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The module's message exchanges, in order, each message {@code count} times: send, then wait
 * for a frame that matches its expectation (frames that do not are counted, the last kept for
 * the words of a mismatch). Each round trip is measured; then the hold.
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
    byte[] bytes = m.bytes();
    WebSocketFrame frame = m.binary()
        ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes))
        : new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes));
    session.stepStart = System.nanoTime();
    session.channel.writeAndFlush(frame);
  }

  @Override
  void event(Dialect.Event event, WebSocketFrame frame) {
    if (!(event instanceof Dialect.Data) || frame == null || session.step != ProbeStep.MESSAGE) {
      return;
    }
    long took = System.nanoTime() - session.stepStart;
    Module.Message m = messages.get(message);
    byte[] got = ByteBufBytes.of(frame.content());
    boolean text = frame instanceof TextWebSocketFrame;
    framesSinceSend++;
    lastFrameText = ProbeText.preview(got, text);
    if (!matches(m, got, text)) {
      return; // keep waiting: another frame may still match before the deadline
    }
    session.rtts().add(took);
    session.step("message", took, String.format(Locale.ROOT, "%d/%d sent %s, got %s", exchange + 1,
        total, ProbeText.preview(m.bytes(), !m.binary()), lastFrameText));
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
  public String expected() {
    return describe(messages.get(message).expect());
  }
}
