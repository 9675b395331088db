package io.wsprobe.web;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code basic_auth_users}: checks an {@code Authorization: Basic} header against the bcrypt
 * hashes, as exporter-toolkit does. A bcrypt check costs tens of milliseconds or more, so:
 * <ul>
 *   <li>it runs on its own one-thread worker, never on an event loop, one at a time (a flood of
 *       wrong passwords costs one core, not all);
 *   <li>an unknown user is checked against a dummy hash of the same cost, so timing tells
 *       nothing of which users exist;
 *   <li>the outcome for a (user, hash, password) is remembered in a small {@link Cache}, so a
 *       scraper that sends the same credentials every few seconds pays once. The cache keys are
 *       SHA-256 digests: no password is kept.
 * </ul>
 */
final class BasicAuth {

  /** Outcomes remembered; exporter-toolkit keeps as many. */
  static final int CACHE_SIZE = 100;
  private static final BCrypt.Verifyer BCRYPT =
      BCrypt.verifyer(BCrypt.Version.VERSION_2A, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A));

  private final Map<String, String> users;
  private final Cache cache;
  private final WorkerExecutor worker;
  private final int dummyCost;

  /**
   * @param users  user → bcrypt hash (checked for form by the config reader)
   * @param cache  shared across reloads: its keys include the hash, so a changed hash misses
   * @param worker where bcrypt runs, one check at a time
   */
  BasicAuth(Map<String, String> users, Cache cache, WorkerExecutor worker) {
    this.users = Map.copyOf(users);
    this.cache = cache;
    this.worker = worker;
    // the highest cost in use, so that an unknown user costs what the slowest known one does
    int cost = users.values().stream().mapToInt(h -> Integer.parseInt(h.substring(h.lastIndexOf('$') - 2,
        h.lastIndexOf('$')))).max().orElse(10);
    this.dummyCost = cost;
  }

  /** Whether {@code authorization} (the header, or null) names a user with its password. */
  Future<Boolean> check(String authorization) {
    Credentials c = Credentials.parse(authorization);
    if (c == null) {
      return Future.succeededFuture(false);
    }
    String hash = users.get(c.user());
    boolean known = hash != null;
    String key = Cache.key(c.user(), known ? hash : "unknown user, cost " + dummyCost, c.password());
    Boolean remembered = cache.get(key);
    if (remembered != null) {
      return Future.succeededFuture(known && remembered);
    }
    return worker.executeBlocking(() -> {
      boolean ok = verify(c.password(), known ? hash : DummyHashes.of(dummyCost));
      cache.put(key, ok);
      return known && ok;
    }, true);
  }

  private static boolean verify(String password, String hash) {
    try {
      return BCRYPT.verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.US_ASCII)).verified;
    } catch (RuntimeException e) {
      return false; // a hash the library refuses: no password matches it
    }
  }

  /** A user and password from {@code Basic base64(user:password)}; null when it is not one. */
  record Credentials(String user, String password) {
    @Override
    public String toString() {
      return "Credentials[user=" + user + "]";
    }

    static Credentials parse(String header) {
      if (header == null || header.length() < 6 || !header.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
        return null;
      }
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
      int colon = decoded.indexOf(':');
      return colon < 0 ? null : new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
  }

  /** Dummy hashes by cost, made once with the library (the first one of a cost takes its time). */
  private static final class DummyHashes {
    private static final Map<Integer, String> BY_COST = new java.util.concurrent.ConcurrentHashMap<>();

    static String of(int cost) {
      return BY_COST.computeIfAbsent(cost, c -> BCrypt.withDefaults()
          .hashToString(c, "wsprobe: no such user".toCharArray()));
    }
  }

  /** The last {@link #CACHE_SIZE} outcomes, least recently used dropped first. Thread-safe. */
  static final class Cache {
    private final Map<String, Boolean> entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > CACHE_SIZE;
      }
    };

    synchronized Boolean get(String key) {
      return entries.get(key);
    }

    synchronized void put(String key, boolean ok) {
      entries.put(key, ok);
    }

    static String key(String user, String hash, String password) {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String part : new String[] {user, hash, password}) {
          byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
          sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
          sha.update((byte) ':');
          sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is part of every JDK", e);
      }
    }
  }
}
