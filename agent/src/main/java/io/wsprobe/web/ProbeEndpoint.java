package io.wsprobe.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.wsprobe.config.Config;
import io.wsprobe.config.Module;
import io.wsprobe.config.ProbeAllow;
import io.wsprobe.config.Target;
import io.wsprobe.metrics.ExpositionFormatWriter;
import io.wsprobe.metrics.ExpositionFormats;
import io.wsprobe.metrics.TextOut;
import io.wsprobe.prober.ProbeResult;
import io.wsprobe.scheduler.NoFreeSlot;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code /probe}: one probe now, outside the schedule.
 *
 * <ul>
 *   <li>{@code ?target=NAME}: a configured target with its module; answers the trace as text.
 *   <li>{@code ?target=<ws(s) URL>&module=NAME}: blackbox_exporter's multi-target form, for
 *       Prometheus' relabelling and the Prometheus Operator's {@code Probe}: answers the probe's
 *       series in the format negotiated as for {@code /metrics}. Only for URLs that
 *       {@code web.probe_allow} allows (403 with the reason otherwise, before any socket is
 *       opened); an unknown module or a URL that is not a target's is 400.
 *   <li>{@code &debug=true}: the trace, then the series as text.
 * </ul>
 *
 * <p>The probe's timeout is its target's (for a URL, {@code global.timeout}), cut to Prometheus'
 * {@code X-Prometheus-Scrape-Timeout-Seconds} less {@link #TIMEOUT_OFFSET}, so that the answer
 * comes before the scrape gives up. Every probe takes a slot of {@code max_concurrent_probes}
 * and never waits for one (429).
 */
final class ProbeEndpoint implements Handler<RoutingContext> {

  /** What a probe leaves of the scrape timeout, for the answer to travel (blackbox's default). */
  static final Duration TIMEOUT_OFFSET = Duration.ofMillis(500);
  static final String SCRAPE_TIMEOUT = "X-Prometheus-Scrape-Timeout-Seconds";

  private final Endpoints endpoints;

  ProbeEndpoint(Endpoints endpoints) {
    this.endpoints = endpoints;
  }

  @Override
  public void handle(RoutingContext rc) {
    String given = rc.request().getParam("target");
    boolean debug = "true".equalsIgnoreCase(rc.request().getParam("debug"));
    Duration limit;
    try {
      limit = scrapeLimit(rc.request().getHeader(SCRAPE_TIMEOUT));
    } catch (IllegalArgumentException e) {
      text(rc, 400, "Bad " + SCRAPE_TIMEOUT + ": " + e.getMessage() + ".\n");
      return;
    }
    Config config = endpoints.config().get();
    if (given != null && given.contains("://")) {
      byUrl(rc, config, given, debug, limit);
    } else {
      byName(rc, config, given, debug, limit);
    }
  }

  private void byName(RoutingContext rc, Config config, String name, boolean debug, Duration limit) {
    Target target = config.targets().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    if (target == null) {
      text(rc, 404, "No target named '" + (name == null ? "" : name) + "'. Use /probe?target=NAME.\n");
      return;
    }
    Module module = config.moduleOf(target);
    String title = "probe of " + target.name() + " (" + module.shownUrl(target.url()) + "), module "
        + target.module() + "\n";
    probe(rc, within(target, limit), module).onSuccess(r -> text(rc, 200, trace(title, r, debug)));
  }

  private void byUrl(RoutingContext rc, Config config, String given, boolean debug, Duration limit) {
    URI url;
    try {
      url = ProbeAllow.url(given);
    } catch (IllegalArgumentException e) {
      // the URL itself is not repeated: its query may hold a token
      text(rc, 400, "Bad target URL: " + e.getMessage() + ".\n");
      return;
    }
    String refusal = config.probeAllow().refusal(url);
    if (refusal != null) {
      text(rc, 403, "Refused: " + refusal + ". See web.probe_allow in CONFIGURATION.md.\n");
      return;
    }
    String moduleName = rc.request().getParam("module", Module.DEFAULT_NAME);
    Module module = config.modules().get(moduleName);
    if (module == null) {
      text(rc, 400, "Unknown module '" + moduleName + "' (known: " + String.join(", ", config.modules().keySet())
          + ").\n");
      return;
    }
    String shown = module.shownUrl(url);
    Target target = within(new Target(shown, url, moduleName, Map.of(), config.global().interval(),
        config.global().timeout()), limit);
    ExpositionFormatWriter format = debug ? ExpositionFormats.TEXT
        : ExpositionFormats.find(rc.request().getHeader("Accept"));
    probe(rc, target, module).onSuccess(r -> {
      TextOut out = new TextOut(1024);
      if (debug) {
        byte[] text = trace("probe of " + shown + ", module " + moduleName + "\n", r, false)
            .concat("\nseries:\n").getBytes(StandardCharsets.UTF_8);
        out.write(text, 0, text.length);
      }
      format.write(out, r);
      rc.response().setStatusCode(200)
          .putHeader("Content-Type", debug ? "text/plain; charset=utf-8" : format.contentType())
          .end(Buffer.buffer(Arrays.copyOf(out.array(), out.size())));
    });
  }

  /** Completes with the result, or answers 429 (no slot) or 500 and never completes. */
  private Future<ProbeResult> probe(RoutingContext rc, Target target, Module module) {
    return endpoints.probeNow().probeNow(target, module).onFailure(e -> {
      if (e instanceof NoFreeSlot full) {
        // a slot is free again within the longest probe's timeout; this one's is a fair guess
        long retry = Math.max(1, (target.timeout().toMillis() + 999) / 1000);
        rc.response().putHeader("Retry-After", Long.toString(retry));
        text(rc, 429, "Too many probes: " + full.getMessage() + " (global.max_concurrent_probes: "
            + full.limit() + "). Try again later.\n");
      } else {
        rc.fail(e);
      }
    });
  }

  private static String trace(String title, ProbeResult r, boolean withSeries) {
    String text = title + r.trace().render() + (r.success() ? "" : "\ndiagnosis: " + r.diagnosis() + "\n")
        + "\nresult: " + r.result().label() + "\n";
    if (!withSeries) {
      return text;
    }
    TextOut series = new TextOut(1024);
    ExpositionFormats.TEXT.write(series, r);
    return text + "\nseries:\n" + series;
  }

  /**
   * The scrape's timeout less the offset, or null without the header (or when the offset leaves
   * nothing: then the target's own timeout applies, as in blackbox).
   */
  static Duration scrapeLimit(String header) {
    if (header == null) {
      return null;
    }
    double seconds;
    try {
      seconds = Double.parseDouble(header.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number of seconds", e);
    }
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("not a positive number of seconds");
    }
    Duration limit = Duration.ofNanos((long) (Math.min(seconds, 86_400) * 1e9)).minus(TIMEOUT_OFFSET);
    return limit.isNegative() || limit.isZero() ? null : limit;
  }

  /** The target with its timeout cut to {@code limit}, if that is shorter. */
  static Target within(Target target, Duration limit) {
    if (limit == null || limit.compareTo(target.timeout()) >= 0) {
      return target;
    }
    return target.withTimeout(limit);
  }

  private static void text(RoutingContext rc, int status, String body) {
    RequestHygiene.text(rc.response(), status, body);
  }
}
