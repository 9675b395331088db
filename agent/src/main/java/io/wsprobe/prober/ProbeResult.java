package io.wsprobe.prober;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one probe.
 *
 * @param result          how it ended
 * @param detail          one line saying why, for logs; "" on success. It, the diagnosis, the
 *                        answer and (on a failure) the close reason went through the probe's
 *                        {@code Redactor}: a server may echo a secret
 * @param diagnosis       plain words on the likely cause and the fix; "" on success
 * @param durationNanos   the whole probe
 * @param phases          each completed phase's duration
 * @param statusCode      HTTP status of the upgrade answer, 0 when none came
 * @param rttNanos        each message round trip, in order
 * @param holdSurvivedNanos how long the held session lasted; -1 when the module holds none
 * @param certNotAfter    earliest notAfter of the peer's chain, or null (ws, or no chain seen)
 * @param closeCode       close code the peer sent, -1 if none
 * @param closeReason     close reason the peer sent, or ""
 * @param answer          the upgrade answer as received (status line, headers, first 512 bytes of
 *                        the body; sensitive headers redacted) when it was not a good 101, else ""
 * @param broadcastDelaysNanos each receiver's marker delay, for receivers that got it
 * @param broadcastMissing receivers that did not get the marker; -1 when the module has no broadcast
 *                        or the probe failed before the marker was sent
 */
public record ProbeResult(Result result, String detail, String diagnosis, long durationNanos,
                          Map<Phase, Long> phases, int statusCode, List<Long> rttNanos,
                          long holdSurvivedNanos, Instant certNotAfter, int closeCode,
                          String closeReason, String answer, List<Long> broadcastDelaysNanos,
                          int broadcastMissing, Trace trace) {

  public boolean success() {
    return result == Result.SUCCESS;
  }

  public static Map<Phase, Long> emptyPhases() {
    return new EnumMap<>(Phase.class);
  }
}
