package io.wsprobe.prober;

import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Hop diagnosis for a target with an {@code origin_url}: every probe also upgrades the origin
 * directly, beside the public URL and within the same timeout, so the metric is fresh whether
 * the public probe passes or not. When the public URL fails at the upgrade, the two together say
 * where: the origin upgrades, so a proxy in between drops it; or the origin fails too, so the
 * app itself does. The public probe's result value stays what it was.
 */
final class OriginCheck {

  /** The public results that mean the upgrade did not go through (the upgrade step's own). */
  static final Set<Result> UPGRADE_FAILURES = EnumSet.of(Result.UPGRADE_TIMEOUT, Result.UPGRADE_IGNORED,
      Result.UPGRADE_REJECTED, Result.BAD_ACCEPT, Result.SUBPROTOCOL_MISMATCH, Result.CLOSED_DURING_UPGRADE);

  private OriginCheck() {}

  /**
   * What the origin is sent: the module's upgrade request (headers, Origin, subprotocols, TLS
   * settings, address family), then a close; no app handshake, messages, hold or broadcast, and
   * no forward proxy: the origin is reached directly, as the proxies in front of it reach it.
   */
  static Module module(Module m) {
    return new Module(m.name(), m.headers(), m.origin(), m.subprotocols(), m.tls(), m.ipProtocol(),
        m.ipProtocolFallback(), m.maxMessageBytes(), List.of(), null, Module.App.RAW,
        m.publicQueryParams(), null);
  }

  /**
   * The public probe's result with the origin's beside it: a trace step for the origin, and when
   * the public upgrade failed, a detail and diagnosis naming the side that drops it.
   */
  static ProbeResult merge(Target target, Module module, ProbeResult pub, ProbeResult origin) {
    OriginUpgrade o = new OriginUpgrade(origin.result(), origin.statusCode(), origin.detail());
    String shown = module.shownUrl(target.originUrl());
    if (pub.trace() != null) {
      pub.trace().step("origin", origin.durationNanos(), shown + (o.upgraded() ? " upgraded (HTTP 101)"
          : " failed: " + o.result().label() + ": " + o.detail()));
    }
    if (!UPGRADE_FAILURES.contains(pub.result())) {
      return pub.withOrigin(o, pub.detail(), pub.diagnosis());
    }
    // the hop the public answer named is the one that drops it (the first proxy that answered
    // without passing the upgrade on writes its own headers or error page)
    String through = pub.hop() == Hop.UNKNOWN ? "" : " (the answer came through " + pub.hop().shown() + ")";
    String detail = pub.detail() + (o.upgraded()
        ? "; origin_url upgrades: a proxy between the public URL and the origin drops the upgrade" + through
        : "; origin_url fails too (" + o.result().label() + "): the app itself refuses the upgrade");
    String hop = Diagnosis.origin(shown, o.upgraded(), o.result(), o.detail());
    return pub.withOrigin(o, detail, o.upgraded() ? hop + "\n" + pub.diagnosis() : hop);
  }
}
