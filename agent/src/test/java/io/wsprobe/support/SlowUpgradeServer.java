package io.wsprobe.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket endpoint on loopback, written on a raw {@link NetServer} so a test sees every
 * connection: it answers the upgrade with 101 only after a delay, hangs up on whatever the client
 * sends next (the close frame), and remembers per request path when each upgrade request arrived
 * and the most connections that were open at once.
 *
 * <p>The server closes first, so its count drops before the client can see the end of a probe:
 * two probes one after the other are never counted as overlapping.
 */
public final class SlowUpgradeServer {

  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final Vertx vertx;
  private final long delayMillis;
  private final Map<String, List<Long>> arrivals = new HashMap<>();
  private final Map<String, Integer> open = new HashMap<>();
  private final Map<String, Integer> maxOpen = new HashMap<>();
  private int openAll;
  private int maxOpenAll;
  private NetServer server;

  private SlowUpgradeServer(Vertx vertx, Duration delay) {
    this.vertx = vertx;
    this.delayMillis = delay.toMillis();
  }

  /** Starts on 127.0.0.1 with an ephemeral port; answers every upgrade after {@code delay}. */
  public static SlowUpgradeServer start(Vertx vertx, Duration delay) {
    SlowUpgradeServer s = new SlowUpgradeServer(vertx, delay);
    s.server = vertx.createNetServer().connectHandler(s::connection).listen(0, "127.0.0.1").await();
    return s;
  }

  public int port() {
    return server.actualPort();
  }

  public void close() {
    server.close().await();
  }

  /** When each upgrade request for {@code path} arrived, in {@link System#nanoTime()} order. */
  public synchronized List<Long> arrivals(String path) {
    return List.copyOf(arrivals.getOrDefault(path, List.of()));
  }

  /** The most connections for {@code path} that were open at the same time. */
  public synchronized int maxOpen(String path) {
    return maxOpen.getOrDefault(path, 0);
  }

  /** The most connections, whatever their path, that were open at the same time. */
  public synchronized int maxOpen() {
    return maxOpenAll;
  }

  private synchronized void opened() {
    openAll++;
    maxOpenAll = Math.max(maxOpenAll, openAll);
  }

  private synchronized void requested(String path) {
    arrivals.computeIfAbsent(path, p -> new ArrayList<>()).add(System.nanoTime());
    int now = open.merge(path, 1, Integer::sum);
    maxOpen.merge(path, now, Math::max);
  }

  private synchronized void closed(String path) {
    openAll--;
    if (path != null) {
      open.merge(path, -1, Integer::sum);
    }
  }

  private void connection(NetSocket socket) {
    opened();
    StringBuilder head = new StringBuilder();
    String[] path = {null};
    boolean[] answered = {false};
    boolean[] gone = {false};
    Runnable goneNow = () -> {
      if (!gone[0]) {
        gone[0] = true;
        closed(path[0]);
      }
    };
    socket.closeHandler(v -> goneNow.run());
    socket.handler(buffer -> {
      if (answered[0]) {
        // counted as closed before the FIN leaves: Netty runs the close handler as a later task,
        // after which the client may already have started its next connection
        goneNow.run();
        socket.close();
        return;
      }
      if (path[0] != null) {
        return;
      }
      head.append(buffer.toString(StandardCharsets.ISO_8859_1));
      if (head.indexOf("\r\n\r\n") < 0) {
        return;
      }
      String[] lines = head.toString().split("\r\n");
      path[0] = lines[0].split(" ")[1];
      requested(path[0]);
      String key = null;
      for (String line : lines) {
        if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
          key = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      String accept = accept(key);
      vertx.setTimer(Math.max(1, delayMillis), id -> {
        answered[0] = true;
        socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n");
      });
    });
  }

  private static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
          .digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
