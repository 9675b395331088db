package io.wsprobe.prober;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.wsprobe.config.Module;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * A session's first steps: a file descriptor from the budget (before DNS, so a probe that cannot
 * have a socket costs no lookup), DNS through the system resolver on a worker thread, and the TCP
 * connect. Each ends the session with its own result, or hands over to {@link Session#connected}.
 */
final class Connect {

  private Connect() {}

  static void start(Session s) {
    s.stepStart = System.nanoTime();
    FdBudget fds = s.probe.fds;
    if (!fds.tryAcquire()) {
      fds.exhausted();
      String why = fds.refusal();
      s.step("start", 0, "not started: " + why);
      s.end(Result.RESOURCE_EXHAUSTED, why);
      return;
    }
    s.fdHeld = true;
    // through a forward proxy the probe's one socket goes to the proxy, which resolves the target
    Module.Proxy proxy = s.module.proxy();
    String host = proxy != null ? proxy.host() : host(s);
    int port = proxy != null ? proxy.port() : s.target.port();
    String what = proxy != null ? "proxy " : "";
    if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
      s.step("dns", 0, () -> what + host + " is an address: nothing to resolve");
      connect(s, new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), port));
      return;
    }
    s.probe.context.<InetAddress[]>executeBlocking(() -> InetAddress.getAllByName(host), false)
        .onComplete(ar -> s.loop.execute(() -> s.guarded(() -> {
          if (s.step != ProbeStep.RESOLVING) {
            return;
          }
          long took = System.nanoTime() - s.stepStart;
          if (ar.failed()) {
            Throwable e = ar.cause();
            if (s.exhausted(e, "dns", took)) {
              return;
            }
            String why = e instanceof UnknownHostException ? "no address for " + what + host : String.valueOf(e);
            s.step("dns", took, "failed: " + why);
            s.end(Result.DNS_ERROR, why);
            return;
          }
          s.phases.put(Phase.DNS, took);
          Module module = s.module;
          InetAddress chosen = choose(module, ar.result());
          if (chosen == null) {
            s.step("dns", took, host + " has no " + module.ipProtocol().name().toLowerCase(Locale.ROOT)
                + " address and ip_protocol_fallback is off");
            s.end(Result.DNS_ERROR, "no " + module.ipProtocol().name().toLowerCase(Locale.ROOT)
                + " address for " + what + host);
            return;
          }
          s.step("dns", took, host + " -> " + chosen.getHostAddress()
              + (ar.result().length > 1 ? " (" + ar.result().length + " addresses)" : ""));
          connect(s, new InetSocketAddress(chosen, port));
        })));
  }

  static String host(Session s) {
    String host = s.target.url().getHost();
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  private static InetAddress choose(Module module, InetAddress[] all) {
    boolean wantV6 = module.ipProtocol() == Module.IpProtocol.IP6;
    for (InetAddress a : all) {
      if ((a instanceof Inet6Address) == wantV6) {
        return a;
      }
    }
    return module.ipProtocolFallback() && all.length > 0 ? all[0] : null;
  }

  /**
   * One bootstrap per event loop, made once: its options are the same for every probe. No
   * connect timeout of Netty's (it would be a second timer per probe): the probe's deadline ends a
   * connect that hangs, as {@code connect_timeout}, and closes the socket.
   */
  private static final FastThreadLocal<Bootstrap> BOOTSTRAP = new FastThreadLocal<>();

  private static Bootstrap bootstrap(Session s) {
    Bootstrap b = BOOTSTRAP.get();
    if (b == null || b.config().group() != s.loop || b.config().channelFactory() != s.probe.channels) {
      b = new Bootstrap()
          .group(s.loop)
          .channelFactory(s.probe.channels)
          // no TCP_NODELAY here: Netty's socket channels (epoll and NIO) turn it on when they are
          // made, and setting it again was one more setsockopt per probe
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
          .handler(Pipelines.CONNECTING);
      BOOTSTRAP.set(b);
    }
    return b;
  }

  private static void connect(Session s, InetSocketAddress address) {
    s.step = ProbeStep.CONNECTING;
    s.stepStart = System.nanoTime();
    ChannelFuture connected = bootstrap(s).connect(address);
    if (connected.channel().isRegistered()) {
      s.channel = connected.channel();
      s.wire = s.channel.pipeline().get(WireClock.class);
      s.channel.closeFuture().addListener(closed -> s.releaseFd());
    } else {
      // the socket could not even be created (EMFILE): Netty hands back a stand-in channel that
      // belongs to no event loop, and completes the future on its global executor
      s.releaseFd();
    }
    connected.addListener(f -> s.onLoop(() -> {
      if (s.step != ProbeStep.CONNECTING) {
        return;
      }
      long took = System.nanoTime() - s.stepStart;
      if (!f.isSuccess()) {
        Throwable e = f.cause();
        if (s.exhausted(e, "connect", took)) {
          return;
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        s.step("connect", took, "failed: " + why);
        boolean timeout = e instanceof io.netty.channel.ConnectTimeoutException
            || why.toLowerCase(Locale.ROOT).contains("timed out");
        s.end(timeout ? Result.CONNECT_TIMEOUT : Result.CONNECT_REFUSED,
            "connect to " + (s.module.proxy() != null ? "proxy " + s.module.proxy().address() + " at " : "")
                + NetUtil.toSocketAddressString(address) + ": " + why);
        return;
      }
      s.phases.put(Phase.CONNECT, took);
      s.step("connect", took, () -> "TCP connected to " + (s.module.proxy() != null ? "proxy " : "")
          + NetUtil.toSocketAddressString(address));
      s.connected();
    }));
  }
}
