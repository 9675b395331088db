package io.wsprobe.prober;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.wsprobe.config.Module;
import io.wsprobe.config.Redactor;
import io.wsprobe.config.Secret;
import io.wsprobe.config.Target;
import io.wsprobe.protocol.Dialect;
import io.wsprobe.protocol.Markers;
import java.time.Duration;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;

/**
 * One probe, from DNS to close. A state machine confined to one Netty event loop: every method
 * after {@link #start()} runs on {@link #loop}, so no field needs synchronisation. It ends exactly
 * once ({@link #finish}), by its deadline at the latest, and always closes its channel.
 */
final class ProbeRun implements FailureClassifier.Facts {

  /** How much of a non-101 answer's body, or of a non-HTTP answer, the trace keeps. */
  static final int KEPT_BODY_BYTES = 512;
  private static final long BODY_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Results whose cause is in the upgrade answer: the answer goes into the log too. */
  private static final java.util.Set<Result> ANSWER_RESULTS = java.util.EnumSet.of(
      Result.UPGRADE_IGNORED, Result.UPGRADE_REJECTED, Result.BAD_ACCEPT, Result.SUBPROTOCOL_MISMATCH);
  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";


  private final Target target;
  private final Module module;
  private final ContextInternal context;
  private final EventLoop loop;
  private final ChannelFactory<? extends Channel> channels;
  private final TlsContexts tlsContexts;
  private final FdBudget fds;
  /** This session holds one of {@link #fds} (taken before DNS, given back when its socket closes). */
  private boolean fdHeld;
  /** The close frame {@link #finish} sends on an open session: 1000, or the peer's violation. */
  private WebSocketCloseStatus closeStatus = WebSocketCloseStatus.NORMAL_CLOSURE;
  private String closeStatusReason = "wsprobe done";
  private final PromiseInternal<ProbeResult> promise;
  private final java.util.function.Supplier<Dialect> dialects;
  private final Dialect dialect;
  private final Dialect.Wire wire = new Dialect.Wire() {
    @Override
    public void text(String text) {
      channel.writeAndFlush(new TextWebSocketFrame(text));
    }

    @Override
    public void binary(byte[] bytes) {
      channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }
  };

  // broadcast: the sender (parent == null) owns the receivers, all on the same event loop
  private final ProbeRun parent;
  private final int receiverNo;
  private final String name;
  private final List<ProbeRun> receivers = new ArrayList<>();
  private int receiversReady;
  private String markerId;
  private long markerSentNanos;
  /** Sender: every session is ready, waiting out broadcast.settle before the marker. */
  private boolean settling;
  private final List<Long> broadcastDelays = new ArrayList<>();
  private boolean[] markerSeen;
  private boolean released;

  private final long startNanos = System.nanoTime();
  private final long deadlineNanos;
  private final Trace trace;
  /** Hides what the probe sent as a secret in everything it shows; shared with the receivers. */
  private final Redactor redactor;
  private final Map<io.wsprobe.prober.Phase, Long> phases = ProbeResult.emptyPhases();
  private final List<Long> rtts = new ArrayList<>();

  private ProbeStep state = ProbeStep.RESOLVING;
  private long stepStart;
  private Channel channel;
  private SSLEngine sslEngine;
  private Instant certNotAfter;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private ScheduledFuture<?> stepTimer;
  private boolean wsOpen;

  // upgrade
  private String sentKey;
  private Handshaker handshaker;
  private int status;
  private String statusLine;
  /** The upgrade answer as text (for the trace, and for the result when it explains a failure). */
  private java.util.function.Supplier<String> answerText = () -> "";
  private HttpHeaders answerHeaders;
  private final ByteBuf rawAnswer = Unpooled.buffer(0, KEPT_BODY_BYTES);
  private final ByteBuf body = Unpooled.buffer(0, KEPT_BODY_BYTES);

  // messages and hold
  private final List<Module.Message> exchanges = new ArrayList<>();
  private int exchange;
  private int framesSinceSend;
  private String lastFrameText;
  private long holdSurvived = -1;
  private int closeCode = -1;
  private String closeReason = "";

  ProbeRun(Target target, Module module, ContextInternal context, EventLoop loop,
           ChannelFactory<? extends Channel> channels, TlsContexts tlsContexts, FdBudget fds,
           java.util.function.Supplier<Dialect> dialects, PromiseInternal<ProbeResult> promise) {
    this(target, module, context, loop, channels, tlsContexts, fds, dialects, promise, null, 0);
  }

