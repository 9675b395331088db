package io.wsprobe.prober;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.protocol.Dialect;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;

/**
 * One WebSocket session of a probe, from DNS to close: what its phases share (the channel, the
 * dialect, the answer, what was measured) and the moves between them. The phases themselves are
 * {@link Connect}, {@link TlsStep} and the {@link PhaseHandler}s that {@link Pipelines} installs
 * one after another. Confined to one event loop. It ends once ({@link #end}); then it tells its
 * {@link Owner}, which decides what that means for the probe.
 */
final class Session implements Dialect.Wire {

  /** The probe a session belongs to: a plain probe, or a broadcast's coordinator. */
  interface Owner {
    /** The session's app handshake is done. */
    void ready(Session session);

    /** A receiver saw a broadcast marker. */
    void marker(Session session, String id);

    /** The session ended; it has released what it held. */
    void ended(Session session, Result result, String detail);

    /** The sender's deadline passed while receivers joined: each one not ready names its own step. */
    void stuck();
  }

  /** The probe this session is part of: the target, module, loop, budget, trace and deadline. */
  final ProbeRun probe;
  final Target target;
  final Module module;
  final EventLoop loop;
  final Trace trace;
  final Dialect dialect;
  final Owner owner;
  /** Receiver number, 0 for the probe's own (sending) session. */
  final int no;
  /** Put in front of trace notes and details: "" or "receiver N: ". */
  final String name;
  /** This session's upgrade request and answer go into the trace (the first session's only). */
  final boolean traced;
  final Map<Phase, Long> phases = ProbeResult.emptyPhases();

  ProbeStep step = ProbeStep.RESOLVING;
  long stepStart;
  /** The phase handler in the pipeline, or null before the socket. */
  PhaseHandler current;
  /**
   * The socket's channel, or with http_version "2" once the WebSocket's stream is open, that
   * stream's channel (then {@link #tcp} is the socket's).
   */
  Channel channel;
  /** http_version "2": the TCP connection carrying the stream, once the stream is open; else null. */
  Channel tcp;
  /** The socket's {@link WireClock}, once there is a socket. */
  WireClock wire;
  /** This session holds a descriptor of the {@link FdBudget} (taken before DNS, given back when its socket closes). */
  boolean fdHeld;
  SSLEngine sslEngine;
  Instant certNotAfter;
  boolean wsOpen;
  /** The close frame {@link #end} sends on an open session: 1000, or the peer's violation. */
  WebSocketCloseStatus closeStatus = WebSocketCloseStatus.NORMAL_CLOSURE;
  String closeStatusReason = "wsprobe done";

  /** The forward proxy's status for CONNECT, 0 when none came (or the module has no proxy). */
  int proxyStatus;
  // what the upgrade answer said
  int status;
  HttpHeaders answerHeaders;
  /** The proxy or CDN the upgrade answer names, once an answer came. */
  HopRecogniser.Seen hop = HopRecogniser.Seen.UNKNOWN;
  /** The extension the 101 agreed to ({@link Extension#NONE} for none), or null before a 101 was judged. */
  Extension extension;
  /** The upgrade answer as text (for the trace, and for the result when it explains a failure). */
  Supplier<String> answerText = () -> "";

  // what the session measured
  List<Long> rtts;
  long holdSurvived = -1;
  int closeCode = -1;
  String closeReason = "";

  Session(ProbeRun probe, Owner owner, int no, Supplier<Dialect> dialects) {
    this.probe = probe;
    this.target = probe.target;
    this.module = probe.module;
    this.loop = probe.loop;
    this.trace = probe.trace;
    this.owner = owner;
    this.no = no;
    this.name = no == 0 ? "" : "receiver " + no + ": ";
    this.traced = no == 0;
    this.dialect = dialects.get();
  }

  // ---------------------------------------------------------------- the moves between phases

  void start() {
    guarded(() -> Connect.start(this));
  }

