package io.wsprobe.prober;

import static io.wsprobe.prober.TestModule.module;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.protocol.Dialects;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The phase handlers on an {@link EmbeddedChannel}, without a socket: each step's handler is
 * the pipeline's {@code phase} while its step lasts and gives its place to the next one, the
 * codecs are swapped as {@link Pipelines} says, and the session ends with the classifier's words.
 */
class PhaseHandlersTest {

  static Vertx vertx;
  EmbeddedChannel channel;
  PromiseInternal<ProbeResult> promise;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  /** A session whose TCP connect just succeeded, on an embedded channel. */
  private Session connected(Module module) {
    channel = new EmbeddedChannel(Pipelines.CONNECTING);
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    promise = context.promise();
    Target target = new Target("t", URI.create("ws://example.test/echo"), "t", Map.of(),
        Duration.ofSeconds(30), Duration.ofSeconds(5));
    ProbeRun probe = new ProbeRun(target, module, context, channel.eventLoop(), null, new TlsContexts(),
        new FdBudget(() -> 1000, () -> 0), Dialects.of(module.app(), null), promise);
    Session s = new Session(probe, probe, 0, Dialects.of(module.app(), null));
    s.channel = channel;
    s.upgrade();
    return s;
  }

  /** A session whose TCP connect to its forward proxy just succeeded: CONNECT is sent. */
  private Session connectedToProxy(Module module) throws Exception {
    channel = new EmbeddedChannel(Pipelines.CONNECTING);
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    promise = context.promise();
    Target target = new Target("t", URI.create("ws://example.test:8080/echo"), "t", Map.of(),
        Duration.ofSeconds(30), Duration.ofSeconds(5));
    ProbeRun probe = new ProbeRun(target, module, context, channel.eventLoop(), null, new TlsContexts(),
        new FdBudget(() -> 1000, () -> 0), Dialects.of(module.app(), null), promise);
    Session s = new Session(probe, probe, 0, Dialects.of(module.app(), null));
    s.channel = channel;
    s.connected();
    return s;
  }

  private String sentText() {
    ByteBuf request = channel.readOutbound();
    String text = request.toString(StandardCharsets.US_ASCII);
    request.release();
    return text;
  }

  @Test
  void theProxysCodecGoesOnceTheTunnelIsOpen() throws Exception {
    Session s = connectedToProxy(module().proxy(new Module.Proxy("proxy.test", 3128, null, null)).build());
    assertThat(phase()).isEqualTo("ProxyConnectHandler");
    assertThat(channel.pipeline().names()).contains("proxy-http");
    assertThat(sentText()).startsWith("CONNECT example.test:8080 HTTP/1.1\r\n")
        .containsIgnoringCase("host: example.test:8080\r\n");

    answer("HTTP/1.1 200 Connection established\r\n\r\n");
    assertThat(channel.pipeline().names()).doesNotContain("proxy-http").contains("raw-answer", "http");
    assertThat(phase()).isEqualTo("UpgradeHandler");
    assertThat(s.proxyStatus).isEqualTo(200);
    accept();
    assertThat(phase()).isEqualTo("CloseHandler");
    clientSent().release();
    serverSends(new CloseWebSocketFrame(1000, "bye"));
    ProbeResult r = promise.future().result();
    assertThat(r.result()).isEqualTo(Result.SUCCESS);
    assertThat(r.proxyStatusCode()).isEqualTo(200);
    assertThat(r.phases()).containsKeys(Phase.PROXY_CONNECT, Phase.UPGRADE);
  }

  @Test
  void aRefusedConnectIsProxyErrorWithItsStatus() throws Exception {
    connectedToProxy(module().proxy(new Module.Proxy("proxy.test", 3128, null, null)).build());
    sentText();

    answer("HTTP/1.1 403 Forbidden\r\nServer: squid/5.7\r\nContent-Length: 5\r\n\r\ndenied");
    ProbeResult r = promise.future().result();
    assertThat(r.result()).isEqualTo(Result.PROXY_ERROR);
    assertThat(r.detail()).isEqualTo("the proxy proxy.test:3128 answered CONNECT example.test:8080 with 403"
        + " Forbidden (Server: squid/5.7)");
    assertThat(r.proxyStatusCode()).isEqualTo(403);
    assertThat(r.statusCode()).isZero();
  }

  private String phase() {
    return channel.pipeline().get("phase").getClass().getSimpleName();
  }

