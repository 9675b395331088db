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
 * @param proxyStatusCode the forward proxy's HTTP status for CONNECT, 0 when none came or the
 *                        module has no proxy
 * @param hop             the proxy or CDN the upgrade answer named ({@link HopRecogniser}),
 *                        {@link Hop#UNKNOWN} when it named none or no answer came
 * @param origin          the direct upgrade of the target's origin_url beside the probe, or null
 *                        when the target has none
 * @param extension       the WebSocket extension the 101 agreed to ({@link Extension#NONE} for
 *                        none), or null when no 101 answer was judged
 *
 * <p>Build one with {@link #builder}: every field not set keeps the value a probe that did
 * nothing would have.
 */
public record ProbeResult(Result result, String detail, String diagnosis, long durationNanos,
                          Map<Phase, Long> phases, int statusCode, List<Long> rttNanos,
                          long holdSurvivedNanos, Instant certNotAfter, int closeCode,
                          String closeReason, String answer, List<Long> broadcastDelaysNanos,
                          int broadcastMissing, Trace trace, int proxyStatusCode, Hop hop,
                          OriginUpgrade origin, Extension extension) {

  /** A result whose upgrade agreed to no extension that was judged. */
  public ProbeResult(Result result, String detail, String diagnosis, long durationNanos,
                     Map<Phase, Long> phases, int statusCode, List<Long> rttNanos,
                     long holdSurvivedNanos, Instant certNotAfter, int closeCode,
                     String closeReason, String answer, List<Long> broadcastDelaysNanos,
                     int broadcastMissing, Trace trace, int proxyStatusCode, Hop hop,
                     OriginUpgrade origin) {
    this(result, detail, diagnosis, durationNanos, phases, statusCode, rttNanos, holdSurvivedNanos,
        certNotAfter, closeCode, closeReason, answer, broadcastDelaysNanos, broadcastMissing, trace,
        proxyStatusCode, hop, origin, null);
  }

  /** A result of a probe of a target without an origin URL. */
  public ProbeResult(Result result, String detail, String diagnosis, long durationNanos,
                     Map<Phase, Long> phases, int statusCode, List<Long> rttNanos,
                     long holdSurvivedNanos, Instant certNotAfter, int closeCode,
                     String closeReason, String answer, List<Long> broadcastDelaysNanos,
                     int broadcastMissing, Trace trace, int proxyStatusCode, Hop hop) {
    this(result, detail, diagnosis, durationNanos, phases, statusCode, rttNanos, holdSurvivedNanos,
        certNotAfter, closeCode, closeReason, answer, broadcastDelaysNanos, broadcastMissing, trace,
        proxyStatusCode, hop, null);
  }

  /** A result whose answer named no hop. */
  public ProbeResult(Result result, String detail, String diagnosis, long durationNanos,
                     Map<Phase, Long> phases, int statusCode, List<Long> rttNanos,
                     long holdSurvivedNanos, Instant certNotAfter, int closeCode,
                     String closeReason, String answer, List<Long> broadcastDelaysNanos,
                     int broadcastMissing, Trace trace, int proxyStatusCode) {
    this(result, detail, diagnosis, durationNanos, phases, statusCode, rttNanos, holdSurvivedNanos,
        certNotAfter, closeCode, closeReason, answer, broadcastDelaysNanos, broadcastMissing, trace,
        proxyStatusCode, Hop.UNKNOWN);
  }

  /** A result of a probe without a forward proxy, whose answer named no hop. */
  public ProbeResult(Result result, String detail, String diagnosis, long durationNanos,
                     Map<Phase, Long> phases, int statusCode, List<Long> rttNanos,
                     long holdSurvivedNanos, Instant certNotAfter, int closeCode,
                     String closeReason, String answer, List<Long> broadcastDelaysNanos,
                     int broadcastMissing, Trace trace) {
    this(result, detail, diagnosis, durationNanos, phases, statusCode, rttNanos, holdSurvivedNanos,
        certNotAfter, closeCode, closeReason, answer, broadcastDelaysNanos, broadcastMissing, trace, 0, Hop.UNKNOWN);
  }

  public boolean success() {
    return result == Result.SUCCESS;
  }

  /** This result with the origin's upgrade, and the detail and diagnosis that take it into account. */
  ProbeResult withOrigin(OriginUpgrade origin, String detail, String diagnosis) {
    return new ProbeResult(result, detail, diagnosis, durationNanos, phases, statusCode, rttNanos,
        holdSurvivedNanos, certNotAfter, closeCode, closeReason, answer, broadcastDelaysNanos,
        broadcastMissing, trace, proxyStatusCode, hop, origin, extension);
  }

  public static Map<Phase, Long> emptyPhases() {
    return new EnumMap<>(Phase.class);
  }

  public static Builder builder(Result result) {
    return new Builder(result);
  }

  /** A result field by field; defaults: no detail, no phases, no answer, nothing measured. */
  public static final class Builder {
    private final Result result;
    private String detail = "";
    private String diagnosis = "";
    private long durationNanos;
    private Map<Phase, Long> phases;
    private int statusCode;
    private List<Long> rttNanos = List.of();
    private long holdSurvivedNanos = -1;
    private Instant certNotAfter;
    private int closeCode = -1;
    private String closeReason = "";
    private String answer = "";
    private List<Long> broadcastDelaysNanos = List.of();
    private int broadcastMissing = -1;
    private Trace trace;
    private int proxyStatusCode;
    private Hop hop = Hop.UNKNOWN;
    private OriginUpgrade origin;
    private Extension extension;

    private Builder(Result result) {
      this.result = result;
    }

    public Builder detail(String detail) {
      this.detail = detail;
      return this;
    }

    public Builder diagnosis(String diagnosis) {
      this.diagnosis = diagnosis;
      return this;
    }

    public Builder durationNanos(long durationNanos) {
      this.durationNanos = durationNanos;
      return this;
    }

    /** Kept as given (not copied): the probe hands over its own map when it is done with it. */
    public Builder phases(Map<Phase, Long> phases) {
      this.phases = phases;
      return this;
    }

    public Builder statusCode(int statusCode) {
      this.statusCode = statusCode;
      return this;
    }

    public Builder rttNanos(List<Long> rttNanos) {
      this.rttNanos = rttNanos;
      return this;
    }

    public Builder holdSurvivedNanos(long holdSurvivedNanos) {
      this.holdSurvivedNanos = holdSurvivedNanos;
      return this;
    }

    public Builder certNotAfter(Instant certNotAfter) {
      this.certNotAfter = certNotAfter;
      return this;
    }

    public Builder closeCode(int closeCode) {
      this.closeCode = closeCode;
      return this;
    }

    public Builder closeReason(String closeReason) {
      this.closeReason = closeReason;
      return this;
    }

    public Builder answer(String answer) {
      this.answer = answer;
      return this;
    }

    public Builder broadcastDelaysNanos(List<Long> broadcastDelaysNanos) {
      this.broadcastDelaysNanos = broadcastDelaysNanos;
      return this;
    }

    public Builder broadcastMissing(int broadcastMissing) {
      this.broadcastMissing = broadcastMissing;
      return this;
    }

    public Builder proxyStatusCode(int proxyStatusCode) {
      this.proxyStatusCode = proxyStatusCode;
      return this;
    }

    public Builder hop(Hop hop) {
      this.hop = hop;
      return this;
    }

    public Builder origin(OriginUpgrade origin) {
      this.origin = origin;
      return this;
    }

    public Builder extension(Extension extension) {
      this.extension = extension;
      return this;
    }

    public Builder trace(Trace trace) {
      this.trace = trace;
      return this;
    }

    public ProbeResult build() {
      return new ProbeResult(result, detail, diagnosis, durationNanos,
          phases == null ? emptyPhases() : phases, statusCode, rttNanos, holdSurvivedNanos,
          certNotAfter, closeCode, closeReason, answer, broadcastDelaysNanos, broadcastMissing, trace,
          proxyStatusCode, hop, origin, extension);
    }
  }
}