  /** TCP is up: the forward proxy's tunnel first when the module has one. */
  void connected() throws Exception {
    if (module.proxy() != null) {
      Pipelines.proxyConnect(this, new ProxyConnectHandler(this));
    } else {
      tunnelled();
    }
  }

  /** The target is reached (directly, or through the proxy's tunnel): TLS if it asks for it, then the upgrade. */
  void tunnelled() throws Exception {
    if (target.tls()) {
      TlsStep.start(this);
    } else {
      upgrade();
    }
  }

  /** The upgrade: an HTTP/1.1 one, or with http_version "2" the HTTP/2 connection's SETTINGS, then CONNECT. */
  void upgrade() {
    if (h2()) {
      H2Connection.start(this);
      return;
    }
    step = ProbeStep.UPGRADING;
    Pipelines.upgrade(this, new UpgradeHandler(this));
  }

  /** Whether this session's WebSocket goes over HTTP/2 (RFC 8441). */
  boolean h2() {
    return module.wire().httpVersion() == Module.HttpVersion.HTTP_2;
  }

  /** The upgrade succeeded; the app protocol's handshake begins. */
  void upgraded() {
    wsOpen = true;
    AppHandshakeHandler.start(this);
  }

  /** The message exchanges, then the hold, then the close. */
  void exchanges() {
    int total = ExchangeHandler.total(module);
    if (total == 0) {
      hold();
      return;
    }
    Pipelines.phase(this, new ExchangeHandler(this, total));
  }

  void hold() {
    if (module.hold() == null) {
      close();
      return;
    }
    Pipelines.phase(this, new HoldHandler(this));
  }

  void close() {
    if (step == ProbeStep.DONE || step == ProbeStep.CLOSING) {
      return;
    }
    Pipelines.phase(this, new CloseHandler(this));
  }

  // ---------------------------------------------------------------- ending

  /** Ends this session once: releases what it holds, then tells the owner. */
  void end(Result result, String detail) {
    if (step == ProbeStep.DONE) {
      return;
    }
    ProbeStep was = step;
    step = ProbeStep.DONE;
    try {
      release(was);
    } catch (RuntimeException e) {
      // the result must still be delivered: a probe that never completes holds its slot in the
      // scheduler for ever
      if (result == Result.SUCCESS) {
        result = Result.INTERNAL_ERROR;
        detail = "closing the probe failed: " + ProbeText.rootMessage(e);
      }
    }
    owner.ended(this, result, detail);
  }

  boolean done() {
    return step == ProbeStep.DONE;
  }

  /** Does what the classifier said. */
  void apply(FailureClassifier.Verdict v, Throwable error) {
    switch (v.then()) {
      case IGNORE -> { }
      case ANSWER -> current.finishAnswer();
      case IDLE_CUT -> idleCut(v.detail());
      case CLOSED -> end(Result.SUCCESS, "");
      case RECEIVERS -> {
        owner.stuck();
        end(v.result(), v.detail());
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
        end(v.result(), v.detail());
      }
    }
  }

  /** The probe's deadline passed: the step this session is in says what that means. */
  void deadline() {
    guarded(() -> apply(FailureClassifier.classify(step, FailureClassifier.Event.DEADLINE, null, facts()), null));
  }

  FailureClassifier.Facts facts() {
    return current != null ? current : new PhaseHandler.Before(this);
  }

  void idleCut(String how) {
    holdSurvived = System.nanoTime() - stepStart;
    step("hold", holdSurvived, "cut: " + how);
    end(Result.IDLE_CUT, "session cut after " + Trace.millis(holdSurvived) + " of "
        + module.hold().duration().toSeconds() + "s hold: " + how);
  }

