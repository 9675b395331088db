package io.wsprobe.prober;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.wsprobe.config.Module;
import io.wsprobe.config.Redactor;
import io.wsprobe.config.Target;
import io.wsprobe.protocol.Dialect;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One probe: its deadline (one timer), its trace and redactor, and its result, delivered exactly
 * once. A plain probe is one {@link Session}, of which it is the owner; a broadcast probe is a
 * {@link Broadcast} over several. Confined to one event loop.
 */
final class ProbeRun implements Session.Owner {

  /** Results whose cause is in the upgrade answer: the answer goes into the log too. */
  private static final Set<Result> ANSWER_RESULTS = EnumSet.of(
      Result.UPGRADE_IGNORED, Result.UPGRADE_REJECTED, Result.BAD_ACCEPT, Result.SUBPROTOCOL_MISMATCH,
      Result.EXTENSION_REJECTED);

  final Target target;
  final Module module;
  final ContextInternal context;
  final EventLoop loop;
  final ChannelFactory<? extends Channel> channels;
  final TlsContexts tlsContexts;
  final FdBudget fds;
  final long startNanos = System.nanoTime();
  final long deadlineNanos;
  /** Hides what the probe sent as a secret in everything it shows; shared by its sessions. */
  final Redactor redactor;
  final Trace trace;
  private final PromiseInternal<ProbeResult> promise;
  /** The probe's own session: the only one, or a broadcast's sender. */
  private final Session main;
  private final Broadcast broadcast;
  private ScheduledFuture<?> deadline;

  ProbeRun(Target target, Module module, ContextInternal context, EventLoop loop,
           ChannelFactory<? extends Channel> channels, TlsContexts tlsContexts, FdBudget fds,
           Supplier<Dialect> dialects, PromiseInternal<ProbeResult> promise) {
    this(target, module, context, loop, channels, tlsContexts, fds, dialects, promise, true);
  }

  /** @param traced false when no one will read the trace (see {@link Trace#discarded}) */
  ProbeRun(Target target, Module module, ContextInternal context, EventLoop loop,
           ChannelFactory<? extends Channel> channels, TlsContexts tlsContexts, FdBudget fds,
           Supplier<Dialect> dialects, PromiseInternal<ProbeResult> promise, boolean traced) {
    this.target = target;
    this.module = module;
    this.context = context;
    this.loop = loop;
    this.channels = channels;
    this.tlsContexts = tlsContexts;
    this.fds = fds;
    this.promise = promise;
    this.redactor = Redactor.of(target.url(), module);
    this.trace = traced ? new Trace(startNanos, redactor) : Trace.discarded(startNanos);
    this.deadlineNanos = startNanos + target.timeout().toNanos();
    if (module.app().broadcast() != null) {
      this.broadcast = new Broadcast(this, dialects);
      this.main = broadcast.sender;
    } else {
      this.broadcast = null;
      this.main = new Session(this, this, 0, dialects);
    }
  }

  /** A step done before this run (a login), shown first in the trace. */
  void preface(String what, long nanos, String text) {
    trace.step(what, nanos, text);
  }

  void start() {
    loop.execute(() -> main.guarded(() -> {
      deadline = loop.schedule(main::deadline, deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (broadcast != null) {
        broadcast.start();
      } else {
        main.start();
      }
    }));
  }

  @Override
  public void ready(Session session) {
    session.exchanges();
  }

  @Override
  public void marker(Session session, String id) {}

  @Override
  public void ended(Session session, Result result, String detail) {
    complete(session, result, detail, List.of(), -1);
  }

  @Override
  public void stuck() {}

  /** The probe's own session ended: its result, once. */
  void complete(Session s, Result result, String detail, List<Long> broadcastDelays, int broadcastMissing) {
    if (deadline != null) {
      deadline.cancel(false);
    }
    ProbeResult r;
    try {
      r = result(s, result, detail, broadcastDelays, broadcastMissing);
    } catch (RuntimeException e) {
      String why = "building the result failed: " + ProbeText.rootMessage(e);
      r = ProbeResult.builder(Result.INTERNAL_ERROR).detail(why)
          .diagnosis(Diagnosis.of(Result.INTERNAL_ERROR, s.status, null, why))
          .durationNanos(System.nanoTime() - startNanos).statusCode(s.status).trace(trace).build();
    }
    promise.tryComplete(r);
  }

  private ProbeResult result(Session s, Result result, String detail, List<Long> broadcastDelays,
                             int broadcastMissing) {
    long duration = System.nanoTime() - startNanos;
    String contentType = s.answerHeaders == null ? null : s.answerHeaders.get(HttpHeaderNames.CONTENT_TYPE);
    String diagnosis = Diagnosis.of(result, s.status,
        contentType == null ? null : contentType.split(";")[0].trim(), detail, s.hop);
    // a failure's words may quote the server, which may echo a secret; a success shows none
    boolean failed = result != Result.SUCCESS;
    return ProbeResult.builder(result)
        .detail(failed ? redactor.applyToReport(detail) : detail)
        .diagnosis(failed ? redactor.applyToReport(diagnosis) : diagnosis)
        .durationNanos(duration).phases(s.phases).statusCode(s.status).proxyStatusCode(s.proxyStatus).hop(s.hop.hop())
        .extension(s.extension)
        .rttNanos(s.rtts == null ? List.of() : List.copyOf(s.rtts))
        .holdSurvivedNanos(module.hold() == null ? -1 : Math.max(0, s.holdSurvived))
        .certNotAfter(s.certNotAfter).closeCode(s.closeCode)
        .closeReason(failed ? redactor.apply(s.closeReason) : s.closeReason)
        .answer(ANSWER_RESULTS.contains(result) ? redactor.apply(s.answerText.get()) : "")
        .broadcastDelaysNanos(broadcastDelays)
        .broadcastMissing(broadcastMissing)
        .trace(trace).build();
  }
}
