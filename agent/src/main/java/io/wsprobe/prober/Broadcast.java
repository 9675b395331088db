package io.wsprobe.prober;

import io.netty.util.concurrent.ScheduledFuture;
import io.wsprobe.config.Module;
import io.wsprobe.protocol.Dialect;
import io.wsprobe.protocol.Markers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A broadcast probe: a coordinator over N+1 ordinary sessions on one event loop. When the sender
 * and every receiver are ready (and {@code broadcast.settle} has passed) the sender sends a
 * marker; each receiver's arrival is timed; when all have it the receivers close and the sender
 * goes on with its exchanges, hold and close. The first receiver to fail ends the probe with its
 * result ("receiver N: ..."); the sender's end ends them all.
 */
final class Broadcast implements Session.Owner {

  private final ProbeRun probe;
  private final Module.Broadcast config;
  final Session sender;
  private final List<Session> receivers;
  private final boolean[] markerSeen;
  private final List<Long> delays = new ArrayList<>();
  private int receiversReady;
  /** Every session is ready, waiting out broadcast.settle before the marker. */
  private boolean settling;
  private String markerId;
  private long markerSentNanos;
  /** The receivers have done their part (or the probe ended): their end no longer counts. */
  private boolean released;
  private ScheduledFuture<?> timer;

  Broadcast(ProbeRun probe, Supplier<Dialect> dialects) {
    this.probe = probe;
    this.config = probe.module.app().broadcast();
    this.sender = new Session(probe, this, 0, dialects);
    this.markerSeen = new boolean[config.receivers()];
    this.receivers = new ArrayList<>(config.receivers());
    for (int i = 1; i <= config.receivers(); i++) {
      receivers.add(new Session(probe, this, i, dialects));
    }
  }

  void start() {
    for (Session r : receivers) {
      r.start();
    }
    sender.start();
  }

  @Override
  public void ready(Session s) {
    if (s == sender) {
      wait(s, ProbeStep.WAIT_RECEIVERS);
    } else {
      wait(s, ProbeStep.RECEIVING);
      receiversReady++;
    }
    sendMarkerWhenAllReady();
  }

  private void wait(Session s, ProbeStep step) {
    s.guarded(() -> Pipelines.phase(s, new BroadcastHandler(s, this, step)));
  }

  private void sendMarkerWhenAllReady() {
    if (sender.step != ProbeStep.WAIT_RECEIVERS || receiversReady < receivers.size() || settling) {
      return;
    }
    Duration settle = config.settle();
    if (!settle.isZero()) {
      settling = true;
      sender.trace.note("every session ready; settling " + settle.toMillis() + "ms before the marker");
      timer = sender.loop.schedule(() -> sender.guarded(this::sendMarker), settle.toNanos(), TimeUnit.NANOSECONDS);
      return;
    }
    sendMarker();
  }

  private void sendMarker() {
    timer = null;
    if (sender.step != ProbeStep.WAIT_RECEIVERS) {
      return;
    }
    sender.step = ProbeStep.BROADCAST;
    markerId = Markers.newId();
    markerSentNanos = System.nanoTime();
    sender.armSend();
    sender.dialect.sendMarker(sender, markerId);
    sender.trace.note("marker " + markerId + " sent to " + receivers.size() + " receiver(s)");
    Duration limit = config.timeout();
    if (limit != null) {
      timer = sender.loop.schedule(() -> sender.guarded(
              () -> sender.apply(FailureClassifier.broadcastTimedOut(sender.facts()), null)),
          Math.min(limit.toNanos(), Math.max(0, sender.remainingNanos())), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void marker(Session receiver, String id) {
    if (sender.step != ProbeStep.BROADCAST || !id.equals(markerId) || markerSeen[receiver.no - 1]) {
      return; // an older probe's marker still in the room's state
    }
    // from the marker's flush on the sender's socket to the read that brought it on the receiver's
    long sent = sender.sentAt(markerSentNanos);
    long delay = receiver.readAt(sent) - sent;
    markerSeen[receiver.no - 1] = true;
    delays.add(delay);
    sender.step("broadcast", delay, "receiver " + receiver.no + " got the marker");
    if (delays.size() == receivers.size()) {
      HoldHandler.cancel(timer);
      timer = null;
      // receivers have done their part: they leave the room and close
      released = true;
      for (Session r : receivers) {
        r.guarded(r::close);
      }
      sender.guarded(sender::exchanges);
    }
  }

  @Override
  public void ended(Session s, Result result, String detail) {
    if (s != sender) {
      if (!released && !sender.done()) {
        if (sender.answerHeaders == null && s.answerHeaders != null) {
          // the receiver heard the answer first: it is the sender's answer too
          sender.status = s.status;
          sender.answerHeaders = s.answerHeaders;
          sender.answerText = s.answerText;
        }
        sender.end(result == Result.SUCCESS ? Result.INTERNAL_ERROR : result, s.name + detail);
      }
      return;
    }
    HoldHandler.cancel(timer);
    released = true;
    for (Session r : receivers) {
      r.end(Result.SUCCESS, "");
    }
    probe.complete(sender, result, detail, List.copyOf(delays), markerId == null ? -1 : missing());
  }

  @Override
  public void stuck() {
    for (Session r : receivers) {
      if (r.step != ProbeStep.RECEIVING) {
        r.deadline(); // the receiver names its own stuck step; its end ends this probe
      }
    }
  }

  boolean settling() {
    return settling;
  }

  int receiverCount() {
    return receivers.size();
  }

  int missing() {
    return receivers.size() - delays.size();
  }
}
