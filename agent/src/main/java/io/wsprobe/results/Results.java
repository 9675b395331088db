package io.wsprobe.results;

import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.Target;
import io.wsprobe.prober.ProbeResult;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The result stream: its subscribers, told of each result in the order given. A target's feeds
 * are gathered when it is opened, so a result costs one call per subscriber and no allocation.
 */
public final class Results implements ResultSubscriber {

  private final List<ResultSubscriber> subscribers;

  private Results(List<ResultSubscriber> subscribers) {
    this.subscribers = subscribers;
  }

  /** The non-null ones of {@code subscribers}, in this order. */
  public static Results of(ResultSubscriber... subscribers) {
    return new Results(Arrays.stream(subscribers).filter(Objects::nonNull).toList());
  }

  /** {@code listener} as a subscriber, or null for none. */
  public static ResultSubscriber listener(ResultListener listener) {
    return listener == null ? null : (target, module) -> r -> listener.onResult(target, module, r);
  }

  @Override
  public boolean fits(Config next) {
    return subscribers.stream().allMatch(s -> s.fits(next));
  }

  @Override
  public void applying(Config config) {
    subscribers.forEach(s -> s.applying(config));
  }

  @Override
  public TargetFeed open(Target target, Module module) {
    TargetFeed[] feeds = new TargetFeed[subscribers.size()];
    for (int i = 0; i < feeds.length; i++) {
      feeds[i] = subscribers.get(i).open(target, module);
    }
    return feeds.length == 1 ? feeds[0] : new Fanout(feeds);
  }

  @Override
  public void applied(Config config) {
    subscribers.forEach(s -> s.applied(config));
  }

  /** One target's feeds, in the subscribers' order. */
  private record Fanout(TargetFeed[] feeds) implements TargetFeed {
    @Override
    public void result(ProbeResult result) {
      for (TargetFeed f : feeds) {
        f.result(result);
      }
    }

    @Override
    public void skipped() {
      for (TargetFeed f : feeds) {
        f.skipped();
      }
    }

    @Override
    public void closed() {
      for (TargetFeed f : feeds) {
        f.closed();
      }
    }
  }
}
