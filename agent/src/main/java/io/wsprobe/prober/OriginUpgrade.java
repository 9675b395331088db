package io.wsprobe.prober;

/**
 * How the direct upgrade of a target's {@code origin_url} went: the app behind the proxies,
 * upgraded beside the probe of the public URL (see {@link OriginCheck}).
 *
 * @param result     how the origin's upgrade ended ({@link Result#SUCCESS} when it upgraded)
 * @param statusCode HTTP status of the origin's answer, 0 when none came
 * @param detail     why it failed, redacted; "" when it upgraded
 */
public record OriginUpgrade(Result result, int statusCode, String detail) {

  public boolean upgraded() {
    return result == Result.SUCCESS;
  }
}
