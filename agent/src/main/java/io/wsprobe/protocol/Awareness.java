package io.wsprobe.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * y-protocols awareness updates: {@code varUint(n)} then n × {@code varUint(clientID)
 * varUint(clock) varString(jsonState)}. A server applies an entry only when its clock is above the
 * last one it saw for that client, so each marker must carry the next clock.
 */
public final class Awareness {

  /** One client's state in an update; {@code json} is {@code "null"} when the client left. */
  public record Entry(long clientId, long clock, String json) {}

  private Awareness() {}

  public static byte[] update(long clientId, long clock, String json) {
    return new Lib0.Writer().varUint(1).varUint(clientId).varUint(clock).varString(json).toBytes();
  }

  public static List<Entry> parse(byte[] update) {
    Lib0.Reader r = new Lib0.Reader(update);
    long n = r.varUint();
    if (n > 10_000) {
      throw new Lib0.DecodeException("awareness update with " + n + " entries");
    }
    List<Entry> entries = new ArrayList<>((int) n);
    for (long i = 0; i < n; i++) {
      entries.add(new Entry(r.varUint(), r.varUint(), r.varString()));
    }
    return entries;
  }
}
