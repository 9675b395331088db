package io.wsprobe.config;

import static io.wsprobe.config.NodeReader.child;

import io.wsprobe.config.Module.Broadcast;
import io.wsprobe.config.Module.Hold;
import io.wsprobe.config.Module.Protocol;
import io.wsprobe.config.NodeReader.Entry;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Every rule that ties one setting to another: timeouts against intervals, hold and broadcast
 * durations against the probe's timeout, blocks that need a protocol, credentials that must not
 * travel in the clear, keys that come in pairs or exclude each other. The readers build the
 * records; they hand the typed values over here as soon as a rule's inputs are complete, rather
 * than in a pass after reading, so that every error keeps its line, its path, its place among
 * the errors of the same line, and its count towards the 100-error cap (which stops the reading
 * where it is reached). {@code wsprobe probe} reads its options through the same readers, and
 * checks its timeout with {@link #holdWithinTimeout} and {@link #broadcastWithinTimeout}.
 */
final class ConfigValidator {

  /** Where a target's timing keys were written; any of the entries may be null (inherited). */
  record Timing(Node node, String path, Entry interval, Entry timeout, Entry module) {}

  private final NodeReader reader;

  ConfigValidator(NodeReader reader) {
    this.reader = reader;
  }

  // ---------------------------------------------------------------------------------- timing

  /** {@code global.timeout} below {@code global.interval}; invalid (null) durations are skipped. */
  void globalTimeout(Entry intervalKey, Entry timeoutKey, Duration interval, Duration timeout) {
    if (interval != null && timeout != null && timeout.compareTo(interval) >= 0) {
      Node at = timeoutKey != null ? timeoutKey.value() : intervalKey.value();
      reader.error(at, "global.timeout", Durations.format(timeout)
          + (timeoutKey == null ? " (the default)" : "") + " must be below the interval "
          + Durations.format(interval));
    }
  }

  /**
   * A target's timeout: below its interval, above its module's hold duration and broadcast
   * timeout (plus settle). Reported at the timeout when the target sets one, else at what made
   * it apply.
   */
  void targetTimeout(Timing at, Duration interval, Duration timeout, String moduleName,
                     Module module) {
    String path = child(at.path(), "timeout");
    String timeoutShown = timeout == null ? null
        : Durations.format(timeout) + (at.timeout() == null ? " (inherited)" : "");
    // With both inherited, the global check has already covered it.
    if ((at.interval() != null || at.timeout() != null) && interval != null && timeout != null
        && timeout.compareTo(interval) >= 0) {
      Node node = at.timeout() != null ? at.timeout().value() : at.interval().value();
      reader.error(node, path,
          timeoutShown + " must be below the interval " + Durations.format(interval));
    }
    Node node = at.timeout() != null ? at.timeout().value()
        : at.module() != null ? at.module().value() : at.node();
    Hold hold = module == null ? null : module.hold();
    String holdProblem = hold == null || hold.duration() == null || timeout == null ? null
        : holdWithinTimeout(timeout, hold.duration());
    if (holdProblem != null) {
      reader.error(node, path, timeoutShown + holdProblem + " of module " + moduleName);
    }

    Broadcast broadcast = module == null ? null : module.app().broadcast();
    String broadcastProblem = broadcast == null || timeout == null ? null
        : broadcastWithinTimeout(timeout, broadcast);
    if (broadcastProblem != null) {
      reader.error(node, path, timeoutShown + broadcastProblem + " of module " + moduleName);
    }
  }

  /**
   * The end of the message when a probe's {@code timeout} does not leave room for a broadcast:
   * its timeout, or its settle plus timeout ({@code " must be above the broadcast timeout 5s"}),
   * else null.
   */
  static String broadcastWithinTimeout(Duration timeout, Broadcast broadcast) {
    if (broadcast.timeout() != null && broadcast.timeout().compareTo(timeout) >= 0) {
      return " must be above the broadcast timeout " + Durations.format(broadcast.timeout());
    }
    if (broadcast.settle().isZero()) {
      return null;
    }
    Duration needed = broadcast.timeout() == null ? broadcast.settle()
        : broadcast.settle().plus(broadcast.timeout());
    return needed.compareTo(timeout) < 0 ? null : " must be above the broadcast settle"
        + (broadcast.timeout() == null ? " " : " + timeout ") + Durations.format(needed);
  }

  /**
   * The end of the message when a probe's {@code timeout} does not leave room for holding the
   * session {@code hold} long ({@code " must be above the hold duration 10s"}), else null.
   */
  static String holdWithinTimeout(Duration timeout, Duration hold) {
    return hold.compareTo(timeout) >= 0
        ? " must be above the hold duration " + Durations.format(hold) : null;
  }

  /** {@code hold.ping_interval} below {@code hold.duration}. */
  void pingBelowHold(Entry pingKey, Duration pingInterval, Duration duration, String holdPath) {
    if (pingInterval != null && duration != null && pingInterval.compareTo(duration) >= 0) {
      reader.error(pingKey.value(), child(holdPath, "ping_interval"), Durations.format(pingInterval)
          + " must be below the hold duration " + Durations.format(duration));
    }
  }

  // ------------------------------------------------------------------------- pairs and clashes

  /** {@code tls.cert_file} and {@code tls.key_file} come together. */
  void certificateWithKey(Entry cert, Entry key, String tlsPath) {
    if (cert != null && key == null) {
      reader.error(cert.keyNode(), child(tlsPath, "key_file"), "required when cert_file is set");
    } else if (key != null && cert == null) {
      reader.error(key.keyNode(), child(tlsPath, "cert_file"), "required when key_file is set");
    }
  }

  /** A bearer token and an {@code Authorization} header exclude each other. */
  boolean bearerTokenFits(Map<String, Secret> headers, Entry used, String usedPath) {
    boolean hasAuthorization = headers.keySet().stream()
        .anyMatch(name -> name.equalsIgnoreCase("Authorization"));
    if (hasAuthorization) {
      reader.error(used.keyNode(), usedPath,
          "conflicts with the Authorization header set in headers; keep one of them");
    }
    return !hasAuthorization;
  }

  /**
   * Whether {@code hocuspocus.token} or {@code token_file} is to be read: exactly one is set and
   * the module has no {@code auth} (which supplies the token); what else is wrong is reported.
   */
  boolean hocuspocusTokenToRead(Entry token, Entry tokenFile, Node node, String path,
                                boolean required, boolean hasAuth) {
    if (hasAuth) {
      for (Entry entry : new Entry[] {token, tokenFile}) {
        if (entry != null) {
          reader.error(entry.keyNode(), child(path, entry.key()),
              "not allowed with auth: the token comes from auth");
        }
      }
    } else if (token != null && tokenFile != null) {
      reader.error(tokenFile.keyNode(), child(path, "token_file"),
          "token and token_file are mutually exclusive");
    } else if (token != null || tokenFile != null) {
      return true;
    } else if (required) {
      reader.error(node, child(path, "token"),
          "missing required key: set token or token_file, or log in with the module's auth");
    }
    return false;
  }

  /** A password goes to a loopback host or over https, unless {@code insecure_http} says so. */
  boolean passwordStaysPrivate(URI baseUrl, boolean insecureHttp, Entry baseUrlKey, String authPath) {
    if (!insecureHttp && baseUrl.getScheme().equalsIgnoreCase("http")
        && !UrlReader.isLoopback(baseUrl.getHost())) {
      reader.error(baseUrlKey.value(), child(authPath, "base_url"), "sends the password over plain "
          + "http to a non-loopback host; use https, or set insecure_http: true");
      return false;
    }
    return true;
  }

  // -------------------------------------------------------------------------------- protocol

  /**
   * {@code auth} needs a protocol that carries what it logs in for, and with socketio it sets the
   * cookie itself. {@code protocol} null: invalid, already reported; the checks are skipped.
   */
  void authFitsProtocol(Entry authKey, String authPath, Protocol protocol, String protocolShown,
                        Map<String, Secret> headers) {
    if (protocol != null && protocol != Protocol.SOCKETIO && protocol != Protocol.HOCUSPOCUS) {
      reader.error(authKey.keyNode(), authPath, "needs protocol: socketio (for the cookie) or "
          + "hocuspocus (for the collab token); this module's protocol is " + protocolShown);
    }
    boolean hasCookie = headers.keySet().stream().anyMatch(name -> name.equalsIgnoreCase("Cookie"));
    if (protocol == Protocol.SOCKETIO && hasCookie) {
      reader.error(authKey.keyNode(), authPath,
          "conflicts with the Cookie header set in headers (auth sets the cookie); keep one of them");
    }
  }

  /** A {@code socketio} or {@code hocuspocus} block only in a module of that protocol. */
  void blockFitsProtocol(Entry blockKey, String blockPath, Protocol needed, Protocol protocol,
                         String protocolShown) {
    if (protocol != null && protocol != needed) {
      reader.error(blockKey.keyNode(), blockPath,
          "needs protocol: " + needed.label() + "; this module's protocol is " + protocolShown);
    }
  }

  /** {@code protocol: hocuspocus} without a {@code hocuspocus} block. */
  void hocuspocusBlockPresent(Entry protocolKey, String modulePath, boolean hasAuth) {
    reader.error(protocolKey.value(), child(modulePath, "hocuspocus"),
        "missing required key: protocol hocuspocus needs hocuspocus.document"
            + (hasAuth ? "" : " and a token (hocuspocus.token, hocuspocus.token_file or auth)"));
  }
}