  /** Gives back what the session holds: its timers, TLS engine, buffers, socket and descriptor. */
  private void release(ProbeStep was) {
    if (current != null) {
      current.release();
    }
    if (sslEngine != null) {
      probe.tlsContexts.takePresentedChain(sslEngine);
    }
    if (channel == null) {
      releaseFd();
    } else if (wsOpen && channel.isActive() && was != ProbeStep.CLOSING) {
      if (closeStatus.code() == WebSocketCloseStatus.NORMAL_CLOSURE.code()) {
        // leave the room or document cleanly, so the app keeps no ghost session
        try {
          dialect.goodbye(this);
        } catch (RuntimeException ignored) {
          // closing anyway
        }
      }
      Channel socket = tcp;
      Channel stream = channel;
      channel.writeAndFlush(new CloseWebSocketFrame(closeStatus.code(), closeStatusReason))
          .addListener(socket == null ? ChannelFutureListener.CLOSE : f -> {
            stream.close();
            socket.close();
          });
    } else {
      channel.close();
      if (tcp != null) {
        // the stream first: then the connection has no open stream, and its GOAWAY and close
        // wait for nothing (the descriptor goes back when the socket closes, see Connect)
        tcp.close();
      }
    }
  }

  void releaseFd() {
    if (fdHeld) {
      fdHeld = false;
      probe.fds.release();
    }
  }

  // ---------------------------------------------------------------- helpers

  void step(String what, long nanos, String text) {
    trace.step(no == 0 ? what : "r" + no + "." + what, nanos, text);
  }

  /** A trace step whose text is built only if the trace is shown. */
  void step(String what, long nanos, Supplier<String> text) {
    trace.step(no == 0 ? what : "r" + no + "." + what, nanos, text);
  }

  long remainingNanos() {
    return probe.deadlineNanos - System.nanoTime();
  }

  /** What is written next is measured: its flush is noted (see {@link WireClock}). */
  void armSend() {
    if (wire != null) {
      wire.arm();
    }
  }

  /** When the measured request left for the socket; {@code since} if not known. */
  long sentAt(long since) {
    return wire == null ? since : wire.sentSince(since);
  }

  /** When the bytes being handled now came off the socket (the current read's start), or now. */
  long readAt(long since) {
    return wire == null ? System.nanoTime() : wire.readSince(since);
  }

  List<Long> rtts() {
    if (rtts == null) {
      rtts = new ArrayList<>();
    }
    return rtts;
  }

  @Override
  public void text(String text) {
    channel.writeAndFlush(new TextWebSocketFrame(text));
  }

  @Override
  public void binary(byte[] bytes) {
    channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
  }

  interface Step {
    void run() throws Exception;
  }

  /**
   * Whatever goes wrong inside the prober ends the probe, never hangs it: as resource_exhausted
   * when the process ran out of file descriptors, else as internal_error.
   */
  void guarded(Step step) {
    try {
      step.run();
    } catch (Throwable e) {
      crashed(e);
    }
  }

  /** What {@link #guarded} does with what a step threw; handlers call it without a lambda. */
  void crashed(Throwable e) {
    if (!exhausted(e, "probe", System.nanoTime() - stepStart)) {
      end(Result.INTERNAL_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Runs {@code step} on this session's loop: some Netty futures complete on other threads. */
  void onLoop(Step step) {
    if (loop.inEventLoop()) {
      guarded(step);
    } else {
      loop.execute(() -> guarded(step));
    }
  }

  /**
   * Ends the session as resource_exhausted when {@code e} says the process is out of file
   * descriptors (EMFILE, or ENFILE for the whole system), naming the step that needed one.
   */
  boolean exhausted(Throwable e, String what, long took) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("Too many open files")) {
        FdBudget fds = probe.fds;
        fds.exhausted();
        boolean system = m.contains("in system");
        String why = what + " failed: " + (system ? "the system" : "the agent") + " is out of file"
            + " descriptors (" + (system ? "ENFILE" : "EMFILE, limit " + fds.limit() + ", ulimit -n") + ")";
        step(what, took, why);
        end(Result.RESOURCE_EXHAUSTED, why);
        return true;
      }
    }
    return false;
  }
}
