package io.wsprobe.results;

import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Hop;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Logs a target's result when it changes (every result only at debug): bounded log volume. A
 * target's last result is kept by name over reloads, so a changed target logs only a change.
 */
public final class ResultLog implements ResultSubscriber {

  private final Logger log;
  private final Map<String, Result> lastResults = new ConcurrentHashMap<>();

  /** @param log the logger the lines go to (the agent's: operators filter on its name) */
  public ResultLog(Logger log) {
    this.log = log;
  }

  @Override
  public TargetFeed open(Target target, Module module) {
    return r -> onResult(target, module, r);
  }

  private void onResult(Target target, Module module, ProbeResult r) {
    Result before = lastResults.put(target.name(), r.result());
    if (before != r.result()) {
      var event = r.success() ? log.atInfo() : log.atWarn();
      event.addKeyValue("target", target.name()).addKeyValue("url", module.shownUrl(target.url()))
          .addKeyValue("result", r.result().label())
          .addKeyValue("previous", before == null ? "none" : before.label());
      if (!r.success()) {
        event = event.addKeyValue("status", r.statusCode()).addKeyValue("detail", r.detail());
        if (r.hop() != Hop.UNKNOWN) {
          event = event.addKeyValue("hop", r.hop().label());
        }
        if (!r.answer().isEmpty()) {
          event = event.addKeyValue("answer", r.answer());
        }
      }
      event.log(r.success() ? "target healthy" : "target failing");
    } else if (log.isDebugEnabled()) { // else the event's values (a boxed duration) are built for nothing
      log.atDebug().addKeyValue("target", target.name()).addKeyValue("result", r.result().label())
          .addKeyValue("duration_ms", r.durationNanos() / 1e6).addKeyValue("detail", r.detail())
          .log("probe");
    }
  }
}
