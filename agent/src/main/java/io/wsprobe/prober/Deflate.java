package io.wsprobe.prober;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import io.wsprobe.config.Module;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * permessage-deflate (RFC 7692), the module's {@code compression}, for whichever transport
 * carries the upgrade (the HTTP/1.1 upgrade and HTTP/2's extended CONNECT send the same header
 * and read the same answer): the {@code Sec-WebSocket-Extensions} value the request offers
 * ({@link #OFFER}), the judgement of the answer's value ({@link #judge}), and the codec that
 * follows an agreement ({@link #frameDecoder}, {@link #install}). The negotiation itself is
 * Netty's {@link PerMessageDeflateClientExtensionHandshaker}, bounded by max_message_size: its
 * inflater stops at that many bytes per frame (a decompression bomb is message_too_large, see
 * {@link #inflatedTooFar}), never the unbounded default.
 *
 * <p>With compression off nothing here allocates: an answer without the header is
 * {@link Agreement#NONE}.
 */
final class Deflate {

  static final String NAME = "permessage-deflate";

  /** RFC 7692's parameters, the only ones Netty agrees to. */
  private static final List<String> PARAMETERS = List.of("client_max_window_bits",
      "client_no_context_takeover", "server_max_window_bits", "server_no_context_takeover");

  /**
   * What the request offers: Netty's own request data, written as the header writes it. With
   * the JDK's zlib (no jzlib) Netty asks for no window size it could not honour, so this is
   * plain {@code permessage-deflate}.
   */
  static final String OFFER = written(new PerMessageDeflateClientExtensionHandshaker(1).newRequestData());

  /** Netty's words for a frame with RSV bits while the decoder allows none. */
  private static final String NETTY_RSV = "RSV != 0 and no extension negotiated, RSV:";
  /** Netty's zlib decoder's words when a frame inflates past its maxAllocation. */
  private static final String NETTY_MAX_SIZE = "Decompression buffer has reached maximum size";

  private Deflate() {}

  /**
   * What the answer's {@code Sec-WebSocket-Extensions} means for the session.
   *
   * @param extension what was agreed, {@link Extension#NONE} when nothing was
   * @param codec     Netty's extension to install, or null when nothing was agreed
   * @param failure   the result that ends the probe, or null when the session goes on
   * @param detail    the failure's words, or what the trace notes ("" for nothing)
   */
  record Agreement(Extension extension, WebSocketClientExtension codec, Result failure, String detail) {
    /** Nothing offered and nothing answered: today's session, with nothing to say. */
    static final Agreement NONE = new Agreement(Extension.NONE, null, null, "");

    boolean compressed() {
      return codec != null;
    }
  }

  /** Whether the upgrade request carries {@link #OFFER}. */
  static boolean offered(Module module) {
    return module.wire().compression() != Module.Compression.OFF;
  }

  /**
   * The answer's {@code Sec-WebSocket-Extensions} ({@code answered}, null when absent), judged:
   * off fails any extension (RFC 6455 4.1: a client fails a connection whose answer uses an
   * extension it did not offer, as browsers do); offer goes on uncompressed without one, and
   * fails one it cannot accept the same way; require fails anything but an agreed
   * permessage-deflate with extension_rejected, naming what the answer said.
   */
  static Agreement judge(Module.Compression mode, String answered, int maxMessageBytes) {
    boolean none = answered == null || answered.isBlank();
    if (mode == Module.Compression.OFF) {
      return none ? Agreement.NONE : new Agreement(Extension.NONE, null, Result.BAD_ACCEPT,
          "the answer has 'Sec-WebSocket-Extensions: " + answered + "' although the probe offered none"
              + " (compression off): a client fails such a connection (RFC 6455 4.1)");
    }
    if (none) {
      return mode == Module.Compression.REQUIRE
          ? new Agreement(Extension.NONE, null, Result.EXTENSION_REJECTED, "the answer has no Sec-WebSocket-Extensions")
          : new Agreement(Extension.NONE, null, null, "no extension: the answer declined " + NAME
              + ", the session runs uncompressed");
    }
    Result refused = mode == Module.Compression.REQUIRE ? Result.EXTENSION_REJECTED : Result.BAD_ACCEPT;
    List<WebSocketExtensionData> extensions;
    try {
      extensions = WebSocketExtensionUtil.extractExtensions(answered);
    } catch (RuntimeException e) {
      return new Agreement(Extension.NONE, null, refused, "answered '" + answered + "', which is not an extension list");
    }
    if (extensions.size() != 1 || !extensions.get(0).name().equals(NAME)) {
      return new Agreement(Extension.NONE, null, refused, "answered '" + answered + "'"
          + (refused == Result.BAD_ACCEPT ? ", not the " + NAME + " the probe offered (RFC 6455 4.1)" : ""));
    }
    WebSocketExtensionData data = extensions.get(0);
    WebSocketClientExtension codec;
    try {
      codec = new PerMessageDeflateClientExtensionHandshaker(maxMessageBytes).handshakeExtension(data);
    } catch (RuntimeException e) {
      codec = null; // Netty parses server_max_window_bits without a guard
    }
    if (codec == null) {
      return new Agreement(Extension.NONE, null, refused, "answered '" + answered + "': parameters the"
          + " probe did not offer or cannot honour");
    }
    Extension agreed = new Extension(NAME, params(data.parameters()));
    return new Agreement(agreed, codec, null, "extension " + agreed.shown());
  }

  /**
   * The frame decoder for the WebSocket codec, as Netty's handshaker makes it (and at the same
   * cost), with two differences: RSV bits are allowed only once an extension was agreed (without
   * one, a compressed frame is a protocol error), and a violation is reported, not answered: the
   * decoder's own close frame would go out from ahead of the frame encoder, as an object the
   * transport cannot write, so the session closes instead, with the violation's code (1002).
   */
  static WebSocketFrameDecoder frameDecoder(int maxFramePayload, boolean extensionAgreed) {
    return new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(false)
        .allowExtensions(extensionAgreed)
        .maxFramePayloadLength(maxFramePayload)
        .allowMaskMismatch(false)
        .closeOnProtocolViolation(false)
        .build());
  }

  /**
   * Puts the agreed extension's inflater after the frame decoder (before the UTF-8 check and
   * the aggregator, which see plain frames) and its deflater between the phase handler and the
   * frame encoder.
   */
  static void install(ChannelPipeline p, String decoderName, String encoderName, Agreement agreed) {
    p.addAfter(decoderName, "ws-inflate", agreed.codec().newExtensionDecoder());
    p.addAfter(encoderName, "ws-deflate", agreed.codec().newExtensionEncoder());
  }

  /** Whether {@code e} is a frame that inflates beyond max_message_size (a decompression bomb). */
  static boolean inflatedTooFar(Throwable e) {
    DecompressionException d = decompression(e);
    return d != null && d.getMessage() != null && d.getMessage().startsWith(NETTY_MAX_SIZE);
  }

  /** Whether {@code e} is a compressed frame that does not inflate (corrupt deflate data). */
  static boolean corrupt(Throwable e) {
    return decompression(e) != null && !inflatedTooFar(e);
  }

  private static DecompressionException decompression(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof DecompressionException d) {
        return d;
      }
    }
    return null;
  }

  /**
   * Netty's words for a frame with RSV bits nobody agreed to, in ours; null for other words.
   * RSV1 is permessage-deflate's bit: a compressed frame.
   */
  static String unagreedRsv(String nettyMessage) {
    if (nettyMessage == null || !nettyMessage.startsWith(NETTY_RSV)) {
      return null;
    }
    int rsv;
    try {
      rsv = Integer.parseInt(nettyMessage.substring(NETTY_RSV.length()).trim());
    } catch (NumberFormatException e) {
      return null;
    }
    StringBuilder bits = new StringBuilder();
    for (int bit = 0; bit < 3; bit++) {
      if ((rsv & (4 >> bit)) != 0) {
        bits.append(bits.length() == 0 ? "" : "+").append("RSV").append(bit + 1);
      }
    }
    boolean compressed = (rsv & 4) != 0;
    return "a frame with " + bits + " set" + (compressed ? " (compressed)" : "")
        + " although no extension was negotiated"
        + (compressed ? ": a proxy relays compressed frames the client never agreed to" : "");
  }

  /**
   * Parameters sorted by name, written as the header writes them. An agreement's are Netty's
   * checked ones, written in their own spelling (Netty compares names ignoring case, and reads
   * numbers in any script's digits): a label value is plain ASCII and one of a few.
   */
  private static String params(Map<String, String> parameters) {
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> p : parameters.entrySet()) {
      String name = p.getKey();
      String value = p.getValue();
      for (String known : PARAMETERS) {
        if (known.equalsIgnoreCase(name)) {
          name = known;
          // Netty ignores a no_context_takeover's value
          value = value == null || !known.endsWith("_bits") ? null : Integer.toString(Integer.parseInt(value));
        }
      }
      sorted.put(name, value);
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> p : sorted.entrySet()) {
      out.append(out.length() == 0 ? "" : "; ").append(p.getKey());
      if (p.getValue() != null) {
        out.append('=').append(p.getValue());
      }
    }
    return out.toString();
  }

  private static String written(WebSocketExtensionData data) {
    String params = params(data.parameters());
    return params.isEmpty() ? data.name() : data.name() + "; " + params;
  }
}
