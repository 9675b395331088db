package io.wsprobe.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A probed endpoint ({@code targets[i]}). Interval and timeout are already resolved against
 * {@link Global}.
 *
 * @param labels    extra labels for this target's series, merged over the global ones
 * @param originUrl the app behind the proxies ({@code origin_url}), upgraded directly by each
 *                  probe to tell which side drops the upgrade; null when not set
 */
public record Target(String name, URI url, String module, Map<String, String> labels,
                     Duration interval, Duration timeout, URI originUrl) {

  /** A target without an origin URL. */
  public Target(String name, URI url, String module, Map<String, String> labels,
                Duration interval, Duration timeout) {
    this(name, url, module, labels, interval, timeout, null);
  }

  public boolean tls() {
    return "wss".equalsIgnoreCase(url.getScheme());
  }

  public int port() {
    return url.getPort() != -1 ? url.getPort() : tls() ? 443 : 80;
  }

  /** The same target with another timeout (what is left after a login, a shorter /probe limit). */
  public Target withTimeout(Duration timeout) {
    return new Target(name, url, module, labels, interval, timeout, originUrl);
  }

  /** The target the origin check upgrades: the origin URL in place of the public one. */
  public Target origin() {
    return new Target(name, originUrl, module, labels, interval, timeout, null);
  }
}