  private ProbeRun(Target target, Module module, ContextInternal context, EventLoop loop,
                   ChannelFactory<? extends Channel> channels, TlsContexts tlsContexts, FdBudget fds,
                   java.util.function.Supplier<Dialect> dialects, PromiseInternal<ProbeResult> promise,
                   ProbeRun parent, int receiverNo) {
    this.target = target;
    this.module = module;
    this.context = context;
    this.loop = loop;
    this.channels = channels;
    this.tlsContexts = tlsContexts;
    this.fds = fds;
    this.dialects = dialects;
    this.dialect = dialects.get();
    this.promise = promise;
    this.parent = parent;
    this.receiverNo = receiverNo;
    this.name = parent == null ? "" : "receiver " + receiverNo + ": ";
    this.redactor = parent == null ? Redactor.of(target.url(), module) : parent.redactor;
    this.trace = parent == null ? new Trace(startNanos, redactor) : parent.trace;
    this.deadlineNanos = parent == null ? startNanos + target.timeout().toNanos() : parent.deadlineNanos;
    for (Module.Message m : module.messages()) {
      for (int i = 0; i < m.count(); i++) {
        exchanges.add(m);
      }
    }
  }

  /** A step done before this run (a login), shown first in the trace. */
  void preface(String what, long nanos, String text) {
    trace.step(what, nanos, text);
  }

  void start() {
    loop.execute(() -> guarded(() -> {
      timers.add(loop.schedule(() -> guarded(this::onDeadline), deadlineNanos - System.nanoTime(),
          TimeUnit.NANOSECONDS));
      Module.Broadcast broadcast = module.app().broadcast();
      if (broadcast != null) {
        markerSeen = new boolean[broadcast.receivers()];
        for (int i = 1; i <= broadcast.receivers(); i++) {
          ProbeRun r = new ProbeRun(target, module, context, loop, channels, tlsContexts, fds, dialects,
              null, this, i);
          receivers.add(r);
          r.guarded(r::resolve);
        }
      }
      resolve();
    }));
  }

  // ---------------------------------------------------------------- dns

