package io.wsprobe.prober;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.NetUtil;
import io.wsprobe.config.Module;
import io.wsprobe.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The forward proxy's tunnel: {@code CONNECT host:port} (with {@code Proxy-Authorization: Basic}
 * when the module has credentials) through Netty's HTTP client codec, which knows that a 2xx
 * answer to CONNECT has no body. On a 2xx {@link Pipelines#tunnel} takes the codec out and the
 * session goes on to TLS and the upgrade through the tunnel; any other answer is
 * {@link Result#PROXY_ERROR}, named by its status.
 */
final class ProxyConnectHandler extends PhaseHandler {

  private final Module.Proxy proxy;
  private final String authority;

  ProxyConnectHandler(Session session) {
    super(session);
    this.proxy = session.module.proxy();
    String host = Connect.host(session);
    this.authority = (NetUtil.isValidIpV6Address(host) ? "[" + host + "]" : host) + ":" + session.target.port();
  }

  @Override
  void begin() {
    Session s = session;
    s.step = ProbeStep.PROXY_CONNECT;
    s.stepStart = System.nanoTime();
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, authority);
    request.headers().set(HttpHeaderNames.HOST, authority);
    if (proxy.user() != null) {
      String pair = proxy.user() + ":" + proxy.password().value();
      request.headers().set(HttpHeaderNames.PROXY_AUTHORIZATION,
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    if (s.traced) {
      StringBuilder text = new StringBuilder("CONNECT " + authority + " HTTP/1.1");
      for (Map.Entry<String, String> h : request.headers()) {
        text.append('\n').append(h.getKey()).append(": ")
            .append(Secret.sensitiveHeader(h.getKey()) ? Secret.REDACTED : h.getValue());
      }
      String sent = text.toString();
      s.trace.sent(sent);
    }
    s.channel.writeAndFlush(request).addListener(f -> s.onLoop(() -> {
      if (!f.isSuccess() && s.step == ProbeStep.PROXY_CONNECT) {
        s.apply(FailureClassifier.classify(s.step, FailureClassifier.Event.ERROR, f.cause(), this), f.cause());
      }
    }));
  }

  @Override
  void read(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!(msg instanceof HttpResponse answer) || session.step != ProbeStep.PROXY_CONNECT) {
      return;
    }
    Session s = session;
    long took = System.nanoTime() - s.stepStart;
    if (answer.decoderResult().isFailure()) {
      String why = ProbeText.rootMessage(answer.decoderResult().cause());
      s.step("proxy_connect", took, "the answer is not HTTP: " + why);
      s.end(Result.PROXY_ERROR, "the proxy " + proxy.address() + " answered CONNECT " + authority
          + " with something that is not HTTP: " + why);
      return;
    }
    int status = answer.status().code();
    s.proxyStatus = status;
    if (s.traced) {
      StringBuilder text = new StringBuilder(answer.protocolVersion() + " " + answer.status());
      for (Map.Entry<String, String> h : answer.headers()) {
        text.append('\n').append(h.getKey()).append(": ")
            .append(Secret.sensitiveHeader(h.getKey()) ? Secret.REDACTED : h.getValue());
      }
      String received = text.toString();
      s.trace.received(received);
    }
    String said = (status + " " + answer.status().reasonPhrase()).trim();
    if (status / 100 == 2) {
      s.phases.put(Phase.PROXY_CONNECT, took);
      s.step("proxy_connect", took, "tunnel to " + authority + " through " + proxy.address() + ": " + said);
      io.netty.channel.Channel socket = s.channel;
      ByteBuf early = Pipelines.tunnel(s);
      s.tunnelled();
      Pipelines.replay(socket, s, early);
      return;
    }
    String server = answer.headers().get(HttpHeaderNames.SERVER);
    String detail = "the proxy " + proxy.address() + " answered CONNECT " + authority + " with " + said
        + (status == 407 ? (proxy.user() == null
            ? ": credentials are missing (set proxy_user and proxy_password)"
            : ": credentials are wrong (proxy_user " + proxy.user() + " was refused)") : "")
        + (server == null ? "" : " (Server: " + server + ")");
    s.step("proxy_connect", took, "refused: " + said);
    s.end(Result.PROXY_ERROR, detail);
  }

  @Override
  public String proxy() {
    return proxy.address();
  }
}
