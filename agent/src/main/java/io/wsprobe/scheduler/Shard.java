package io.wsprobe.scheduler;

import io.wsprobe.config.Config;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One replica's share of the targets when {@code count} agents split one configuration
 * ({@code --shard=index/count}). A target belongs to the shard with the highest weight for its
 * name (rendezvous hashing): every replica decides alone, with no coordination, and going from N
 * to N+1 replicas moves only the targets the new shard wins, about 1/(N+1) of them.
 *
 * <p>The weight function is part of the contract: changing it reshuffles every target, so it is
 * fixed (FNV-1a of the UTF-8 name, mixed with the shard index by the SplitMix64 finalizer).
 *
 * @param index this replica, from 0 to {@code count - 1}
 * @param count how many replicas split the targets
 */
public record Shard(int index, int count) {

  /** The unsharded agent: one shard that owns every target. */
  public static final Shard ALL = new Shard(0, 1);

  static final int MAX_COUNT = 1000;
  private static final Pattern SPEC = Pattern.compile("(auto|\\d+)/(\\d+)");
  private static final Pattern ORDINAL = Pattern.compile(".*-(\\d+)");

  public Shard {
    if (count < 1 || count > MAX_COUNT) {
      throw new IllegalArgumentException("shard count must be from 1 to " + MAX_COUNT + ", got " + count);
    }
    if (index < 0 || index >= count) {
      throw new IllegalArgumentException("shard index must be from 0 to " + (count - 1) + ", got " + index);
    }
  }

  /**
   * Parses {@code --shard}: {@code I/N}, or {@code auto/N} where I is the number after the last
   * {@code -} of the host name (a StatefulSet's pods are {@code <name>-0}, {@code <name>-1}, …).
   */
  public static Shard parse(String spec, Supplier<String> hostname) {
    Matcher m = SPEC.matcher(spec.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("--shard must be I/N or auto/N (e.g. 0/3), got '" + spec + "'");
    }
    int count = parseCount(m.group(2), spec);
    int index;
    if (m.group(1).equals("auto")) {
      String host = hostname.get();
      Matcher ordinal = ORDINAL.matcher(host == null ? "" : host);
      if (!ordinal.matches()) {
        throw new IllegalArgumentException("--shard=auto/" + count + " needs a host name ending in -<index>"
            + " (a StatefulSet pod such as wsprobe-0), got '" + host + "'");
      }
      index = parseCount(ordinal.group(1), spec);
    } else {
      index = parseCount(m.group(1), spec);
    }
    try {
      return new Shard(index, count);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--shard=" + spec + ": " + e.getMessage(), e);
    }
  }

  private static int parseCount(String digits, String spec) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--shard=" + spec + ": number too large", e);
    }
  }

  /** The host name {@code auto} reads: {@code HOSTNAME} (set in containers and pods), else the system's. */
  public static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return null;
    }
  }

  public boolean sharded() {
    return count > 1;
  }

  /** Whether this shard probes the target named {@code name}. */
  public boolean owns(String name) {
    return owner(name, count) == index;
  }

  /** The config with only this shard's targets (the same object when unsharded). */
  public Config filter(Config config) {
    if (!sharded()) {
      return config;
    }
    return config.withTargets(config.targets().stream().filter(t -> owns(t.name())).toList());
  }

  /** The shard, of {@code count}, that owns {@code name}: the one with the highest weight. */
  public static int owner(String name, int count) {
    long key = nameHash(name);
    int best = 0;
    long bestWeight = weight(key, 0);
    for (int i = 1; i < count; i++) {
      long w = weight(key, i);
      if (Long.compareUnsigned(w, bestWeight) > 0) {
        best = i;
        bestWeight = w;
      }
    }
    return best;
  }

  static long weight(long nameHash, int shard) {
    return mix(nameHash ^ mix(0x9E3779B97F4A7C15L * (shard + 1L)));
  }

  /** 64-bit FNV-1a of the UTF-8 bytes. */
  static long nameHash(String name) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** SplitMix64's finalizer: every input bit flips about half the output bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
