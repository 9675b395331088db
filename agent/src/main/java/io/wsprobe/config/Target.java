package io.wsprobe.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A probed endpoint ({@code targets[i]}). Interval and timeout are already resolved against
 * {@link Global}.
 *
 * @param labels extra labels for this target's series, merged over the global ones
 */
public record Target(String name, URI url, String module, Map<String, String> labels,
                     Duration interval, Duration timeout) {

  public boolean tls() {
    return "wss".equalsIgnoreCase(url.getScheme());
  }

  public int port() {
    return url.getPort() != -1 ? url.getPort() : tls() ? 443 : 80;
  }
}
