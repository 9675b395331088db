package io.wsprobe.web;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;
import java.util.Locale;

/**
 * Vert.x's request decoder with RFC 9112's framing rules enforced: a request whose body length
 * is not certain is refused, so a body can never hide a second request.
 *
 * <p>Netty follows RFC 7230's leniency: with both {@code Transfer-Encoding: chunked} and
 * {@code Content-Length} it drops the length and reads chunks, and a coding it does not know
 * ({@code xchunked}) leaves a request without a body, its bytes read as the next request.
 * Neither Netty's {@code HttpDecoderConfig} nor Vert.x's options can refuse these. Duplicate
 * and malformed {@code Content-Length} values Netty refuses already.
 *
 * <p>The check runs in {@link #isContentAlwaysEmpty}, which Netty calls once per message with
 * every header read and before it picks a framing; what it throws Netty turns into a failed
 * message and discards the rest of the connection's input, and Vert.x answers a failed request
 * with 400 and closes the connection.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage msg) {
    String refusal = framingError(msg);
    if (refusal != null) {
      throw new IllegalArgumentException(refusal);
    }
    return super.isContentAlwaysEmpty(msg);
  }

  /** Why the body's length is uncertain (RFC 9112 §6.1, §6.3), or null when it is not. */
  static String framingError(HttpMessage msg) {
    List<String> codings = msg.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (codings.isEmpty()) {
      return null;
    }
    if (msg.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      return "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)";
    }
    if (msg.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      return "Content-Length and Transfer-Encoding together (RFC 9112 §6.1)";
    }
    String[] all = String.join(",", codings).toLowerCase(Locale.ROOT).split(",", -1);
    for (int i = 0; i < all.length; i++) {
      // chunked exactly once, last: any other order is read differently by different parsers
      if (all[i].trim().equals("chunked") != (i == all.length - 1)) {
        return "Transfer-Encoding whose final coding is not chunked, or chunked twice (RFC 9112 §6.3)";
      }
    }
    return null;
  }
}
