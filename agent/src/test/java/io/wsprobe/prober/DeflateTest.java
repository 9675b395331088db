package io.wsprobe.prober;

import static io.wsprobe.prober.TestModule.module;
import static io.wsprobe.support.ProbeAssertions.assertResult;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.support.HAProxy;
import io.wsprobe.support.Nginx;
import io.wsprobe.support.NodeServer;
import io.wsprobe.support.ProbeCli;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * permessage-deflate ({@code compression}) against the real {@code ws} server with its
 * {@code perMessageDeflate} on and off, through a real HAProxy that strips
 * {@code Sec-WebSocket-Extensions}, and against in-process servers that compress what nobody
 * agreed to or send a decompression bomb.
 */
class DeflateTest {

  static Vertx vertx;
  static WebSocketProber prober;
  static FaultServers faults;
  static NodeServer compressing;
  static NodeServer plain;
  static HAProxy stripping;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    prober = new WebSocketProber(vertx);
    faults = new FaultServers(vertx);
    compressing = NodeServer.start("room-server.js", "--per-message-deflate");
    plain = NodeServer.start("room-server.js");
    int port = Nginx.freePort();
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, """
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s
            timeout tunnel 5s
        frontend web
            bind 127.0.0.1:%d
            http-request del-header Sec-WebSocket-Extensions
            default_backend app
        backend app
            server app 127.0.0.1:%d
        """.formatted(port, compressing.port()));
    stripping = HAProxy.start(cfg, Map.of(), port, dir.resolve("haproxy.log"));
  }

  @AfterAll
  static void stop() throws Exception {
    stripping.close();
    compressing.close();
    plain.close();
    vertx.close().await();
  }

  static ProbeResult probe(int port, TestModule m) {
    Target t = new Target("t", URI.create("ws://127.0.0.1:" + port + "/echo"), "test", Map.of(),
        Duration.ofSeconds(10), Duration.ofSeconds(4));
    return prober.probe(t, m.build()).await();
  }

  static String trace(ProbeResult r) {
    return r.trace().render();
  }

  @Nested
  class AgainstTheWsServer {

    @ParameterizedTest
    @EnumSource(value = Module.Compression.class, names = {"OFFER", "REQUIRE"})
    void compressionOnIsNegotiatedAndTheEchoTravelsCompressed(Module.Compression mode) {
      // ws compresses every message it sends (threshold 0): the echo arrives only if the probe inflates it
      String big = "wsprobe ".repeat(8192);
      ProbeResult r = probe(compressing.port(), module().compression(mode).echo("x", 2).echo(big, 1));

      assertResult(r, Result.SUCCESS);
      assertThat(r.extension()).isEqualTo(new Extension("permessage-deflate", ""));
      assertThat(trace(r))
          .contains("sec-websocket-extensions: permessage-deflate", "2/3 sent 'x', got 'x'", "(65536 bytes), got")
          .containsSubsequence("- session open", "- extension permessage-deflate\n");
    }

    @Test
    void offeredToAServerWithoutCompressionTheSessionRunsUncompressed() {
      ProbeResult r = probe(plain.port(), module().compression(Module.Compression.OFFER).echo("x", 1));

      assertResult(r, Result.SUCCESS);
      assertThat(r.extension()).isEqualTo(Extension.NONE);
      assertThat(trace(r)).containsSubsequence("- session open",
          "- no extension: the answer declined permessage-deflate, the session runs uncompressed");
    }

    @Test
    void requiredFromAServerWithoutCompressionIsRejected() {
      ProbeResult r = probe(plain.port(), module().compression(Module.Compression.REQUIRE).echo("x", 1));

      assertResult(r, Result.EXTENSION_REJECTED);
      assertThat(r.detail()).isEqualTo("the answer has no Sec-WebSocket-Extensions");
      assertThat(r.extension()).isEqualTo(Extension.NONE);
      assertThat(r.answer()).startsWith("HTTP/1.1 101 Switching Protocols");
      assertThat(r.diagnosis()).contains("requires permessage-deflate", "perMessageDeflate");
    }

    @Test
    void offNeitherOffersNorNotes() {
      ProbeResult r = probe(compressing.port(), module().echo("x", 1));

      assertResult(r, Result.SUCCESS);
      assertThat(r.extension()).isEqualTo(Extension.NONE);
      assertThat(trace(r).toLowerCase(java.util.Locale.ROOT)).doesNotContain("sec-websocket-extensions", "extension");
    }

    @Test
    void theCommandLineRequiresIt() {
      ProbeCli.Run run = ProbeCli.run("probe", "ws://127.0.0.1:" + compressing.port() + "/echo",
          "--compression", "require", "--send", "x", "--expect", "x", "--timeout", "4s");

      assertThat(run.exit()).as(run.out()).isZero();
      assertThat(run.out()).contains("extension permessage-deflate", "success");
    }
  }

  @Nested
  class ThroughAProxyThatStripsTheHeader {

    @Test
    void requireIsRejected() {
      ProbeResult r = probe(stripping.port(), module().compression(Module.Compression.REQUIRE).echo("x", 1));

      assertResult(r, Result.EXTENSION_REJECTED);
      assertThat(r.detail()).isEqualTo("the answer has no Sec-WebSocket-Extensions");
    }

    @Test
    void offerRunsUncompressed() {
      ProbeResult r = probe(stripping.port(), module().compression(Module.Compression.OFFER).echo("x", 1));

      assertResult(r, Result.SUCCESS);
      assertThat(r.extension()).isEqualTo(Extension.NONE);
    }
  }

  @Nested
  class WhatTheAnswerSays {

    /** A raw server answering the upgrade with {@code extensions}, then echoing nothing. */
    int answering(String extensions) {
      return faults.raw(request -> request.write(FaultServers.switching(request.accept(),
          "Sec-WebSocket-Extensions: " + extensions))).port();
    }

    @Test
    void requireNamesAnotherExtension() {
      ProbeResult r = probe(answering("x-webkit-deflate-frame"), module().compression(Module.Compression.REQUIRE).echo("x", 1));

      assertResult(r, Result.EXTENSION_REJECTED);
      assertThat(r.detail()).isEqualTo("answered 'x-webkit-deflate-frame'");
    }

    @Test
    void requireNamesParametersTheProbeCannotHonour() {
      ProbeResult r = probe(answering("permessage-deflate; client_max_window_bits=10"),
          module().compression(Module.Compression.REQUIRE).echo("x", 1));

      assertResult(r, Result.EXTENSION_REJECTED);
      assertThat(r.detail()).isEqualTo("answered 'permessage-deflate; client_max_window_bits=10': parameters"
          + " the probe did not offer or cannot honour");
    }

    @Test
    void offerFailsAnExtensionItDidNotOffer() {
      ProbeResult r = probe(answering("x-webkit-deflate-frame"), module().compression(Module.Compression.OFFER).echo("x", 1));

      assertResult(r, Result.BAD_ACCEPT);
      assertThat(r.detail()).isEqualTo("answered 'x-webkit-deflate-frame', not the permessage-deflate the probe"
          + " offered (RFC 6455 4.1)");
    }

    @Test
    void offFailsAnyExtension() {
      ProbeResult r = probe(answering("permessage-deflate"), module().echo("x", 1));

      assertResult(r, Result.BAD_ACCEPT);
      assertThat(r.detail()).isEqualTo("the answer has 'Sec-WebSocket-Extensions: permessage-deflate' although"
          + " the probe offered none (compression off): a client fails such a connection (RFC 6455 4.1)");
    }

    @Test
    void agreedParametersAreShownSorted() {
      int port = faults.raw(request -> {
        request.write(FaultServers.switching(request.accept(),
            "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_max_window_bits=12"));
        request.onData(frame -> request.write(new byte[] {(byte) 0x81, 1, 'x'})); // an uncompressed answer is fine
      }).port();

      ProbeResult r = probe(port, module().compression(Module.Compression.OFFER).echo("x", 1));

      assertResult(r, Result.SUCCESS);
      assertThat(r.extension()).isEqualTo(new Extension("permessage-deflate",
          "server_max_window_bits=12; server_no_context_takeover"));
      assertThat(trace(r)).contains("- extension permessage-deflate; server_max_window_bits=12; server_no_context_takeover");
    }
  }

  @Nested
  class Frames {

    /**
     * A server that compresses although nothing was agreed (compression off, or offered and
     * declined): Netty's decoder refuses RSV1, the probe names it and closes with 1002.
     */
    @ParameterizedTest
    @EnumSource(value = Module.Compression.class, names = {"OFF", "OFFER"})
    void aCompressedFrameNobodyAgreedToIsAProtocolError(Module.Compression mode) {
      CompletableFuture<byte[]> closeFrame = new CompletableFuture<>();
      int port = faults.raw(request -> {
        request.write(FaultServers.switching(request.accept()));
        request.onData(data -> {
          if ((data.getByte(0) & 0x0f) == 0x8) {
            closeFrame.complete(data.getBytes());
            return;
          }
          request.write(frame(0xC1, deflate("x".getBytes()))); // FIN, RSV1, text
        });
      }).port();

      ProbeResult r = probe(port, module().compression(mode).echo("x", 1));

      assertResult(r, Result.PROTOCOL_ERROR);
      assertThat(r.detail()).isEqualTo("the peer broke RFC 6455 while waiting for message 1: a frame with RSV1"
          + " set (compressed) although no extension was negotiated: a proxy relays compressed frames the"
          + " client never agreed to");
      byte[] close = closeFrame.orTimeout(3, TimeUnit.SECONDS).join();
      int code = ((close[6] ^ close[2]) & 0xff) << 8 | ((close[7] ^ close[3]) & 0xff);
      assertThat(code).as("close code the probe sent").isEqualTo(1002);
    }

    /** 64 MiB of zeros in 64 KiB on the wire: inflating stops at max_message_size. */
    @Test
    void aDecompressionBombIsMessageTooLarge() {
      byte[] bomb = deflate(new byte[64 << 20]);
      assertThat(bomb.length).isLessThan(1 << 17);
      int port = faults.raw(request -> {
        request.write(FaultServers.switching(request.accept(), "Sec-WebSocket-Extensions: permessage-deflate"));
        request.onData(data -> {
          if ((data.getByte(0) & 0x0f) == 0x8) {
            return;
          }
          request.write(frame(0xC2, bomb)); // FIN, RSV1, binary
        });
      }).port();

      ProbeResult r = probe(port, module().compression(Module.Compression.REQUIRE).maxMessageBytes(1 << 20).echo("x", 1));

      assertResult(r, Result.MESSAGE_TOO_LARGE);
      assertThat(r.detail()).isEqualTo("a compressed message inflates to more than 1048576 bytes"
          + " (max_message_size 1048576 bytes)");
    }

    @Test
    void aCompressedMessageThatDoesNotInflateIsAProtocolError() {
      int port = faults.raw(request -> {
        request.write(FaultServers.switching(request.accept(), "Sec-WebSocket-Extensions: permessage-deflate"));
        request.onData(data -> {
          if ((data.getByte(0) & 0x0f) != 0x8) {
            request.write(new byte[] {(byte) 0xC1, 4, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
          }
        });
      }).port();

      ProbeResult r = probe(port, module().compression(Module.Compression.OFFER).echo("x", 1));

      assertResult(r, Result.PROTOCOL_ERROR);
      assertThat(r.detail()).startsWith("the peer broke RFC 7692 while waiting for message 1: a compressed"
          + " message that does not inflate (");
    }
  }

  /** A server's (unmasked) frame, its length in the shortest form RFC 6455 5.2 allows. */
  static byte[] frame(int first, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    if (payload.length < 126) {
      out.write(payload.length);
    } else if (payload.length < 1 << 16) {
      out.write(126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xff);
    } else {
      out.write(127);
      for (int i = 0; i < 8; i++) {
        out.write((int) ((long) payload.length >>> (56 - 8 * i)) & 0xff);
      }
    }
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** Raw deflate with a sync flush, its empty-block tail taken off (RFC 7692 7.2.1). */
  static byte[] deflate(byte[] data) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    for (int n; (n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0; ) {
      out.write(buf, 0, n);
    }
    d.end();
    byte[] all = out.toByteArray();
    return Arrays.copyOf(all, all.length - 4);
  }
}
