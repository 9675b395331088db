package io.wsprobe.results;

import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.prober.Hop;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.prober.Result;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Each scheduled target's last result, for the status page: written by the stream, read from any thread. */
public final class StatusBoard implements ResultSubscriber {

  /** What the status page shows of a target; {@code last} is null until its first probe ends. */
  public record TargetStatus(Target target, String module, LastResult last) {}

  /**
   * The little the status page needs of a target's last probe. Not the {@link ProbeResult}: its
   * trace would keep every target's last request and answer alive for a whole interval, which
   * at thousands of targets fills the old generation with dead probes.
   */
  public record LastResult(Result result, String detail, long durationNanos, Hop hop) {
    /** A result whose answer named no hop. */
    public LastResult(Result result, String detail, long durationNanos) {
      this(result, detail, durationNanos, Hop.UNKNOWN);
    }

    public boolean success() {
      return result == Result.SUCCESS;
    }
  }

  /** The open targets by name; on the scheduler's context only. */
  private final Map<String, Slot> open = new HashMap<>();
  /** Replaced whole when a config is applied, never changed in place: read from other threads. */
  private volatile List<Slot> shown = List.of();

  private final class Slot implements TargetFeed {
    final Target target;
    final String module;
    volatile LastResult last;

    Slot(Target target, String module) {
      this.target = target;
      this.module = module;
    }

    @Override
    public void result(ProbeResult r) {
      last = new LastResult(r.result(), r.detail(), r.durationNanos(), r.hop());
    }

    @Override
    public void closed() {
      open.remove(target.name(), this);
    }
  }

  @Override
  public TargetFeed open(Target target, Module module) {
    Slot slot = new Slot(target, module.name());
    open.put(target.name(), slot);
    return slot;
  }

  @Override
  public void applied(Config config) {
    shown = config.targets().stream().map(t -> open.get(t.name())).filter(Objects::nonNull).toList();
  }

  /** A snapshot of each scheduled target's last result, in the config's order. */
  public Collection<TargetStatus> status() {
    return shown.stream().map(s -> new TargetStatus(s.target, s.module, s.last)).toList();
  }
}