  /** The request's key, from the bytes the handshaker wrote. */
  private String sentKey() {
    ByteBuf request = channel.readOutbound();
    String text = request.toString(StandardCharsets.US_ASCII);
    request.release();
    Matcher m = Pattern.compile("(?i)sec-websocket-key: *(\\S+)").matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return m.group(1);
  }

  private void answer(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    channel.runPendingTasks();
  }

  private void accept() throws Exception {
    answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + UpgradeHandler.expectedAccept(sentKey()) + "\r\n\r\n");
  }

  /** A frame as a server sends it (unmasked). */
  private void serverSends(WebSocketFrame frame) {
    EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
    encoder.writeOutbound(frame);
    ByteBuf bytes = encoder.readOutbound();
    encoder.finishAndReleaseAll();
    channel.writeInbound(bytes);
    channel.runPendingTasks();
  }

  /** The next frame the probe sent. */
  private WebSocketFrame clientSent() {
    EmbeddedChannel decoder = new EmbeddedChannel(new WebSocket13FrameDecoder(true, false, 65536));
    for (Object out; (out = channel.readOutbound()) != null; ) {
      decoder.writeInbound(out);
    }
    WebSocketFrame frame = decoder.readInbound();
    decoder.finishAndReleaseAll();
    return frame;
  }

  @Test
  void eachStepHandsItsPlaceToTheNext() throws Exception {
    Session s = connected(module().echo("hi", 1).build());
    assertThat(phase()).isEqualTo("UpgradeHandler");
    assertThat(channel.pipeline().names()).contains("raw-answer", "http", "phase");

    accept();
    assertThat(channel.pipeline().names()).doesNotContain("raw-answer", "http")
        .containsSubsequence("ws-decoder", "ws-utf8", "ws-aggregator", "phase");
    assertThat(phase()).isEqualTo("ExchangeHandler"); // raw is ready at once: no app handshake handler
    WebSocketFrame sent = clientSent();
    assertThat(((TextWebSocketFrame) sent).text()).isEqualTo("hi");
    sent.release();

    serverSends(new TextWebSocketFrame("hi"));
    assertThat(phase()).isEqualTo("CloseHandler");
    CloseWebSocketFrame close = (CloseWebSocketFrame) clientSent();
    assertThat(close.statusCode()).isEqualTo(1000);
    close.release();
    assertThat(promise.future().isComplete()).isFalse();

    serverSends(new CloseWebSocketFrame(1000, "bye"));
    ProbeResult r = promise.future().result();
    assertThat(r.result()).isEqualTo(Result.SUCCESS);
    assertThat(r.statusCode()).isEqualTo(101);
    assertThat(r.rttNanos()).hasSize(1);
    assertThat(r.closeCode()).isEqualTo(1000);
    assertThat(s.done()).isTrue();
  }

  @Test
  void aRefusedUpgradeKeepsTheAnswerWithAtMost512BytesOfBody() {
    connected(module().build());
    sentKey();
    String body = "x".repeat(2000);
    answer("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
        + "\r\n\r\n" + body);
    ProbeResult r = promise.future().result();
    assertThat(r.result()).isEqualTo(Result.UPGRADE_REJECTED);
    assertThat(r.detail()).isEqualTo("got HTTP 404 text/plain instead of 101");
    assertThat(r.answer()).startsWith("HTTP/1.1 404 Not Found\nContent-Type: text/plain")
        .endsWith("\n\n" + "x".repeat(UpgradeHandler.KEPT_BODY_BYTES));
  }

  @Test
  void invalidUtf8IsAProtocolErrorAndTheProbeClosesWith1007() throws Exception {
    connected(module().echo("hi", 1).build());
    accept();
    clientSent().release();
    serverSends(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xc3, (byte) 0x28})));
    ProbeResult r = promise.future().result();
    assertThat(r.result()).isEqualTo(Result.PROTOCOL_ERROR);
    assertThat(r.detail()).startsWith("the peer broke RFC 6455 while waiting for message 1: "
        + "a text frame that is not valid UTF-8");
    CloseWebSocketFrame close = (CloseWebSocketFrame) clientSent();
    assertThat(close.statusCode()).isEqualTo(1007);
    close.release();
  }

  @Test
  void anAnswerThatIsNotHttpIsBadAccept() {
    connected(module().build());
    sentKey();
    answer("SSH-2.0-OpenSSH_9.6\r\n");
    channel.close();
    ProbeResult r = promise.future().result();
    assertThat(r.result()).isEqualTo(Result.BAD_ACCEPT);
  }
}