  private void resolve() {
    stepStart = System.nanoTime();
    if (!fds.tryAcquire()) {
      fds.exhausted();
      String why = "no file descriptor free for the probe's socket: " + fds.probeSockets()
          + " probe sockets and " + fds.others() + " other descriptors are open, the limit is "
          + fds.limit() + " (ulimit -n) and " + FdBudget.RESERVE + " stay free for the web port";
      step("start", 0, "not started: " + why);
      finish(Result.RESOURCE_EXHAUSTED, why);
      return;
    }
    fdHeld = true;
    String host = host();
    if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
      step("dns", 0, host + " is an address: nothing to resolve");
      connect(new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), target.port()));
      return;
    }
    context.<InetAddress[]>executeBlocking(() -> InetAddress.getAllByName(host), false)
        .onComplete(ar -> loop.execute(() -> guarded(() -> {
          if (state != ProbeStep.RESOLVING) {
            return;
          }
          long took = System.nanoTime() - stepStart;
          if (ar.failed()) {
            Throwable e = ar.cause();
            if (exhausted(e, "dns", took)) {
              return;
            }
            String why = e instanceof UnknownHostException ? "no address for " + host : String.valueOf(e);
            step("dns", took, "failed: " + why);
            finish(Result.DNS_ERROR, why);
            return;
          }
          phases.put(io.wsprobe.prober.Phase.DNS, took);
          InetAddress chosen = choose(ar.result());
          if (chosen == null) {
            step("dns", took, host + " has no " + module.ipProtocol().name().toLowerCase(Locale.ROOT)
                + " address and ip_protocol_fallback is off");
            finish(Result.DNS_ERROR, "no " + module.ipProtocol().name().toLowerCase(Locale.ROOT)
                + " address for " + host);
            return;
          }
          step("dns", took, host + " -> " + chosen.getHostAddress()
              + (ar.result().length > 1 ? " (" + ar.result().length + " addresses)" : ""));
          connect(new InetSocketAddress(chosen, target.port()));
        })));
  }

  private String host() {
    String host = target.url().getHost();
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  private InetAddress choose(InetAddress[] all) {
    boolean wantV6 = module.ipProtocol() == Module.IpProtocol.IP6;
    for (InetAddress a : all) {
      if ((a instanceof Inet6Address) == wantV6) {
        return a;
      }
    }
    return module.ipProtocolFallback() && all.length > 0 ? all[0] : null;
  }

  // ---------------------------------------------------------------- connect

  private void connect(InetSocketAddress address) {
    state = ProbeStep.CONNECTING;
    stepStart = System.nanoTime();
    Bootstrap bootstrap = new Bootstrap()
        .group(loop)
        .channelFactory(channels)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, remainingMillis()))
        .handler(new io.netty.channel.ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("probe", new Handler());
          }
        });
    ChannelFuture connected = bootstrap.connect(address);
    if (connected.channel().isRegistered()) {
      channel = connected.channel();
      channel.closeFuture().addListener(closed -> releaseFd());
    } else {
      // the socket could not even be created (EMFILE): Netty hands back a stand-in channel that
      // belongs to no event loop, and completes the future on its global executor
      releaseFd();
    }
    connected.addListener(f -> onLoop(() -> {
      if (state != ProbeStep.CONNECTING) {
        return;
      }
      long took = System.nanoTime() - stepStart;
      if (!f.isSuccess()) {
        Throwable e = f.cause();
        if (exhausted(e, "connect", took)) {
          return;
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        step("connect", took, "failed: " + why);
        boolean timeout = e instanceof io.netty.channel.ConnectTimeoutException
            || why.toLowerCase(Locale.ROOT).contains("timed out");
        finish(timeout ? Result.CONNECT_TIMEOUT : Result.CONNECT_REFUSED,
            "connect to " + NetUtil.toSocketAddressString(address) + ": " + why);
        return;
      }
      phases.put(io.wsprobe.prober.Phase.CONNECT, took);
      step("connect", took, "TCP connected to " + NetUtil.toSocketAddressString(address));
      if (target.tls()) {
        startTls();
      } else {
        upgrade();
      }
    }));
  }

  // ---------------------------------------------------------------- tls

  private void startTls() throws Exception {
    state = ProbeStep.TLS;
    stepStart = System.nanoTime();
    Module.Tls tls = module.tls();
    String serverName = tls.serverName() != null ? tls.serverName() : host();
    SslHandler ssl = tlsContexts.get(tls).newHandler(channel.alloc(), serverName, target.port());
    ssl.setHandshakeTimeoutMillis(0); // the probe's deadline bounds it
    sslEngine = ssl.engine();
    channel.pipeline().addFirst("ssl", ssl);
    ssl.handshakeFuture().addListener(f -> guarded(() -> {
      if (state != ProbeStep.TLS) {
        return;
      }
      long took = System.nanoTime() - stepStart;
      X509Certificate[] chain = tlsContexts.takePresentedChain(sslEngine);
      if (chain == null && f.isSuccess()) {
        chain = peerChain();
      }
      recordExpiry(chain);
      if (!f.isSuccess()) {
        Throwable e = f.cause();
        boolean expired = isExpiry(e) || chainExpired(chain);
        String why = ProbeText.rootMessage(e);
        step("tls", took, "handshake failed: " + why);
        finish(expired ? Result.TLS_CERT_EXPIRED : Result.TLS_ERROR, "TLS handshake: " + why);
        return;
      }
      phases.put(io.wsprobe.prober.Phase.TLS, took);
      step("tls", took, ssl.engine().getSession().getProtocol() + " "
          + ssl.engine().getSession().getCipherSuite()
          + (certNotAfter == null ? "" : ", certificate valid until " + certNotAfter)
          + (tls.insecureSkipVerify() ? " (not verified: insecure_skip_verify)" : ""));
      upgrade();
    }));
  }

  private X509Certificate[] peerChain() {
    try {
      var certs = sslEngine.getSession().getPeerCertificates();
      List<X509Certificate> out = new ArrayList<>();
      for (var c : certs) {
        if (c instanceof X509Certificate x) {
          out.add(x);
        }
      }
      return out.toArray(new X509Certificate[0]);
    } catch (Exception e) {
      return null;
    }
  }

  private void recordExpiry(X509Certificate[] chain) {
    if (chain == null) {
      return;
    }
    for (X509Certificate c : chain) {
      Instant notAfter = c.getNotAfter().toInstant();
      if (certNotAfter == null || notAfter.isBefore(certNotAfter)) {
        certNotAfter = notAfter;
      }
    }
  }

  private static boolean chainExpired(X509Certificate[] chain) {
    if (chain == null) {
      return false;
    }
    long now = System.currentTimeMillis();
    for (X509Certificate c : chain) {
      if (c.getNotAfter().getTime() < now) {
        return true;
      }
    }
    return false;
  }

  private static boolean isExpiry(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException) {
        return true;
      }
      if (t instanceof CertPathValidatorException v
          && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- upgrade

  private void upgrade() {
    state = ProbeStep.UPGRADING;
    channel.pipeline().addBefore("probe", "raw-answer", new RawAnswerCapture());
    channel.pipeline().addBefore("probe", "http", new HttpClientCodec(4096, 16 * 1024, 8192));
    HttpHeaders headers = new DefaultHttpHeaders();
    if (module.origin() != null) {
      headers.set(HttpHeaderNames.ORIGIN, module.origin());
    }
    for (Map.Entry<String, Secret> h : module.headers().entrySet()) {
      headers.add(h.getKey(), h.getValue().value());
    }
    String subprotocols = module.subprotocols().isEmpty() ? null : String.join(", ", module.subprotocols());
    handshaker = new Handshaker(target, subprotocols, headers, (int) module.maxMessageBytes());
    stepStart = System.nanoTime();
    handshaker.handshake(channel).addListener(f -> guarded(() -> {
      if (!f.isSuccess() && state == ProbeStep.UPGRADING) {
        finish(Result.CLOSED_DURING_UPGRADE, "could not send the upgrade request: " + ProbeText.rootMessage(f.cause()));
      }
    }));
  }

  /** Netty's RFC 6455 handshaker; we keep the request it sends for the trace and the Accept check. */
  private final class Handshaker extends WebSocketClientHandshaker13 {
    Handshaker(Target target, String subprotocols, HttpHeaders headers, int maxFrame) {
      super(target.url(), WebSocketVersion.V13, subprotocols, false, headers, maxFrame, true, false, -1);
    }

    @Override
    protected FullHttpRequest newHandshakeRequest() {
      FullHttpRequest request = super.newHandshakeRequest();
      sentKey = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
      if (parent == null) {
        HttpHeaders sent = request.headers();
        String line = request.method() + " " + request.uri() + " " + request.protocolVersion();
        trace.sent(() -> {
          String[] parts = line.split(" ", 3);
          StringBuilder text = new StringBuilder()
              .append(parts[0]).append(' ').append(redactedRequestTarget(parts[1])).append(' ').append(parts[2]);
          for (Map.Entry<String, String> h : sent) {
            text.append('\n').append(h.getKey()).append(": ").append(shownRequestHeader(h.getKey(), h.getValue()));
          }
          return text.toString();
        });
      }
      return request;
    }
  }

  private void step(String what, long nanos, String text) {
    trace.step(parent == null ? what : "r" + receiverNo + "." + what, nanos, text);
  }

  private String redactedRequestTarget(String uri) {
    String redacted = module.shownUrl(java.net.URI.create("ws://h" + uri));
    return redacted.substring("ws://h".length());
  }

  private String shownRequestHeader(String name, String value) {
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

  private void onAnswer(HttpResponse response) throws Exception {
    long took = System.nanoTime() - stepStart;
    if (response.decoderResult().isFailure()) {
      step("upgrade", took, "the answer is not valid HTTP");
      String raw = ProbeText.printable(rawAnswer, "(no bytes)");
      answerText = () -> raw;
      trace.received(raw);
      finish(Result.BAD_ACCEPT, "answer is not valid HTTP: " + ProbeText.rootMessage(response.decoderResult().cause()));
      return;
    }
    status = response.status().code();
    statusLine = response.protocolVersion() + " " + response.status();
    answerHeaders = response.headers();
    phases.put(io.wsprobe.prober.Phase.UPGRADE, took);
    step("upgrade", took, "answer " + response.protocolVersion() + " " + response.status());
    if (status != 101) {
      state = ProbeStep.ANSWER_BODY;
      stepTimer = loop.schedule(() -> guarded(this::finishAnswer),
          Math.min(BODY_WAIT_NANOS, remainingNanos()), TimeUnit.NANOSECONDS);
      return;
    }
    traceAnswerHeaders(response);
    String upgradeHeader = answerHeaders.get(HttpHeaderNames.UPGRADE);
    if (upgradeHeader == null || !upgradeHeader.equalsIgnoreCase("websocket")) {
      finish(Result.BAD_ACCEPT, "101 answer without 'Upgrade: websocket' (got " + upgradeHeader + ")");
      return;
    }
    if (!answerHeaders.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)) {
      finish(Result.BAD_ACCEPT, "101 answer without 'Connection: upgrade' (got "
          + answerHeaders.get(HttpHeaderNames.CONNECTION) + ")");
      return;
    }
    String accept = answerHeaders.get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    String expected = expectedAccept(sentKey);
    if (!expected.equals(accept)) {
      finish(Result.BAD_ACCEPT, "Sec-WebSocket-Accept is " + (accept == null ? "missing" : "'" + accept + "'")
          + ", expected '" + expected + "'");
      return;
    }
    String chosen = answerHeaders.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (module.subprotocols().isEmpty() ? chosen != null && !chosen.isEmpty()
        : chosen == null || !module.subprotocols().contains(chosen)) {
      finish(Result.SUBPROTOCOL_MISMATCH, "offered " + module.subprotocols() + ", server chose "
          + (chosen == null ? "none" : "'" + chosen + "'"));
      return;
    }
    // Netty swaps the HTTP codec for the WebSocket codec; bytes already read after the 101 go on
    // to the frame decoder.
    handshaker.finishHandshake(channel, new DefaultFullHttpResponse(response.protocolVersion(),
        response.status(), Unpooled.EMPTY_BUFFER, response.headers(), new DefaultHttpHeaders()));
    channel.pipeline().remove("raw-answer");
    // RFC 6455 8.1: text must be UTF-8, across fragments too. Netty's protocol handler adds this
    // validator; the bare handshaker used here does not. It reports, the probe closes (1007).
    channel.pipeline().addAfter("ws-decoder", "ws-utf8", new Utf8FrameValidator(false));
    channel.pipeline().addAfter("ws-utf8", "ws-aggregator",
        new WebSocketFrameAggregator((int) module.maxMessageBytes()));
    wsOpen = true;
    trace.note(name + "session open" + (chosen == null ? "" : ", subprotocol " + chosen));
    startApp();
  }

  // ---------------------------------------------------------------- application protocol

  private void startApp() {
    state = ProbeStep.APP_HANDSHAKE;
    stepStart = System.nanoTime();
    onEvent(dialect.open(wire), null);
  }

  /** A data frame: the dialect says what it means, and the state decides what to do with it. */
  private void onFrame(WebSocketFrame frame) {
    byte[] data = ByteBufBytes.of(frame.content());
    boolean text = frame instanceof TextWebSocketFrame;
    onEvent(dialect.onFrame(text, data, wire), frame);
  }

  private void onEvent(Dialect.Event event, WebSocketFrame frame) {
    if (event instanceof Dialect.Failed f) {
      finish(f.auth() ? Result.AUTH_FAILED : Result.APP_HANDSHAKE_FAILED,
          module.app().protocol().label() + " " + redactor.apply(f.detail())); // the server's words
    } else if (event instanceof Dialect.Ready r && state == ProbeStep.APP_HANDSHAKE) {
      long took = System.nanoTime() - stepStart;
      if (module.app().protocol() != Module.Protocol.RAW) {
        phases.put(io.wsprobe.prober.Phase.APP_HANDSHAKE, took);
        step("handshake", took, module.app().protocol().label() + ": " + r.note());
      }
      appReady();
    } else if (event instanceof Dialect.Marker m && state == ProbeStep.RECEIVING) {
      parent.onMarker(this, m.id());
    } else if (event instanceof Dialect.Data && frame != null && state == ProbeStep.MESSAGE) {
      onData(frame);
    }
  }

  private void appReady() {
    if (parent != null) {
      state = ProbeStep.RECEIVING;
      parent.onReceiverReady();
    } else if (!receivers.isEmpty()) {
      state = ProbeStep.WAIT_RECEIVERS;
      stepStart = System.nanoTime();
      sendMarkerWhenAllReady();
    } else {
      nextExchange();
    }
  }

  private void onReceiverReady() {
    receiversReady++;
    sendMarkerWhenAllReady();
  }

  private void sendMarkerWhenAllReady() {
    if (state != ProbeStep.WAIT_RECEIVERS || receiversReady < receivers.size() || settling) {
      return;
    }
    Duration settle = module.app().broadcast().settle();
    if (!settle.isZero()) {
      settling = true;
      trace.note("every session ready; settling " + settle.toMillis() + "ms before the marker");
      stepTimer = loop.schedule(() -> guarded(this::sendMarker), settle.toNanos(), TimeUnit.NANOSECONDS);
      return;
    }
    sendMarker();
  }

  private void sendMarker() {
    stepTimer = null;
    if (state != ProbeStep.WAIT_RECEIVERS) {
      return;
    }
    state = ProbeStep.BROADCAST;
    markerId = Markers.newId();
    markerSentNanos = System.nanoTime();
    dialect.sendMarker(wire, markerId);
    trace.note("marker " + markerId + " sent to " + receivers.size() + " receiver(s)");
    Duration limit = module.app().broadcast().timeout();
    if (limit != null) {
      stepTimer = loop.schedule(() -> guarded(this::broadcastTimedOut),
          Math.min(limit.toNanos(), Math.max(0, remainingNanos())), TimeUnit.NANOSECONDS);
    }
  }

  private void onMarker(ProbeRun receiver, String id) {
    if (state != ProbeStep.BROADCAST || !id.equals(markerId) || markerSeen[receiver.receiverNo - 1]) {
      return; // an older probe's marker still in the room's state
    }
    long delay = System.nanoTime() - markerSentNanos;
    markerSeen[receiver.receiverNo - 1] = true;
    broadcastDelays.add(delay);
    step("broadcast", delay, "receiver " + receiver.receiverNo + " got the marker");
    if (broadcastDelays.size() == receivers.size()) {
      cancelStepTimer();
      releaseReceivers();
      nextExchange();
    }
  }

  private void broadcastTimedOut() {
    apply(FailureClassifier.broadcastTimedOut(this), null);
  }

  /** Receivers have done their part: they leave the room and close. */
  private void releaseReceivers() {
    for (ProbeRun r : receivers) {
      r.released = true;
      r.guarded(r::startClose);
    }
  }

  private void traceAnswerHeaders(HttpResponse response) {
    String line = response.protocolVersion() + " " + response.status();
    HttpHeaders headers = response.headers();
    answerText = () -> {
      StringBuilder text = new StringBuilder(line);
      for (Map.Entry<String, String> h : headers) {
        text.append('\n').append(h.getKey()).append(": ")
            .append(Secret.sensitiveHeader(h.getKey()) ? Secret.REDACTED : h.getValue());
      }
      return text.toString();
    };
    if (parent == null) {
      trace.received(answerText);
    }
  }

  private void onAnswerBody(HttpContent content) {
    ByteBuf data = content.content();
    body.writeBytes(data, data.readerIndex(), Math.min(data.readableBytes(), body.maxWritableBytes()));
    if (content instanceof LastHttpContent || body.maxWritableBytes() == 0) {
      finishAnswer();
    }
  }

  private void finishAnswer() {
    if (state != ProbeStep.ANSWER_BODY) {
      return;
    }
    String contentType = answerHeaders.get(HttpHeaderNames.CONTENT_TYPE);
    StringBuilder text = new StringBuilder();
    text.append(statusLine);
    for (Map.Entry<String, String> h : answerHeaders) {
      text.append('\n').append(h.getKey()).append(": ")
          .append(Secret.sensitiveHeader(h.getKey()) ? Secret.REDACTED : h.getValue());
    }
    text.append("\n\n").append(ProbeText.printable(body, "(empty body)"));
    String answer = text.toString();
    answerText = () -> answer;
    trace.received(answer);
    String shortType = contentType == null ? "" : " " + contentType.split(";")[0].trim();
    if (status < 400) {
      finish(Result.UPGRADE_IGNORED, "got HTTP " + status + shortType
          + " instead of 101: a proxy is not forwarding Upgrade");
    } else {
      finish(Result.UPGRADE_REJECTED, "got HTTP " + status + shortType + " instead of 101");
    }
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

  // ---------------------------------------------------------------- messages

  private void nextExchange() {
    if (exchange >= exchanges.size()) {
      startHold();
      return;
    }
    state = ProbeStep.MESSAGE;
    Module.Message m = exchanges.get(exchange);
    framesSinceSend = 0;
    lastFrameText = null;
    byte[] bytes = m.bytes();
    WebSocketFrame frame = m.binary()
        ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes))
        : new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes));
    stepStart = System.nanoTime();
    channel.writeAndFlush(frame);
  }

  private void onData(WebSocketFrame frame) {
    long took = System.nanoTime() - stepStart;
    Module.Message m = exchanges.get(exchange);
    byte[] got = ByteBufBytes.of(frame.content());
    boolean text = frame instanceof TextWebSocketFrame;
    framesSinceSend++;
    lastFrameText = ProbeText.preview(got, text);
    if (!matches(m, got, text)) {
      return; // keep waiting: another frame may still match before the deadline
    }
    rtts.add(took);
    step("message", took, String.format(Locale.ROOT, "%d/%d sent %s, got %s", exchange + 1,
        exchanges.size(), ProbeText.preview(m.bytes(), !m.binary()), lastFrameText));
    exchange++;
    nextExchange();
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

  // ---------------------------------------------------------------- hold and close

  private void startHold() {
    Module.Hold hold = module.hold();
    if (hold == null) {
      startClose();
      return;
    }
    state = ProbeStep.HOLD;
    long duration = hold.duration().toNanos();
    long room = remainingNanos() - CLOSE_WAIT_NANOS / 10;
    if (duration > room) {
      duration = Math.max(0, room);
      trace.note("hold shortened to " + Trace.millis(duration) + " to fit the timeout");
    }
    stepStart = System.nanoTime();
    long holdFor = duration;
    stepTimer = loop.schedule(() -> guarded(() -> {
      holdSurvived = holdFor;
      step("hold", holdFor, "session stayed open");
      startClose();
    }), duration, TimeUnit.NANOSECONDS);
    if (dialect.keepaliveInterval() != null) {
      long every = dialect.keepaliveInterval().toNanos();
      timers.add(loop.scheduleAtFixedRate(() -> guarded(() -> {
        if (state == ProbeStep.HOLD) {
          dialect.keepalive(wire);
        }
      }), every, every, TimeUnit.NANOSECONDS));
    }
    if (hold.pingInterval() != null) {
      long every = hold.pingInterval().toNanos();
      timers.add(loop.scheduleAtFixedRate(() -> {
        if (state == ProbeStep.HOLD) {
          channel.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer("wsprobe".getBytes(StandardCharsets.US_ASCII))));
        }
      }, every, every, TimeUnit.NANOSECONDS));
    }
  }

  private void startClose() {
    if (state == ProbeStep.DONE || state == ProbeStep.CLOSING) {
      return;
    }
    cancelStepTimer();
    state = ProbeStep.CLOSING;
    stepStart = System.nanoTime();
    dialect.goodbye(wire);
    channel.writeAndFlush(new CloseWebSocketFrame(1000, "wsprobe done"));
    stepTimer = loop.schedule(() -> guarded(() -> {
      trace.note("no close answer within " + Trace.millis(CLOSE_WAIT_NANOS) + "; closing the socket");
      finish(Result.SUCCESS, "");
    }), Math.min(CLOSE_WAIT_NANOS, Math.max(0, remainingNanos())), TimeUnit.NANOSECONDS);
  }

  private void onPeerClose(CloseWebSocketFrame close) {
    closeCode = close.statusCode();
    closeReason = close.reasonText() == null ? "" : close.reasonText();
    FailureClassifier.Verdict v = FailureClassifier.peerClose(state, closeCode, closeReason, name, this);
    if (v.then() == FailureClassifier.Then.CLOSED) {
      step("close", System.nanoTime() - stepStart, "peer answered " + FailureClassifier.said(closeCode, closeReason));
      wsOpen = false;
    }
    apply(v, null);
  }

  private void idleCut(String how) {
    holdSurvived = System.nanoTime() - stepStart;
    step("hold", holdSurvived, "cut: " + how);
    finish(Result.IDLE_CUT, "session cut after " + Trace.millis(holdSurvived) + " of "
        + module.hold().duration().toSeconds() + "s hold: " + how);
  }

  // ---------------------------------------------------------------- ending

  private void onDeadline() {
    apply(FailureClassifier.deadline(state, this), null);
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

  private void onChannelClosed() {
    apply(FailureClassifier.closed(state, this), null);
  }

  private void onError(Throwable e) {
    apply(FailureClassifier.error(state, e, this), e);
  }

  /** Does what the classifier said. */
  private void apply(FailureClassifier.Verdict v, Throwable error) {
    switch (v.then()) {
      case IGNORE -> { }
      case ANSWER -> finishAnswer();
      case IDLE_CUT -> idleCut(v.detail());
      case CLOSED -> finish(Result.SUCCESS, "");
      case RECEIVERS -> {
        for (ProbeRun r : receivers) {
          if (r.state != ProbeStep.RECEIVING) {
            r.onDeadline(); // the receiver names its own stuck step; its finish ends this probe
          }
        }
        finish(v.result(), v.detail());
      }
      case FINISH -> {
        if (v.received() != null) {
          trace.received(v.received());
        }
        if (v.note() != null) {
          trace.note(name + v.note());
        }
        WebSocketCloseStatus violated = FailureClassifier.closeStatusFor(v, error);
        if (violated != null) {
          closeStatus = violated;
          closeStatusReason = violated.reasonText();
        }
        finish(v.result(), v.detail());
      }
    }
  }

  private void finish(Result result, String detail) {
    if (state == ProbeStep.DONE) {
      return;
    }
    ProbeStep was = state;
    state = ProbeStep.DONE;
    try {
      release(was);
    } catch (RuntimeException e) {
      // the result below must still be delivered: a probe that never completes holds its slot
      // in the scheduler for ever
      if (result == Result.SUCCESS) {
        result = Result.INTERNAL_ERROR;
        detail = "closing the probe failed: " + ProbeText.rootMessage(e);
      }
    }
    if (parent != null) {
      if (!released && parent.state != ProbeStep.DONE) {
        if (parent.answerHeaders == null && answerHeaders != null) {
          // the receiver heard the answer first: it is the sender's answer too
          parent.status = status;
          parent.answerHeaders = answerHeaders;
          parent.answerText = answerText;
        }
        parent.finish(result == Result.SUCCESS ? Result.INTERNAL_ERROR : result, name + detail);
      }
      return;
    }
    for (ProbeRun r : receivers) {
      r.released = true;
      r.finish(Result.SUCCESS, "");
    }
    ProbeResult r;
    try {
      r = result(result, detail);
    } catch (RuntimeException e) {
      r = ProbeResult.builder(Result.INTERNAL_ERROR).detail("building the result failed: " + ProbeText.rootMessage(e))
          .durationNanos(System.nanoTime() - startNanos).statusCode(status).trace(trace).build();
    }
    promise.tryComplete(r);
  }

  private ProbeResult result(Result result, String detail) {
    long duration = System.nanoTime() - startNanos;
    String contentType = answerHeaders == null ? null : answerHeaders.get(HttpHeaderNames.CONTENT_TYPE);
    String diagnosis = Diagnosis.of(result, status,
        contentType == null ? null : contentType.split(";")[0].trim(), detail);
    // a failure's words may quote the server, which may echo a secret; a success shows none
    boolean failed = result != Result.SUCCESS;
    return ProbeResult.builder(result)
        .detail(failed ? redactor.applyToReport(detail) : detail)
        .diagnosis(failed ? redactor.applyToReport(diagnosis) : diagnosis)
        .durationNanos(duration).phases(phases).statusCode(status).rttNanos(List.copyOf(rtts))
        .holdSurvivedNanos(module.hold() == null ? -1 : Math.max(0, holdSurvived))
        .certNotAfter(certNotAfter).closeCode(closeCode)
        .closeReason(failed ? redactor.apply(closeReason) : closeReason)
        .answer(ANSWER_RESULTS.contains(result) ? redactor.apply(answerText.get()) : "")
        .broadcastDelaysNanos(List.copyOf(broadcastDelays))
        .broadcastMissing(markerId == null ? -1 : receivers.size() - broadcastDelays.size())
        .trace(trace).build();
  }

  /** Gives back what the probe holds: its timers, TLS engine, buffers, socket and descriptor. */
  private void release(ProbeStep was) {
    cancelStepTimer();
    timers.forEach(t -> t.cancel(false));
    if (sslEngine != null) {
      tlsContexts.takePresentedChain(sslEngine);
    }
    if (rawAnswer.refCnt() > 0) {
      rawAnswer.release();
    }
    if (body.refCnt() > 0) {
      body.release();
    }
    if (channel == null) {
      releaseFd();
    } else if (wsOpen && channel.isActive() && was != ProbeStep.CLOSING) {
      if (closeStatus.code() == WebSocketCloseStatus.NORMAL_CLOSURE.code()) {
        // leave the room or document cleanly, so the app keeps no ghost session
        try {
          dialect.goodbye(wire);
        } catch (RuntimeException ignored) {
          // closing anyway
        }
      }
      channel.writeAndFlush(new CloseWebSocketFrame(closeStatus.code(), closeStatusReason))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

  private void cancelStepTimer() {
    if (stepTimer != null) {
      stepTimer.cancel(false);
      stepTimer = null;
    }
  }

  private long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }

  private long remainingMillis() {
    return TimeUnit.NANOSECONDS.toMillis(remainingNanos());
  }

  private interface Step {
    void run() throws Exception;
  }

  /**
   * Whatever goes wrong inside the prober ends the probe, never hangs it: as resource_exhausted
   * when the process ran out of file descriptors, else as internal_error.
   */
  private void guarded(Step step) {
    try {
      step.run();
    } catch (Throwable e) {
      if (!exhausted(e, "probe", System.nanoTime() - stepStart)) {
        finish(Result.INTERNAL_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
  }

  /** Runs {@code step} on this probe's loop: some Netty futures complete on other threads. */
  private void onLoop(Step step) {
    if (loop.inEventLoop()) {
      guarded(step);
    } else {
      loop.execute(() -> guarded(step));
    }
  }

  private void releaseFd() {
    if (fdHeld) {
      fdHeld = false;
      fds.release();
    }
  }

  /**
   * Ends the probe as resource_exhausted when {@code e} says the process is out of file
   * descriptors (EMFILE, or ENFILE for the whole system), naming the step that needed one.
   */
  private boolean exhausted(Throwable e, String what, long took) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("Too many open files")) {
        fds.exhausted();
        boolean system = m.contains("in system");
        String why = what + " failed: " + (system ? "the system" : "the agent") + " is out of file"
            + " descriptors (" + (system ? "ENFILE" : "EMFILE, limit " + fds.limit() + ", ulimit -n") + ")";
        step(what, took, why);
        finish(Result.RESOURCE_EXHAUSTED, why);
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- what the classifier reads

  @Override
  public long timeoutMillis() {
    return target.timeout().toMillis();
  }

  @Override
  public String appLabel() {
    return module.app().protocol().label();
  }

  @Override
  public long maxMessageBytes() {
    return module.maxMessageBytes();
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

  @Override
  public String pending() {
    return dialect.pending();
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
    return describe(exchanges.get(exchange).expect());
  }

  @Override
  public boolean settling() {
    return settling;
  }

  @Override
  public long settleMillis() {
    return module.app().broadcast().settle().toMillis();
  }

  @Override
  public int receivers() {
    return receivers.size();
  }

  @Override
  public int missing() {
    return receivers.size() - broadcastDelays.size();
  }

  @Override
  public long broadcastLimitMillis() {
    Duration limit = module.app().broadcast().timeout();
    return limit != null ? limit.toMillis() : target.timeout().toMillis();
  }

  // ---------------------------------------------------------------- pipeline handlers

  /** Keeps the first bytes of the raw answer, for answers that are not HTTP or never complete. */
  private final class RawAnswerCapture extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      // maxWritableBytes, not writableBytes: the buffer starts with capacity 0 and grows to the cap
      if (msg instanceof ByteBuf b && rawAnswer.refCnt() > 0 && rawAnswer.maxWritableBytes() > 0) {
        rawAnswer.writeBytes(b, b.readerIndex(), Math.min(b.readableBytes(), rawAnswer.maxWritableBytes()));
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** The last handler: turns Netty events into state-machine steps. */
  private final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        guarded(() -> read(ctx, msg));
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void read(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (state == ProbeStep.DONE) {
        return;
      }
      if (msg instanceof HttpResponse response && state == ProbeStep.UPGRADING) {
        onAnswer(response);
        if (msg instanceof HttpContent content && state == ProbeStep.ANSWER_BODY) {
          onAnswerBody(content);
        }
      } else if (msg instanceof HttpContent content && state == ProbeStep.ANSWER_BODY) {
        onAnswerBody(content);
      } else if (msg instanceof PingWebSocketFrame ping) {
        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
      } else if (msg instanceof CloseWebSocketFrame close) {
        onPeerClose(close);
      } else if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
        onFrame((WebSocketFrame) msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      guarded(ProbeRun.this::onChannelClosed);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      guarded(() -> onError(cause));
    }
  }
}
