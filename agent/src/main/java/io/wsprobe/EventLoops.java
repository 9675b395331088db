package io.wsprobe;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Vert.x instance every command runs on. It prefers the native transport (epoll on Linux,
 * shipped in the jar): a probe is a handful of socket events, and epoll wakes up for them with
 * fewer system calls and no per-wake-up garbage than the JDK's selector. Where the native
 * library cannot load (another OS or CPU), Vert.x falls back to NIO; the JVM flag
 * {@code -Dwsprobe.transport=nio} asks for NIO outright.
 *
 * <p>One event loop per core, not Vert.x's default of two: each loop is a scheduler lane whose
 * targets' timers, sockets and results stay on it, so more loops than cores only adds threads
 * that take turns on a core (a wake-up and a context switch each time), and more lanes whose
 * freed slots must be handed to another thread's waiting probe.
 */
public final class EventLoops {

  private EventLoops() {}

  public static Vertx create() {
    boolean preferNative = !"nio".equalsIgnoreCase(System.getProperty("wsprobe.transport", ""));
    return Vertx.builder().with(new VertxOptions().setPreferNativeTransport(preferNative)
        .setEventLoopPoolSize(Runtime.getRuntime().availableProcessors())).build();
  }

  /** "epoll", "nio", ...: for the start-up log line. */
  public static String transport(Vertx vertx) {
    return vertx.isNativeTransportEnabled() ? nativeName() : "nio";
  }

  private static String nativeName() {
    io.vertx.core.transport.Transport t = io.vertx.core.transport.Transport.nativeTransport();
    return t == null ? "native" : t.name().toLowerCase(java.util.Locale.ROOT);
  }
}
