package io.wsprobe.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Loopback ports for the servers the tests start, and ports where nothing listens.
 *
 * <p>{@link #free()} asks the kernel for a port that is free now and never gives the same one
 * twice in a JVM: two calls in a row may otherwise get the same port back, and two servers of one
 * test would then race for it. {@link #refusing()} keeps a socket bound to its port without
 * listening, for as long as the JVM runs: connecting is refused (RST), and no server started later,
 * on port 0 or a port from {@link #free()}, can take it.
 */
public final class Ports {

  private static final Set<Integer> GIVEN = new HashSet<>();
  private static final List<Socket> HELD = new ArrayList<>();

  private Ports() {}

  /** A port free right now, not given out before in this JVM. */
  public static synchronized int free() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (GIVEN.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
    throw new IOException("no new free port in 100 attempts");
  }

  /** A loopback port where nothing listens, held so that nothing will. */
  public static synchronized int refusing() throws IOException {
    Socket s = new Socket();
    s.setReuseAddress(false);
    s.bind(new InetSocketAddress("127.0.0.1", 0));
    HELD.add(s);
    GIVEN.add(s.getLocalPort());
    return s.getLocalPort();
  }
}
